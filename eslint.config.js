// @ts-check
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

const MCP_SDK = {
  group: ["@modelcontextprotocol/*"],
  message: "Vendors carry no MCP types: return data and AigcError, the tool layer speaks MCP.",
};
const TOOL_LAYER = { group: ["**/tools/*", "**/tools/**"], message: "Vendors must not depend on the tool layer (src/tools/)." };

export default tseslint.config(
  { ignores: ["dist/", "coverage/", "test-results/", "node_modules/"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true }],
      // Background work must be awaited, returned or explicitly voided: a lost rejection is a lost job.
      "@typescript-eslint/no-floating-promises": "error",
      eqeqeq: ["error", "smart"],
    },
  },
  {
    // The layer rule: vendor adapters know HTTP and their vendor, nothing about MCP or tools.
    files: ["src/vendors/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [MCP_SDK, TOOL_LAYER] }] },
  },
  {
    // Simulators state what the vendor accepts from the vendor's docs, independently of the adapter:
    // importing the catalog, the request builders or the parsers would make the tests agree with
    // themselves. Allowed from the vendor folder: other simulator files, VENDOR_ID (config) and the
    // request-signature check (sign.ts, pinned to the vendor's published known-answer vectors).
    files: ["src/vendors/*/sim*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            MCP_SDK,
            TOOL_LAYER,
            {
              group: ["./*", "!./sim*", "!./config.js", "!./sign.js"],
              message: "A simulator must not import its adapter (catalog, requests, client): it is the vendor's independent statement.",
            },
            {
              group: ["../kit/catalog*", "../kit/models-file*"],
              message: "A simulator keeps its own model list; it must not read the catalogs.",
            },
          ],
        },
      ],
      "no-restricted-syntax": [
        "error",
        {
          selector: "ImportDeclaration[source.value='./config.js'] > ImportSpecifier[imported.name!='VENDOR_ID']",
          message: "From config a simulator may take only VENDOR_ID (the defaults there come from the catalog).",
        },
      ],
    },
  },
  {
    // The MCP App view and the test's host page run in a browser (each folder has its own tsconfig with the DOM types).
    files: ["src/viewer/**/*.ts", "test/helpers/app-host/**/*.ts"],
    languageOptions: { globals: globals.browser },
  },
  {
    // expect.any() and friends are typed `any` by design.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-unsafe-assignment": "off" },
  },
  { files: ["**/*.js", "**/*.mjs"], ...tseslint.configs.disableTypeChecked },
);

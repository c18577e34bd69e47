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
    // expect.any() and friends are typed `any` by design.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-unsafe-assignment": "off" },
  },
  { files: ["**/*.js", "**/*.mjs"], ...tseslint.configs.disableTypeChecked },
);

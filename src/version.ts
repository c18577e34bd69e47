import { readFileSync } from "node:fs";

/** Set by scripts/bundle.mjs to package.json's version: the bundled start-up reads no file for it. */
declare const AIGC_MCP_BUILD_VERSION: string | undefined;

/** The package version, read once (dist/ and src/ both sit one level below package.json). */
export const VERSION: string =
  typeof AIGC_MCP_BUILD_VERSION === "string"
    ? AIGC_MCP_BUILD_VERSION
    : (() => {
        try {
          return (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
        } catch {
          return "0.0.0";
        }
      })();

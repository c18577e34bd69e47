#!/usr/bin/env node
/**
 * Entry point. In the package (and after `npm run build`) it runs the bundled server, dist/server.cjs,
 * with V8's code cache (src/compile-cache.ts); without a bundle beside it (tsc's tree alone), it
 * imports main.ts. The V8 flags are set first: V8 stamps cached code with the flags in force and
 * rejects it under others.
 */
import "./net/v8-flags.js";
import { runBundle } from "./compile-cache.js";

/** Set by scripts/bundle.mjs to dist/server.cjs's sha256 (hex, 16 characters). */
declare const AIGC_MCP_BUNDLE_HASH: string | undefined;

if (typeof AIGC_MCP_BUNDLE_HASH !== "string" || !(await runBundle(new URL("./server.cjs", import.meta.url), AIGC_MCP_BUNDLE_HASH)))
  await import("./main.js");

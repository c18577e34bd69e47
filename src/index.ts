#!/usr/bin/env node
/**
 * Entry point. In the package (and after `npm run build`) it runs the bundled server, dist/server.cjs,
 * with V8's code cache (src/compile-cache.ts); without a bundle beside it (tsc's tree alone), it
 * imports main.ts. Before the bundle runs, a stdio client's initialize and tools/list may be
 * answered from the last start's answers (src/early-answers.ts). The V8 flags are set first: V8
 * stamps cached code with the flags in force and rejects it under others.
 */
import "./net/v8-flags.js";
import { runBundle } from "./compile-cache.js";
import { answerEarly } from "./early-answers.js";
import type { KeyVar } from "./stored-tool-list.js";

/** Set by scripts/bundle.mjs to dist/server.cjs's sha256 (hex, 16 characters). */
declare const AIGC_MCP_BUNDLE_HASH: string | undefined;
/** Set by scripts/bundle.mjs to src/plugins.ts listVars(): the variables the stored tool list's key holds. */
declare const AIGC_MCP_LIST_VARS: KeyVar[];

if (
  typeof AIGC_MCP_BUNDLE_HASH !== "string" ||
  !(await runBundle(new URL("./server.cjs", import.meta.url), AIGC_MCP_BUNDLE_HASH, process.env, (dir) =>
    // an early answer that fails leaves the start to the server (which says what is wrong)
    answerEarly(dir, AIGC_MCP_BUNDLE_HASH, AIGC_MCP_LIST_VARS).catch(() => undefined),
  ))
)
  await import("./main.js");

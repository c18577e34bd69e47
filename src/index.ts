#!/usr/bin/env node
/**
 * Entry point. On Node 22.1 or newer it turns on Node's compile cache before the server's modules
 * load, so a later start skips compiling them (measured on Node 22: ~15% of the start-up); Node 20
 * has none. The cache holds V8's compiled code of this package's files, in Node's default place (the
 * OS temp folder); NODE_DISABLE_COMPILE_CACHE=1 turns it off. Then main.ts runs.
 */
import module from "node:module";

(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
await import("./main.js");

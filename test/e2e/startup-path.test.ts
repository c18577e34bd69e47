/**
 * Issue 16: nothing on the way from spawn to the `tools/list` answer touches the file system
 * synchronously (the bundle reads no module file beside it, nor package.json for the version). A
 * preload wraps every `fs.*Sync` function (and re-syncs the ESM named exports, so
 * `import { readFileSync } from "node:fs"` sees the wrapper) and reports at exit what was called
 * before the answer went out (the entry reads the bundle and its compile cache asynchronously),
 * and whether undici (the HTTP client, ~45 ms to load) was loaded when the tool list went out.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/harness.js";
import { ENTRY, everyVendorEnv } from "./helpers.js";

const PRELOAD = `
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
const calls = [];
// Node 22+'s ES module loader reads module files with sync calls, also inside an import() of ours
// (Node 20's reads asynchronously): a call counts when the server's code made it, not the ESM
// loader (which files the bundle imports, test/e2e/bundle.test.ts checks; a require() still counts).
function byOurCode() {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 100;
  const frames = new Error().stack.split(String.fromCharCode(10)).slice(2);
  Error.stackTraceLimit = limit;
  const ours = (f) => f.includes("file://") || f.includes("(/") || f.trimStart().startsWith("at /");
  if (frames.some((f) => f.includes("node:internal/modules/esm/"))) return false;
  return frames.some((f) => ours(f) && !f.includes("preload.mjs"));
}
for (const name of Object.keys(fs)) {
  if (!name.endsWith("Sync") || typeof fs[name] !== "function") continue;
  const original = fs[name];
  fs[name] = function (...args) {
    // Writes to stdout/stderr are the protocol and the log, not file-system work.
    if (!(name === "writeSync" && (args[0] === 1 || args[0] === 2)) && byOurCode()) calls.push(name + "(" + String(args[0]) + ")");
    return original.apply(this, args);
  };
}
syncBuiltinESMExports();
// undici reads its global dispatcher when it loads (then defines it over this getter): was it loaded
// when the tool list went out? Said on stderr when it happens.
let undiciLoaded = false;
Object.defineProperty(globalThis, Symbol.for("undici.globalDispatcher.1"), {
  configurable: true,
  get() {
    if (!undiciLoaded) process.stderr.write("\\nUNDICI-LOADING\\n");
    undiciLoaded = true;
    return undefined;
  },
});
let undiciAtAnswer;
let callsAtAnswer;
const write = process.stdout.write;
process.stdout.write = function (chunk, ...rest) {
  if (/"id":2[,}]/.test(String(chunk))) {
    undiciAtAnswer ??= undiciLoaded;
    callsAtAnswer ??= [...calls];
  }
  return write.call(this, chunk, ...rest);
};
// after the answer the compile cache is written, synchronously, on purpose (src/compile-cache.ts)
globalThis.__startPath = () => ({ calls: callsAtAnswer ?? calls, undiciAtAnswer, undiciAtExit: undiciLoaded });
process.on("exit", () => process.stderr.write("\\nSTART-PATH " + JSON.stringify(globalThis.__startPath()) + "\\n"));
`;

/**
 * Spawns the bundle with the preload, answers initialize and tools/list, ends stdin (after undici
 * started loading, when `waitForUndici`) and reads the report.
 */
async function startPath(
  waitForUndici = false,
): Promise<{ calls: string[]; tools: number; undiciAtAnswer: boolean; undiciAtExit: boolean }> {
  const dir = tempDir();
  const preload = join(dir, "preload.mjs");
  writeFileSync(preload, PRELOAD);
  const child = spawn(process.execPath, ["--import", pathToFileURL(preload).href, ENTRY], {
    env: everyVendorEnv(join(dir, "out")),
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const send = (msg: object) => child.stdin.write(`${JSON.stringify(msg)}\n`);
  const tools = await new Promise<number>((resolve, reject) => {
    let buf = "";
    child.on("exit", (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
        const msg = JSON.parse(buf.slice(0, nl)) as { id?: number; result?: { tools?: unknown[] } };
        buf = buf.slice(nl + 1);
        if (msg.id === 1) {
          send({ jsonrpc: "2.0", method: "notifications/initialized" });
          send({ jsonrpc: "2.0", id: 2, method: "tools/list" });
        } else if (msg.id === 2) {
          // Ending stdin makes the server exit, and the preload reports what ran up to here.
          child.removeAllListeners("exit");
          const end = () => (child.stdin.end(), resolve(msg.result?.tools?.length ?? 0));
          if (!waitForUndici || stderr.includes("UNDICI-LOADING")) end();
          else {
            const timer = setTimeout(end, 10_000);
            child.stderr.on("data", () => stderr.includes("UNDICI-LOADING") && (clearTimeout(timer), end()));
          }
        }
      }
    });
    send({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "e2e", version: "1" } },
    });
  });
  await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once("exit", resolve)));
  const m = /START-PATH (\{.*\})/.exec(stderr);
  if (!m) throw new Error(`no report from the preload: ${stderr}`);
  return { ...(JSON.parse(m[1]!) as { calls: string[]; undiciAtAnswer: boolean; undiciAtExit: boolean }), tools };
}

describe("the start path (spawn to the tools/list answer, every vendor configured)", () => {
  it("makes no synchronous file-system call", async () => {
    const r = await startPath();
    expect(r.tools).toBeGreaterThan(20);
    expect(r.calls).toEqual([]);
  });

  it("answers before loading the HTTP client, and loads it right after", async () => {
    const r = await startPath(true);
    expect(r.undiciAtAnswer).toBe(false);
    expect(r.undiciAtExit).toBe(true);
  });
});

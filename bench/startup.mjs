// Goal 1 (start-up) and goal 5 (tool-list size) of issue 16, measured side by side in one run.
// Start-up is what a client waits for: from spawn to the `tools/list` answer over stdio (spawn,
// `initialize`, `notifications/initialized`, `tools/list`), spoken as raw JSON-RPC lines so the
// client's own work (the SDK client compiles every output schema on listTools) is not counted.
// Each figure is the median of RUNS, the contenders interleaved run by run so load spikes hit all.
// The bundled server's figure is a start with its compile cache (src/compile-cache.ts) and the
// answers its first start stored (src/early-answers.ts), as every start after the first is; a first
// start (neither yet) is timed beside it, and so is a call sent right after the list.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** @typedef {import("./figure.mjs").Figure} Figure */

const RUNS = 7;
const TIMEOUT_MS = 30_000;

/** @param {string} p */
const here = (p) => fileURLToPath(new URL(p, import.meta.url));

/** @param {number[]} xs */
export const median = (xs) => /** @type {number} */ ([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);

/**
 * Fake credentials that configure every vendor (nothing is called: listing tools sends no request).
 * @param {string} outputDir
 */
export function everyVendorEnv(outputDir) {
  return {
    PATH: process.env.PATH ?? "",
    AIGC_MCP_OUTPUT_DIR: outputDir,
    ARK_API_KEY: "bench-ark-key-000000000000",
    KLING_API_KEY: "bench-kling-key-000000000000",
    VOLC_ACCESSKEY: "AKLTbenchaccesskey0000000000",
    VOLC_SECRETKEY: "YmVuY2hzZWNyZXRrZXkwMDAwMDAwMDAwMDAwMDA=",
    ANIMO_API_KEY: "bench-animo-key-000000000000",
    ANIMO_ENDPOINT: "http://127.0.0.1:9/animo",
    AI_GATEWAY_BASE_URL: "http://127.0.0.1:9/v1",
    AI_GATEWAY_API_KEY: "bench-gateway-key-000000000000",
    // A gateway set up as its README section says: a default model per capability.
    AI_GATEWAY_CHAT_MODEL: "qwen-plus",
    AI_GATEWAY_EMBED_MODEL: "text-embedding-v3",
    AI_GATEWAY_RERANK_MODEL: "gte-rerank",
    AI_GATEWAY_STT_MODEL: "paraformer-v2",
    AI_GATEWAY_TTS_MODEL: "cosyvoice-v2",
    AI_GATEWAY_TTS_VOICE: "longxiaochun",
  };
}

/**
 * Spawn to exit of a process that does nothing: the floor every Node server starts from. It gets the
 * environment the servers get (PATH only, besides their own variables), not the bench's: a variable
 * Node reads at start, such as NODE_EXTRA_CA_CERTS (set on the machine the README's figures ran on),
 * cost a bare start ~70 ms there and made every ratio look far better than it was.
 */
async function bareNode() {
  const t0 = performance.now();
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore", env: { PATH: process.env.PATH ?? "" } });
  const code = await new Promise((resolve, reject) => {
    child.once("exit", resolve);
    child.once("error", reject);
  });
  if (code !== 0) throw new Error(`node -e '' exited with ${code}`);
  return performance.now() - t0;
}

/**
 * Spawns `node <args>`, speaks MCP over its stdio as a client does, and returns the milliseconds
 * from spawn to the `tools/list` answer, with the listed tools; with `call`, also to the answer of
 * that tool called (no arguments) right after the list came.
 * @param {string[]} args
 * @param {Record<string, string>} env
 * @param {string} [call]
 * @returns {Promise<{ ms: number, tools: any[], callMs?: number }>}
 */
export async function toolsListOverStdio(args, env, call) {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
  const send = (/** @type {object} */ msg) => child.stdin.write(`${JSON.stringify(msg)}\n`);
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no tools/list answer in ${TIMEOUT_MS} ms: ${stderr}`)), TIMEOUT_MS);
      child.once("error", reject);
      child.once("exit", (code) => reject(new Error(`exited with ${code} before answering tools/list: ${stderr}`)));
      let buf = "";
      /** @type {{ ms: number, tools: any[] }} */
      let listed;
      child.stdout.setEncoding("utf8").on("data", (d) => {
        buf += d;
        let nl;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          const msg = JSON.parse(line);
          if (msg.id === 1) {
            if (msg.error) return reject(new Error(`initialize failed: ${JSON.stringify(msg.error)}`));
            send({ jsonrpc: "2.0", method: "notifications/initialized" });
            send({ jsonrpc: "2.0", id: 2, method: "tools/list" });
          } else if (msg.id === 2) {
            listed = { ms: performance.now() - t0, tools: msg.result?.tools };
            if (msg.error) return reject(new Error(`tools/list failed: ${JSON.stringify(msg.error)}`));
            if (call) send({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: call, arguments: {} } });
            else {
              clearTimeout(timer);
              resolve(listed);
            }
          } else if (msg.id === 3) {
            clearTimeout(timer);
            if (msg.error || msg.result.isError) return reject(new Error(`${call} failed: ${JSON.stringify(msg.error ?? msg.result)}`));
            resolve({ ...listed, callMs: performance.now() - t0 });
          }
        }
      });
      send({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "bench", version: "1" } },
      });
    });
  } finally {
    child.removeAllListeners("exit");
    child.kill();
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once("exit", r)));
  }
}

/** The tool list as a model receives it: name, description and input schema of every tool, as JSON. */
export function toolListChars(/** @type {any[]} */ tools) {
  return tools.reduce((n, t) => n + JSON.stringify({ name: t.name, description: t.description, inputSchema: t.inputSchema }).length, 0);
}

/** @param {number} ms */
const f = (ms) => `${ms.toFixed(0)} ms`;

/** @returns {Promise<Figure[]>} */
export async function figures() {
  const dist = (/** @type {string} */ p) => here(`../dist/${p}`);
  const dir = mkdtempSync(join(tmpdir(), "aigc-bench-"));
  // The compile cache in a folder of this run's (the warm-up round writes it, as a first start does).
  const cache = { NODE_COMPILE_CACHE: join(dir, "compile-cache") };
  const all = { ...everyVendorEnv(join(dir, "out")), ...cache };
  const sandboxEnv = { PATH: all.PATH, AIGC_MCP_OUTPUT_DIR: join(dir, "sandbox"), ...cache };
  // The same minimal server bundled as aigc-mcp is: the floor of any server on this SDK and zod.
  const minimalBundle = join(dir, "minimal-server.bundle.mjs");
  await build({
    entryPoints: [here("./minimal-server.mjs")],
    outfile: minimalBundle,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    banner: { js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);' },
    logLevel: "error",
  });
  /** @type {Record<string, { args: string[], env: Record<string, string> }>} */
  const servers = {
    minimal: { args: [here("./minimal-server.mjs")], env: { PATH: all.PATH } },
    minimalBundled: { args: [minimalBundle], env: { PATH: all.PATH } },
    unbundled: { args: [dist("index.unbundled.js")], env: all },
    bundled: { args: [dist("index.js")], env: all },
    // a first start after an install or upgrade: no compile cache yet
    uncached: { args: [dist("index.js")], env: { ...all, NODE_DISABLE_COMPILE_CACHE: "1" } },
    sandbox: { args: [dist("index.js"), "--sandbox"], env: sandboxEnv },
  };
  /** @type {Record<string, number[]>} */
  const ms = { bare: [], minimal: [], minimalBundled: [], unbundled: [], bundled: [], uncached: [], sandbox: [] };
  /** @type {any[]} */
  let listed = [];
  // One warm-up round (the OS file cache), not counted.
  await bareNode();
  for (const s of Object.values(servers)) await toolsListOverStdio(s.args, s.env);
  /** @type {number[]} */
  const firstCall = [];
  for (let i = 0; i < RUNS; i++) {
    /** @type {number[]} */ (ms.bare).push(await bareNode());
    for (const [name, s] of Object.entries(servers)) {
      // the bundled start also times a call sent right after the list: the early answers answer
      // the list, and the server must load before it answers a call
      const r = await toolsListOverStdio(s.args, s.env, name === "bundled" ? "list_jobs" : undefined);
      /** @type {number[]} */ (ms[name]).push(r.ms);
      if (name === "bundled") {
        listed = r.tools;
        firstCall.push(/** @type {number} */ (r.callMs));
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
  const m = {
    bare: median(ms.bare ?? []),
    minimal: median(ms.minimal ?? []),
    minimalBundled: median(ms.minimalBundled ?? []),
    unbundled: median(ms.unbundled ?? []),
    bundled: median(ms.bundled ?? []),
    uncached: median(ms.uncached ?? []),
    sandbox: median(ms.sandbox ?? []),
  };
  const bare = m.bare;
  const ratio = (/** @type {keyof typeof m} */ k) => m[k] / bare;
  const chars = toolListChars(listed);
  const wire = JSON.stringify({ tools: listed }).length;
  const limit = toolListLimit();
  const round = (/** @type {number} */ x) => Math.round(x * 100) / 100;
  return [
    {
      name: "start-up, bundled, every vendor",
      value: round(ratio("bundled")),
      unit: "× bare node",
      goal: "≤ 2.0×",
      ok: ratio("bundled") <= 2.0,
      detail: `${f(m.bundled)} vs bare node -e '' ${f(bare)}; a call sent right after the list answered at ${f(median(firstCall))}; a first start (no compile cache yet) ${f(m.uncached)} (${ratio("uncached").toFixed(2)}×); unbundled ${f(m.unbundled)} (${ratio("unbundled").toFixed(2)}×), minimal SDK server ${f(m.minimal)} (${ratio("minimal").toFixed(2)}×), the same bundled ${f(m.minimalBundled)} (${ratio("minimalBundled").toFixed(2)}×: the floor of any server on this SDK and zod); medians of ${RUNS}`,
    },
    {
      name: "start-up, --sandbox",
      value: round(ratio("sandbox")),
      unit: "× bare node",
      goal: "≤ 3.0×",
      ok: ratio("sandbox") <= 3.0,
      detail: `${f(m.sandbox)} (bundled; answered early, the five simulators start after) vs bare node ${f(bare)}`,
    },
    {
      name: "tool list, every vendor",
      value: chars,
      unit: "chars",
      goal: `< ${limit.toLocaleString("en")}`,
      ok: chars < limit,
      detail: `${listed.length} tools, ≈ ${Math.round(chars / 4).toLocaleString("en")} tokens (chars / 4); the whole tools/list result on the wire (titles, annotations, output schemas) ${wire.toLocaleString("en")} chars`,
    },
  ];
}

/** The client-fit limit on the tool list, from the source of truth the test checks too. */
function toolListLimit() {
  const src = readFileSync(here("../test/integration/core/tool-list-size.test.ts"), "utf8");
  const m = /const TARGET = ([\d_]+);/.exec(src);
  if (!m) throw new Error("TARGET not found in test/integration/core/tool-list-size.test.ts");
  return Number(/** @type {string} */ (m[1]).replace(/_/g, ""));
}

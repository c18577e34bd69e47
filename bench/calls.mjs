#!/usr/bin/env node
// Issue 16, goals 2–4: what a call costs on top of the vendor's own work, measured on the BUILT
// server (dist/index.js, `npm run build` first) against the simulators, each run in a child
// process of its own so neither the server nor the simulator measures the other's memory or CPU.
//   2. per-call overhead: one Seedream call through MCP (SDK client over stdio, image embedded)
//      against the direct HTTP work it must do (POST, download, hash, save), medians, same simulator
//   3. memory while streaming: peak RSS growth of a fresh server streaming a 500 MB Animo video to
//      disk, and to an S3-compatible bucket (s3rver), first call, no forced GC (VmHWM after
//      resetting it through /proc/<pid>/clear_refs, with VmRSS sampled alongside)
//   4. concurrency: 1 000 concurrent calls over Streamable HTTP (Seedream, Seedance, Kling video),
//      twice: all at once against instant simulators (the queue behind the server's CPU), and in
//      flight at once against simulators with realistic times (see concurrency()): errors, p99
//      server overhead (call latency minus the simulator's own time for that call), peak RSS, open
//      files, sha256 of every output against what the simulator served
// Usage: `node --expose-gc bench/calls.mjs` (prints the figures; exits 1 when a goal is missed;
// BENCH_CALLS_ONLY=percall,disk,s3,concurrency,inflight picks runs, BENCH_CALLS the number of calls,
// BENCH_ARRIVAL_MS, BENCH_IMAGE_MS, BENCH_QUEUED_MS and BENCH_RUNNING_MS the in-flight timing,
// BENCH_CALLBACKS=1 gives aigc-mcp a public URL so the simulators call back, BENCH_TASKS=1 sends
// aigc-mcp its calls as MCP tasks) or
// `import { figures } from "./calls.mjs"`. Child mode: `node bench/calls.mjs --sim <id,…> <json opts>`.
// Nothing here touches the network beyond 127.0.0.1.
import { fork, spawn } from "node:child_process";
import { createServer } from "node:net";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** @typedef {import("./figure.mjs").Figure} Figure */

/** @param {string} p */
const dist = (p) => new URL(`../dist/${p}`, import.meta.url).href;
const ENTRY = fileURLToPath(dist("index.js"));
const SELF = fileURLToPath(import.meta.url);
const MB = 1024 * 1024;
/** @param {number[]} xs @param {number} q */
const quantile = (xs, q) => /** @type {number} */ ([...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]);
/** @param {number[]} xs */
const median = (xs) => quantile(xs, 0.5);
/** @param {Buffer | Uint8Array} b */
const sha256 = (b) => createHash("sha256").update(b).digest("hex");
/** The id in a simulator media URL (`/media/<id>.<ext>`). */
const mediaId = (/** @type {string} */ url) => /** @type {string} */ (new URL(url).pathname.split("/").pop()?.split(".")[0]);
const tmp = () => mkdtempSync(join(tmpdir(), "aigc-bench-"));
const fmt = (/** @type {number} */ n, d = 1) => n.toFixed(d);

// ---------------------------------------------------------------------------------------------
// Child mode: simulators in their own process. Records, per request, the simulator's own time
// (request received → response finished) and the sha256 of every media body it serves.

async function simChild() {
  const ids = (process.argv[3] ?? "").split(",");
  const options = JSON.parse(process.argv[4] ?? "{}");
  const { SimServer } = await import(dist("sandbox/sim-server.js"));
  /** @type {Map<object, [number, number]>} */
  const timing = new Map();
  /** @type {Record<string, string[]>} */
  const served = {};
  const proto = SimServer.prototype;
  const dispatch = proto.dispatch;
  proto.dispatch = function (/** @type {any} */ req, /** @type {any} */ res) {
    const t0 = performance.now();
    res.on("finish", () => timing.set(req.headers, [t0, performance.now()]));
    return dispatch.call(this, req, res);
  };
  const publish = proto.publish;
  proto.publish = function (/** @type {any} */ bytes, /** @type {string} */ mime, /** @type {number} */ ttl, /** @type {string} */ ext) {
    const get = typeof bytes === "function" ? bytes : () => bytes;
    /** @type {string} */
    let id = "";
    const url = publish.call(
      this,
      () => {
        const b = get();
        (served[id] ??= []).push(sha256(b));
        return b;
      },
      mime,
      ttl,
      ext,
    );
    id = mediaId(url);
    return url;
  };
  /** @type {any[]} */
  const sims = [];
  /** @type {Record<string, string>} */
  const env = {};
  for (const id of ids) {
    const { simulate } = await import(dist(`vendors/${id}/simulator.js`));
    const v = await simulate({ fast: true, options: options[id] ?? {} });
    sims.push(v.simulator.sim);
    Object.assign(env, v.env);
  }
  // the bench died (a server that failed to start throws): do not outlive it
  process.on("disconnect", () => process.exit(0));
  process.on("message", (/** @type {any} */ msg) => {
    if (msg.cmd === "stats") {
      // per simulator: a run's requests are each one's beyond what it had before (concatenated, the
      // first simulator's new requests would shift the others' old ones into the run)
      const requests = sims.map((s) =>
        s.requests.map((/** @type {any} */ r) => {
          const t = timing.get(r.headers);
          return {
            method: r.method,
            path: r.path,
            prompt: r.json?.prompt ?? r.json?.content?.find?.((/** @type {any} */ c) => c.type === "text")?.text,
            ms: t ? t[1] - t[0] : 0,
            at: t ? performance.timeOrigin + t[0] : 0,
          };
        }),
      );
      process.send?.({ requests, served });
    } else if (msg.cmd === "close") void Promise.all(sims.map((s) => s.close())).then(() => process.exit(0));
  });
  process.send?.({ env });
}

/** Starts simulators in a child process; resolves with their env, a stats() call and close(). */
async function startSims(/** @type {string[]} */ ids, options = {}) {
  const child = fork(SELF, ["--sim", ids.join(","), JSON.stringify(options)], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const next = () => new Promise((resolve) => child.once("message", resolve));
  const { env } = /** @type {{ env: Record<string, string> }} */ (await next());
  return {
    env,
    pid: child.pid,
    /** @returns {Promise<{ requests: Array<Array<{ method: string; path: string; prompt?: string; ms: number; at: number }>>; served: Record<string, string[]> }>} */
    stats: async () => {
      const p = next();
      child.send({ cmd: "stats" });
      return /** @type {any} */ (await p);
    },
    close: () => {
      child.send({ cmd: "close" });
      return new Promise((r) => child.once("exit", r));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The server process

const BASE_ENV = () => ({ PATH: process.env.PATH ?? "", HOME: tmp(), AIGC_MCP_OUTPUT_DIR: tmp(), AIGC_MCP_LOG_LEVEL: "warn" });

/** The built server over stdio, with the SDK client connected. */
async function stdioServer(/** @type {Record<string, string>} */ env, nodeArgs = /** @type {string[]} */ ([])) {
  const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
  const { StdioClientTransport } = await import("@modelcontextprotocol/sdk/client/stdio.js");
  const prof = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const transport = new StdioClientTransport({ command: process.execPath, args: [...prof, ...nodeArgs, ENTRY], env, stderr: "inherit" });
  const client = new Client({ name: "bench", version: "1" });
  await client.connect(transport);
  await client.listTools();
  return { client, pid: /** @type {number} */ (transport.pid), close: () => client.close() };
}

/** @param {number} pid @param {string} field VmRSS, VmHWM */
function procKiB(pid, field) {
  const m = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : NaN;
}
/** A process's CPU time in ms, user and system, from /proc/<pid>/stat (clock ticks of 10 ms). */
function cpuTimes(/** @type {number} */ pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return { user: Number(fields[11]) * 10, sys: Number(fields[12]) * 10 };
}
/** A process's CPU time (user + system) in ms. */
function cpuMs(/** @type {number} */ pid) {
  const { user, sys } = cpuTimes(pid);
  return user + sys;
}
/** Of that, the kernel's time on its behalf (system calls: files, sockets), in ms. */
const sysMs = (/** @type {number} */ pid) => cpuTimes(pid).sys;
/**
 * Samples a process's RSS (VmRSS) and open files (/proc/<pid>/fd) every `everyMs` until stopped,
 * in a worker thread: listing ~1 300 descriptors every 20 ms on the bench's own thread took ~1.3 s
 * of it in a 1 000-call run, time the clients timing the calls waited. With `port`, also its own
 * open files every 200 ms: those not accepted on `port` (its clients' sockets: socket inodes that
 * /proc/<pid>/net/tcp{,6} lists established on that local port, which the clients decide).
 * `stop()` resolves with the peaks.
 * @param {number} pid @param {number} everyMs @param {number} port
 * @returns {{ stop(): Promise<{ rssKiB: number; fds: number; own: number }> }}
 */
function sampler(pid, everyMs = 10, port = 0) {
  const code = `
    const { readdirSync, readFileSync, readlinkSync } = require("node:fs");
    const { parentPort, workerData: { pid, port, everyMs } } = require("node:worker_threads");
    const hex = ":" + port.toString(16).toUpperCase().padStart(4, "0");
    const peak = { rssKiB: 0, fds: 0, own: 0 };
    function sample() {
      try {
        const m = /VmRSS:\\s+(\\d+)/.exec(readFileSync("/proc/" + pid + "/status", "utf8"));
        if (m) peak.rssKiB = Math.max(peak.rssKiB, Number(m[1]));
        peak.fds = Math.max(peak.fds, readdirSync("/proc/" + pid + "/fd").length);
      } catch { /* the process is gone */ }
    }
    function countOwn() {
      try {
        const links = [];
        for (const fd of readdirSync("/proc/" + pid + "/fd")) {
          try { links.push(readlinkSync("/proc/" + pid + "/fd/" + fd)); } catch { /* closed meanwhile */ }
        }
        const accepted = new Set();
        for (const table of ["tcp", "tcp6"]) {
          let lines = [];
          try { lines = readFileSync("/proc/" + pid + "/net/" + table, "utf8").split("\\n").slice(1); } catch { continue; }
          for (const line of lines) {
            const cols = line.trim().split(/\\s+/);
            // listening sockets (state 0A) are the server's own; established ones on its port are clients'
            if (cols[1] && cols[1].endsWith(hex) && cols[3] !== "0A") accepted.add("socket:[" + cols[9] + "]");
          }
        }
        peak.own = Math.max(peak.own, links.filter((l) => !accepted.has(l)).length);
      } catch { /* the process is gone */ }
    }
    const both = () => (sample(), port && countOwn());
    const timers = [setInterval(sample, everyMs), port ? setInterval(countOwn, 200) : undefined];
    both();
    parentPort.once("message", () => { timers.forEach((t) => clearInterval(t)); both(); parentPort.postMessage(peak); });
  `;
  const worker = new Worker(code, { eval: true, workerData: { pid, port, everyMs } });
  return {
    stop: () =>
      new Promise((resolve, reject) => {
        worker.once("message", (peak) => void worker.terminate().then(() => resolve(peak)));
        worker.once("error", reject);
        worker.postMessage("stop");
      }),
  };
}

/** @param {any} result */
const structured = (result) => /** @type {any} */ (result.structuredContent);
/** @param {any} result */
function callError(result) {
  if (result.isError) return String(result.content?.[0]?.text ?? "error").split("\n")[0];
  const s = structured(result);
  if (s?.status !== "succeeded") return `job ${s?.status}: ${s?.error?.message ?? s?.detail ?? ""}`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Goal 2: per-call overhead

async function perCall() {
  const sims = await startSims(["ark"], { ark: { imageDelayMs: 0, maxRenderEdge: 1024 } });
  const server = await stdioServer({ ...BASE_ENV(), ...sims.env, AIGC_MCP_DELIVERY: "embed" });
  const dir = tmp();
  const args = { prompt: "a lighthouse at dusk", size: "1024x1024", watermark: false };
  let model = "";
  const viaMcp = async () => {
    const t0 = performance.now();
    const r = await server.client.callTool({ name: "seedream_generate_image", arguments: args });
    const ms = performance.now() - t0;
    const err = callError(r);
    if (err) throw new Error(`seedream_generate_image: ${err}`);
    model = structured(r).model;
    return ms;
  };
  let n = 0;
  const direct = async () => {
    const t0 = performance.now();
    const res = await fetch(`${sims.env.ARK_BASE_URL}/images/generations`, {
      method: "POST",
      headers: { authorization: `Bearer ${sims.env.ARK_API_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ model, prompt: args.prompt, size: args.size, response_format: "url", watermark: false }),
    });
    const body = /** @type {any} */ (await res.json());
    const img = Buffer.from(await (await fetch(body.data[0].url)).arrayBuffer());
    const hash = sha256(img);
    await writeFile(join(dir, `direct-${n++}-${hash.slice(0, 8)}.jpeg`), img);
    return performance.now() - t0;
  };
  await viaMcp(); // first call: lazy imports, the model check
  for (let i = 0; i < 3; i++) {
    await direct();
    await viaMcp();
  }
  const mcp = [];
  const raw = [];
  for (let i = 0; i < 21; i++) {
    raw.push(await direct());
    mcp.push(await viaMcp());
  }
  await server.close();
  await sims.close();
  rmSync(dir, { recursive: true, force: true });
  const ratio = median(mcp) / median(raw);
  /** @type {Figure} */
  const fig = {
    name: "per-call overhead: one Seedream call through MCP (stdio, embedded) / the direct HTTP work",
    value: Number(ratio.toFixed(2)),
    unit: "× direct",
    goal: "≤ 1.5×",
    ok: ratio <= 1.5,
    detail: `medians of 21: MCP ${fmt(median(mcp), 2)} ms, direct ${fmt(median(raw), 2)} ms (POST, download, sha256, save)`,
  };
  return [fig];
}

// ---------------------------------------------------------------------------------------------
// Goal 3: memory while streaming

const VIDEO_BYTES = 500 * 1000 * 1000;

async function streaming(/** @type {"disk" | "s3"} */ target) {
  const sims = await startSims(["animo"], {
    animo: { renderMs: 0, chunkDelayMs: 0, chunkBytes: 64 * 1024, padToBytes: VIDEO_BYTES },
  });
  /** @type {Record<string, string>} */
  let s3env = {};
  /** @type {undefined | { close(): Promise<void> }} */
  let s3;
  if (target === "s3") {
    const started = await startS3();
    s3 = started;
    s3env = started.env;
  }
  const env = { ...BASE_ENV(), ...sims.env, ...s3env, AIGC_MCP_DELIVERY: "link" };
  const server = await stdioServer(env, process.env.BENCH_NODE_ARGS?.split(" ") ?? []);
  await new Promise((r) => setTimeout(r, 300)); // let start-up settle
  if (process.env.BENCH_WARM_STREAM) {
    await server.client.callTool({ name: "animo_generate_video", arguments: { prompt: "warm-up", duration: 4 } });
    await new Promise((r) => setTimeout(r, 1000));
  }
  const base = procKiB(server.pid, "VmRSS");
  writeFileSync(`/proc/${server.pid}/clear_refs`, "5"); // resets VmHWM to the current RSS
  const sample = sampler(server.pid, 5);
  const t0 = performance.now();
  const r = await server.client.callTool({ name: "animo_generate_video", arguments: { prompt: "a red circle", duration: 4 } });
  const ms = performance.now() - t0;
  const { rssKiB } = await sample.stop();
  const hwm = procKiB(server.pid, "VmHWM");
  const err = callError(r);
  const asset = structured(r)?.assets?.[0];
  await server.close();
  await sims.close();
  await s3?.close();
  if (err) throw new Error(`animo_generate_video (${target}): ${err}`);
  if (asset?.bytes !== VIDEO_BYTES) throw new Error(`animo_generate_video (${target}): saved ${asset?.bytes} bytes, not ${VIDEO_BYTES}`);
  if (target === "s3" && asset.storage !== "s3") throw new Error("animo_generate_video (s3): the output did not reach the bucket");
  const growth = (Math.max(hwm, rssKiB) - base) / 1024;
  /** @type {Figure} */
  const fig = {
    name: `memory while streaming a 500 MB video to ${target === "s3" ? "disk and the bucket (s3rver)" : "disk"}: peak RSS growth`,
    value: Number(growth.toFixed(2)),
    unit: "MiB",
    goal: "≤ 16 MB (15.26 MiB)",
    ok: growth <= 16e6 / MB,
    detail: `fresh server, first call: RSS ${fmt(base / 1024)} MiB before, peak ${fmt(Math.max(hwm, rssKiB) / 1024)} MiB; ${fmt(ms / 1000, 2)} s (${fmt(VIDEO_BYTES / MB / (ms / 1000), 0)} MiB/s)`,
  };
  return fig;
}

async function startS3() {
  // test/helpers/s3.ts is TypeScript; the bench runs plain node, so s3rver is used directly (no SigV4 proxy).
  const { default: S3rver } = await import("s3rver");
  const dir = tmp();
  // s3rver checks signatures with its own pair (S3RVER/S3RVER); the server refuses a secret equal to its key id.
  const s3rver = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory: dir,
    configureBuckets: [{ name: "bench" }],
    allowMismatchedSignatures: true,
  });
  const { port } = await s3rver.run();
  return {
    env: {
      AIGC_MCP_S3_BUCKET: "bench",
      AIGC_MCP_S3_ENDPOINT: `http://127.0.0.1:${port}`,
      AIGC_MCP_S3_REGION: "us-east-1",
      AIGC_MCP_S3_FORCE_PATH_STYLE: "true",
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "bench-secret-key",
    },
    close: async () => {
      await s3rver.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Goal 4: concurrency

const CALLS = Number(process.env.BENCH_CALLS ?? 1000);
const CLIENTS = 10;
const CLIENT_CONNECTIONS = 20;

/**
 * The URL an HTTP server child logs on stderr once it listens (`"url":"…"`, or a bare /mcp URL);
 * rejects with what it logged when it exits first.
 * @param {import("node:child_process").ChildProcess} child
 * @param {string} name for the error
 * @returns {Promise<string>}
 */
function listeningUrl(child, name) {
  return new Promise((resolve, reject) => {
    let buf = "";
    child.stderr?.on("data", (d) => {
      buf += d;
      const m = /"url":"([^"]+)"/.exec(buf) ?? /(http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(buf);
      if (m) resolve(/** @type {string} */ (m[1]));
    });
    child.once("exit", (code) => reject(new Error(`${name} exited (${code}): ${buf}`)));
  });
}

/** Server processes this bench started, killed if it exits before stopping them (an error thrown mid-run). */
const spawned = new Set();
process.on("exit", () => {
  for (const child of spawned) child.kill();
});

/**
 * Starts `node <args>` (killed if the bench exits first) and resolves once it logs its URL.
 * @param {string[]} args @param {string} name for errors @param {Record<string, string>} [env]
 */
async function listening(args, name, env) {
  const child = spawn(process.execPath, args, { ...(env ? { env } : {}), stdio: ["ignore", "ignore", "pipe"] });
  spawned.add(child);
  child.once("exit", () => spawned.delete(child));
  return { child, url: await listeningUrl(child, name) };
}

/** The built server over Streamable HTTP on a free port. */
async function httpServer(/** @type {Record<string, string>} */ env) {
  const prof = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(" ") ?? [];
  const { child, url } = await listening([...prof, ...nodeArgs, ENTRY], "the server", {
    AIGC_MCP_PORT: "0",
    ...env,
    AIGC_MCP_TRANSPORT: "http",
    AIGC_MCP_HOST: "127.0.0.1",
    AIGC_MCP_LOG_LEVEL: "info",
  });
  return {
    url,
    pid: /** @type {number} */ (child.pid),
    close: () => (child.kill("SIGTERM"), new Promise((r) => child.once("exit", r))),
  };
}

/**
 * CLIENTS MCP clients (SDK Client, Streamable HTTP), each with its own undici pool of `connections`.
 * @param {string} url
 * @param {number} connections
 */
async function httpClients(url, connections) {
  const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
  const { StreamableHTTPClientTransport } = await import("@modelcontextprotocol/sdk/client/streamableHttp.js");
  const { Agent, fetch: ufetch } = await import("undici");
  /** @type {import("@modelcontextprotocol/sdk/client/index.js").Client[]} */
  const clients = [];
  for (let i = 0; i < CLIENTS; i++) {
    const dispatcher = new Agent({ connections });
    const client = new Client({ name: `bench-${i}`, version: "1" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        fetch: /** @type {any} */ ((/** @type {any} */ u, /** @type {any} */ init) => ufetch(u, { ...init, dispatcher })),
      }),
    );
    clients.push(client);
  }
  return clients;
}

/** The minimal SDK server (bench/minimal-http-server.mjs) on a free port: its URL, pid and a stop(). */
async function minimalServer() {
  const { child, url } = await listening([fileURLToPath(new URL("./minimal-http-server.mjs", import.meta.url))], "the minimal server");
  return {
    url,
    pid: /** @type {number} */ (child.pid),
    stop: () => {
      child.removeAllListeners("exit");
      child.kill();
    },
  };
}

/**
 * The floor of goal 4's burst: the same number of calls at once, from the same clients, to a minimal
 * SDK server's no-op tool (bench/minimal-http-server.mjs): latency p99 and the server's CPU per
 * call, what any server on this SDK and machine costs before it does any work of its own.
 */
async function floorBurst() {
  const server = await minimalServer();
  const clients = await httpClients(server.url, CLIENT_CONNECTIONS);
  await clients[0]?.callTool({ name: "echo", arguments: { text: "warm-up" } });
  const cpu0 = cpuMs(server.pid);
  const lat = await Promise.all(
    Array.from({ length: CALLS }, async (_, i) => {
      const s = performance.now();
      await clients[i % CLIENTS]?.callTool({ name: "echo", arguments: { text: `call ${i}` } }, undefined, { timeout: 300_000 });
      return performance.now() - s;
    }),
  );
  const cpu = cpuMs(server.pid) - cpu0;
  await Promise.all(clients.map((c) => c.close()));
  server.stop();
  return { p50: median(lat), p99: quantile(lat, 0.99), cpuPerCall: cpu / CALLS };
}

/**
 * The floor of goal 4 in flight: the same calls, arriving the same way from the same clients and
 * connections, to the minimal SDK server, whose `wait` tool answers after the simulator's time of
 * each call (an image's render, a video task's queue and run). Overhead = latency minus that wait:
 * what any Streamable HTTP server on this SDK and machine adds at this arrival rate, and the open
 * files it needs to hold the calls (a socket per call in flight over HTTP/1.1), before any work of its own.
 * @param {number} connections per client
 */
async function floorInflight(connections) {
  const server = await minimalServer();
  const clients = await httpClients(server.url, connections);
  await clients[0]?.callTool({ name: "wait", arguments: { ms: 0 } });
  const cpu0 = cpuMs(server.pid);
  const sample = sampler(server.pid, 20, Number(new URL(server.url).port));
  const overheads = await Promise.all(
    Array.from({ length: CALLS }, async (_, i) => {
      const ms = isImageCall(i) ? IMAGE_MS : QUEUED_MS + RUNNING_MS;
      await arrival(i);
      const s = performance.now();
      await clients[i % CLIENTS]?.callTool({ name: "wait", arguments: { ms } }, undefined, { timeout: 300_000 });
      return performance.now() - s - ms;
    }),
  );
  const cpu = cpuMs(server.pid) - cpu0;
  const { rssKiB, fds, own } = await sample.stop();
  await Promise.all(clients.map((c) => c.close()));
  server.stop();
  return { p50: median(overheads), p99: quantile(overheads, 0.99), cpuPerCall: cpu / CALLS, fds, own, rssMiB: rssKiB / 1024 };
}

/**
 * Two runs of the same mix over Streamable HTTP:
 * - "burst": every call sent at once against instant simulators (no queue, no render time): what a
 *   burst costs, i.e. the queue behind the server's CPU per call.
 * - "inflight": the goal's words, 1 000 calls in flight at once: the calls arrive over
 *   ARRIVAL_MS and the simulators take realistic times (an image answers after IMAGE_MS, a video
 *   task is queued QUEUED_MS then runs RUNNING_MS), so every call is still running when the last
 *   one arrives. The simulator's own time of a call is what the vendor spends on it: a synchronous
 *   call's request (with its render time) and download; a task's create, its duration (from the
 *   create's arrival until it is done), the poll that reports it done and the download. Everything
 *   else is overhead, including the wait from a task being done to the server's next poll of it
 *   (the poll interval), which is also given on its own.
 */
const CALLBACKS = process.env.BENCH_CALLBACKS === "1";
/**
 * BENCH_TASKS=1: aigc-mcp (AIGC_MCP_TASKS=true) gets each call as an MCP task, which holds no
 * connection while it runs: created, polled with tasks/get at the interval the server gives, then
 * fetched with tasks/result (the SDK's own task client does the same); its clients then need no
 * connection per call. The wait from a task being done to the client's next tasks/get counts as
 * overhead, as a client waits it.
 */
const TASKS = process.env.BENCH_TASKS === "1";

/**
 * One call as an MCP task (BENCH_TASKS=1).
 * @param {import("@modelcontextprotocol/sdk/client/index.js").Client} client @param {{ name: string; arguments: Record<string, unknown> }} call
 */
async function taskCall(client, call) {
  const { CreateTaskResultSchema } = await import("@modelcontextprotocol/sdk/experimental/tasks/types.js");
  const { CallToolResultSchema } = await import("@modelcontextprotocol/sdk/types.js");
  const options = { timeout: 300_000 };
  const { task } = await client.request({ method: "tools/call", params: { ...call, task: {} } }, CreateTaskResultSchema, options);
  let t = task;
  while (t.status === "working" || t.status === "input_required") {
    await new Promise((r) => setTimeout(r, t.pollInterval ?? 1000));
    t = await client.experimental.tasks.getTask(task.taskId, options);
  }
  return client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema, options);
}
/** A port nothing listens on now. */
const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = /** @type {import("node:net").AddressInfo} */ (s.address());
      s.close(() => resolve(port));
    });
  });
const ARRIVAL_MS = Number(process.env.BENCH_ARRIVAL_MS ?? 3000);
const IMAGE_MS = Number(process.env.BENCH_IMAGE_MS ?? 5000);
const QUEUED_MS = Number(process.env.BENCH_QUEUED_MS ?? 2000);
const RUNNING_MS = Number(process.env.BENCH_RUNNING_MS ?? 4000);
/** The mix, by call index: 3 in 5 are Seedream images; the others videos (Seedance, then Kling). */
const isImageCall = (/** @type {number} */ i) => i % 5 < 3;
/** In flight, call `i` is sent this long after the first: evenly over ARRIVAL_MS. */
const arrival = (/** @type {number} */ i) => new Promise((r) => setTimeout(r, (i * ARRIVAL_MS) / CALLS));

/** The mix's call `i`: 3 in 5 Seedream images, then a Seedance and a Kling video. */
const callOf = (/** @type {number} */ i) => {
  const prompt = `bench call ${i}: a fox in snow`;
  if (isImageCall(i)) return { name: "seedream_generate_image", arguments: { prompt, size: "1K", watermark: false, wait_seconds: 120 } };
  if (i % 5 === 3) return { name: "seedance_generate_video", arguments: { prompt, duration: 5, wait_seconds: 120 } };
  return { name: "kling_text_to_video", arguments: { prompt, duration: "5", wait_seconds: 120 } };
};

/**
 * aigc-mcp (the built server) over HTTP, for runMix.
 * @param {boolean} inflight @param {Record<string, string>} simsEnv @param {string} outDir
 */
async function aigcServer(inflight, simsEnv, outDir) {
  // BENCH_CALLBACKS=1: a public URL, so the simulators call back (vendor task callbacks); the rows say so
  const port = CALLBACKS ? await freePort() : 0;
  /** @type {Record<string, string>} */
  const callbacks = CALLBACKS
    ? { AIGC_MCP_PORT: String(port), AIGC_MCP_PUBLIC_URL: `http://127.0.0.1:${port}`, AIGC_MCP_MEDIA_URL_SECRET: "bench-".padEnd(40, "0") }
    : {};
  return httpServer({
    ...callbacks,
    ...BASE_ENV(),
    ...simsEnv,
    AIGC_MCP_OUTPUT_DIR: outDir,
    AIGC_MCP_DELIVERY: "link",
    ...(TASKS ? { AIGC_MCP_TASKS: "true" } : {}),
    // every call in flight holds a connection (the default cap is 256)
    ...(inflight ? { AIGC_MCP_MAX_CONNECTIONS: String(CALLS + 100) } : {}),
  });
}

/**
 * The work floor (bench/work-server.mjs) over HTTP, for runMix: the same vendor work with undici,
 * and nothing else.
 * @param {boolean} _inflight @param {Record<string, string>} simsEnv @param {string} outDir
 */
async function workServer(_inflight, simsEnv, outDir) {
  const { child, url } = await listening([fileURLToPath(new URL("./work-server.mjs", import.meta.url))], "the work server", {
    PATH: process.env.PATH ?? "",
    ...simsEnv,
    OUT_DIR: outDir,
  });
  return {
    url,
    pid: /** @type {number} */ (child.pid),
    close: () => (child.kill("SIGTERM"), new Promise((r) => child.once("exit", r))),
  };
}

/**
 * Goal 4's two runs, each against aigc-mcp and against the work floor.
 * @param {"burst" | "inflight"} mode
 */
async function concurrency(mode) {
  const inflight = mode === "inflight";
  const own = await runMix(inflight, aigcServer);
  const work = await runMix(inflight, workServer);
  return rows(inflight, own, work);
}

/**
 * One run of the mix against the server `start` makes, with simulators of its own: each call's
 * latency and overhead (latency minus the simulator's own time for it), the outputs checked against
 * what the simulator served, and the server's CPU, peak RSS and open files.
 * @param {boolean} inflight
 * @param {(inflight: boolean, simsEnv: Record<string, string>, outDir: string) => Promise<{ url: string; pid: number; close(): Promise<unknown> }>} start
 */
async function runMix(inflight, start) {
  const tasks = inflight ? { queuedMs: QUEUED_MS, runningMs: RUNNING_MS } : { queuedMs: 0, runningMs: 0 };
  // Kling's per-pack parallel limit lifted: the figure is about this server, not a vendor quota.
  const sims = await startSims(["ark", "kling"], {
    ark: { ...tasks, imageDelayMs: inflight ? IMAGE_MS : 0 },
    kling: { ...tasks, maxParallelVideo: CALLS, maxParallelImage: CALLS },
  });
  const outDir = tmp();
  const server = await start(inflight, sims.env, outDir);
  // Over HTTP/1.1 a Streamable HTTP call holds its connection until its answer: for every call to be
  // in flight at the server at once, the clients need a connection per call, and one more for the
  // stream each session's client keeps open for the server's messages (a GET), without which each
  // session's last call waited ~5 s for a connection (1% of the calls: the p99).
  const asTasks = TASKS && start === aigcServer;
  const connections = inflight && !asTasks ? Math.ceil(CALLS / CLIENTS) + 1 : CLIENT_CONNECTIONS;
  const clients = await httpClients(server.url, connections);
  // one warm-up call of each kind (lazy imports, model checks), not counted
  for (const i of [0, 3, 4]) {
    const r = await clients[0]?.callTool({ ...callOf(i), arguments: { ...callOf(i).arguments, prompt: `warm-up ${i}` } }, undefined, {
      timeout: 300_000,
    });
    const err = callError(r);
    if (err) throw new Error(`warm-up ${callOf(i).name}: ${err}`);
  }
  const before = await sims.stats();
  const cpu0 = cpuMs(server.pid);
  const sys0 = sysMs(server.pid);
  const simCpu0 = cpuMs(/** @type {number} */ (sims.pid));
  const clientCpu0 = process.cpuUsage();
  const sample = sampler(server.pid, 20, Number(new URL(server.url).port));
  const t0 = performance.now();
  const results = await Promise.all(
    Array.from({ length: CALLS }, async (_, i) => {
      const c = callOf(i);
      if (inflight) await arrival(i);
      const s = performance.now();
      try {
        const client = /** @type {import("@modelcontextprotocol/sdk/client/index.js").Client} */ (clients[i % CLIENTS]);
        const r = asTasks ? await taskCall(client, c) : await client.callTool(c, undefined, { timeout: 300_000 });
        return { i, start: s, ms: performance.now() - s, r, err: callError(r) };
      } catch (e) {
        return { i, start: s, ms: performance.now() - s, r: undefined, err: String(e) };
      }
    }),
  );
  const wall = performance.now() - t0;
  const cpu = cpuMs(server.pid) - cpu0;
  const sys = sysMs(server.pid) - sys0;
  const simCpu = cpuMs(/** @type {number} */ (sims.pid)) - simCpu0;
  const clientUsage = process.cpuUsage(clientCpu0);
  const clientCpu = (clientUsage.user + clientUsage.system) / 1000;
  const { rssKiB, fds, own } = await sample.stop();
  const stats = await sims.stats();
  const requests = stats.requests.flatMap((list, k) => list.slice(before.requests[k]?.length ?? 0));
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
  await sims.close();

  const errors = results.filter((x) => x.err);
  // the simulator's own time per call: its create/POST (by prompt), its polls (by task id), its downloads (by media id)
  /** @type {Map<string, number>} */
  const byPrompt = new Map();
  /** @type {Map<string, number>} */
  const byPathPart = new Map();
  /** @type {Map<string, number>} when each call's create arrived (absolute ms) */
  const createdAt = new Map();
  /** @type {Map<string, Array<{ at: number; ms: number }>>} the polls of each task path */
  const polls = new Map();
  for (const q of requests) {
    if (q.prompt) {
      byPrompt.set(q.prompt, (byPrompt.get(q.prompt) ?? 0) + q.ms);
      createdAt.set(q.prompt, q.at);
    } else {
      byPathPart.set(q.path, (byPathPart.get(q.path) ?? 0) + q.ms);
      if (q.method === "GET" && !q.path.includes("/media/")) polls.set(q.path, [...(polls.get(q.path) ?? []), { at: q.at, ms: q.ms }]);
    }
  }
  const overheads = [];
  /** from a call's send to its create reaching the simulator (clocks of both processes: epoch ms) */
  const toCreate = [];
  /** overhead without the wait for the next poll of a finished task */
  const ownWork = [];
  const pollWaits = [];
  let wrongHash = 0;
  let duplicates = 0;
  const seen = new Set();
  for (const x of results) {
    if (x.err || !x.r) continue;
    const s = structured(x.r);
    const prompt = callOf(x.i).arguments.prompt;
    let simMs = byPrompt.get(prompt) ?? 0;
    let pollWait = 0;
    const task = s.vendor_task_id;
    // a task's duration counts from its create's arrival (known for every create the simulator saw)
    const timed = inflight && createdAt.has(prompt);
    if (task && !timed) for (const [p, ms] of byPathPart) if (p.includes(task)) simMs += ms;
    if (task && timed) {
      // the task's duration from its create's arrival, and the poll that found it done
      const ready = (createdAt.get(prompt) ?? 0) + QUEUED_MS + RUNNING_MS;
      const done = [...polls]
        .filter(([p]) => p.includes(task))
        .flatMap(([, list]) => list)
        .find((q) => q.at >= ready);
      simMs = ready - (createdAt.get(prompt) ?? ready) + (done?.ms ?? 0);
      pollWait = done ? done.at - ready : 0;
    }
    for (const a of s.assets) {
      const id = mediaId(a.url);
      simMs += byPathPart.get(new URL(a.url).pathname) ?? 0;
      const hashes = stats.served[id] ?? [];
      const onDisk = sha256(readFileSync(a.path));
      if (!hashes.includes(a.sha256) || onDisk !== a.sha256) wrongHash++;
      if (seen.has(a.path)) duplicates++;
      seen.add(a.path);
    }
    const created = createdAt.get(prompt);
    if (created) toCreate.push(created - (performance.timeOrigin + x.start));
    overheads.push(x.ms - simMs);
    ownWork.push(x.ms - simMs - pollWait);
    if (task && timed) pollWaits.push(pollWait);
  }
  const saved = readdirSync(outDir).filter((n) => /\.(jpe?g|png|mp4)$/.test(n) && !n.startsWith("."));
  // the warm-up calls saved 3 files
  const extra = saved.length - 3 - seen.size;
  rmSync(outDir, { recursive: true, force: true });
  const p99 = overheads.length ? quantile(overheads, 0.99) : NaN;
  const lat = results.map((x) => x.ms);
  const rssMiB = rssKiB / 1024;
  const lastStart = Math.max(...results.map((x) => x.start));
  const doneEarly = results.filter((x) => x.start + x.ms < lastStart).length;
  const timing = inflight
    ? `arriving over ${fmt(ARRIVAL_MS / 1000, 0)} s; images take ${fmt(IMAGE_MS / 1000, 0)} s, video tasks are queued ${fmt(QUEUED_MS / 1000, 0)} s and run ${fmt(RUNNING_MS / 1000, 0)} s; ${doneEarly} finished before the last one arrived`
    : "all at once; instant tasks";
  // only aigc-mcp takes callbacks (the work floor polls)
  const callbacksNote =
    (CALLBACKS && start === aigcServer ? "; with vendor task callbacks (BENCH_CALLBACKS=1)" : "") +
    (asTasks ? "; as MCP tasks, polled with tasks/get (BENCH_TASKS=1)" : "");
  const mix = `${CALLS} calls (${(CALLS * 3) / 5} Seedream, ${CALLS / 5} Seedance, ${CALLS / 5} Kling video; ${timing}${callbacksNote}) from ${CLIENTS} sessions × ${connections} connections`;
  // the simulators and the clients share the machine's cores with the server
  const cpuLine = `server CPU ${fmt(cpu / CALLS, 1)} ms per call (${fmt(sys / CALLS, 1)} of it system calls: files and sockets; ${fmt(cpu / 1000, 1)} s in ${fmt(wall / 1000, 1)} s wall; on the same cores the simulators took ${fmt(simCpu / CALLS, 1)} ms per call and the bench's clients ${fmt(clientCpu / CALLS, 1)} ms)`;
  const byTool = `by tool p50 ${["seedream", "seedance", "kling"].map((k) => `${k} ${fmt(median(results.filter((x) => callOf(x.i).name.startsWith(k)).map((x) => x.ms)), 0)}`).join(", ")} ms`;
  const faults = errors.length + wrongHash + duplicates + Math.max(0, extra);
  return {
    errors,
    wrongHash,
    duplicates,
    extra,
    faults,
    overheads,
    ownWork,
    toCreate,
    pollWaits,
    p99,
    lat,
    rssMiB,
    fds,
    own,
    mix,
    cpuLine,
    byTool,
    wall,
    cpu,
    sys,
    connections,
  };
}

/** How the floors were sent the calls: with BENCH_TASKS=1 as plain calls, a connection each (they have no tasks). */
const SAME_WAY = TASKS ? "sent the same calls as plain calls" : "sent the same calls the same way";

/**
 * The rows of one mode: aigc-mcp's figures, with the floor (no work) and the work floor beside them.
 * @param {boolean} inflight @param {Awaited<ReturnType<typeof runMix>>} m @param {Awaited<ReturnType<typeof runMix>>} work
 */
async function rows(inflight, m, work) {
  const workLine = `the work floor, a minimal SDK server whose tools do the same vendor work with undici (create, polls on the same schedule, download, sha256, save) and nothing else, ${SAME_WAY}: overhead p50 ${fmt(median(work.overheads), 0)} ms, p99 ${fmt(work.p99, 0)} ms${inflight ? ` (without poll waits p99 ${fmt(quantile(work.ownWork, 0.99), 0)} ms)` : ""}, CPU ${fmt(work.cpu / CALLS, 2)} ms per call (system ${fmt(work.sys / CALLS, 2)}), peak RSS ${fmt(work.rssMiB, 0)} MiB, open files ${work.fds} (own ${work.own})${work.faults ? `, ${work.faults} faults${work.errors[0] ? ` (first: ${work.errors[0].err})` : ""}` : ""}`;
  if (inflight) {
    const f = `concurrency, ${CALLS === 1000 ? "1 000" : CALLS} calls in flight:`;
    // the floor's calls are plain calls: a connection each, as the work floor's (m's are tasks with BENCH_TASKS=1)
    const floor = await floorInflight(work.connections);
    const floorLine = `the floor, a minimal SDK server whose tool waits each call's simulator time, ${SAME_WAY}: overhead p50 ${fmt(floor.p50, 0)} ms, p99 ${fmt(floor.p99, 0)} ms, CPU ${fmt(floor.cpuPerCall, 2)} ms per call`;
    return [
      {
        name: `${f} failed calls, wrong or duplicated outputs`,
        value: m.faults,
        unit: "faults",
        goal: "0",
        ok: m.faults === 0,
        detail: `${m.mix}: ${m.errors.length} errors${m.errors[0] ? ` (first: ${m.errors[0].err})` : ""}, ${m.wrongHash} sha256 mismatches, ${m.duplicates} duplicates, ${m.extra} files beyond the results; wall ${fmt(m.wall / 1000, 2)} s`,
      },
      {
        name: `${f} p99 server overhead per call (latency minus the simulator's own time, poll waits included)`,
        value: Number(fmt(m.p99, 0)),
        unit: "ms",
        goal: "≤ 50 ms",
        ok: m.p99 <= 50,
        detail: `simulator's own time: a Seedream request (its ${fmt(IMAGE_MS / 1000, 0)} s render) and download; a video task's create-to-done time, the poll that saw it done and the download. Overhead p50 ${fmt(median(m.overheads), 0)} ms; without the wait from a task being done to the server's next poll of it (the poll interval backs off from 1 s; wait p50 ${fmt(median(m.pollWaits), 0)} ms, p99 ${fmt(quantile(m.pollWaits, 0.99), 0)} ms): p50 ${fmt(median(m.ownWork), 0)} ms, p99 ${fmt(quantile(m.ownWork, 0.99), 0)} ms; from a call's send to its create reaching the simulator p50 ${fmt(median(m.toCreate), 0)} ms, p99 ${fmt(quantile(m.toCreate, 0.99), 0)} ms (the work floor's p50 ${fmt(median(work.toCreate), 0)} ms, p99 ${fmt(quantile(work.toCreate, 0.99), 0)} ms); ${m.byTool}; ${m.cpuLine}; ${floorLine}; ${workLine}`,
      },
      {
        name: `${f} server peak RSS`,
        value: Number(fmt(m.rssMiB, 0)),
        unit: "MiB",
        goal: "≤ 300 MB",
        ok: m.rssMiB * MB <= 300e6,
        detail: `${m.mix}; the floor (minimal SDK server, same calls${TASKS ? " as plain calls" : ""}): ${fmt(floor.rssMiB, 0)} MiB`,
      },
      {
        name: `${f} server open files (peak)`,
        value: m.fds,
        unit: "files",
        goal: "≤ 600",
        ok: m.fds <= 600,
        detail: `/proc/<pid>/fd, sampled every 20 ms; its own (all but its clients' connections, up to ${m.connections * CLIENTS}): peak ${m.own}; the floor (minimal SDK server, same calls${TASKS ? " as plain calls" : ""}): ${floor.fds} files, its own ${floor.own}`,
      },
    ];
  }
  const floor = await floorBurst();
  const floorLine = `the floor, a minimal SDK server with one no-op tool sent the same ${CALLS} calls at once: p50 ${fmt(floor.p50, 0)} ms, p99 ${fmt(floor.p99, 0)} ms, CPU ${fmt(floor.cpuPerCall, 2)} ms per call`;
  return [
    {
      name: "concurrency: failed calls, wrong or duplicated outputs",
      value: m.faults,
      unit: "faults",
      goal: "0",
      ok: m.faults === 0,
      detail: `${m.mix}: ${m.errors.length} errors${m.errors[0] ? ` (first: ${m.errors[0].err})` : ""}, ${m.wrongHash} sha256 mismatches, ${m.duplicates} duplicates, ${m.extra} files beyond the results; wall ${fmt(m.wall / 1000, 2)} s`,
    },
    {
      name: "concurrency: p99 server overhead per call (latency minus the simulator's own time)",
      value: Number(fmt(m.p99, 0)),
      unit: "ms",
      goal: "≤ 50 ms",
      ok: m.p99 <= 50,
      detail: `overhead p50 ${fmt(median(m.overheads), 0)} ms; ${m.byTool}; call latency p50 ${fmt(median(m.lat), 0)} ms, p99 ${fmt(quantile(m.lat, 0.99), 0)} ms; ${m.cpuLine}; ${floorLine}; ${workLine}`,
    },
    {
      name: "concurrency: server peak RSS",
      value: Number(fmt(m.rssMiB, 0)),
      unit: "MiB",
      goal: "≤ 300 MB",
      ok: m.rssMiB * MB <= 300e6,
      detail: m.mix,
    },
    {
      name: "concurrency: server open files (peak)",
      value: m.fds,
      unit: "files",
      goal: "≤ 600",
      ok: m.fds <= 600,
      detail: `/proc/<pid>/fd, sampled every 20 ms; its own (all but its clients' connections, up to ${m.connections * CLIENTS}): peak ${m.own}`,
    },
  ];
}

/** @returns {Promise<Figure[]>} */
export async function figures() {
  const only = process.env.BENCH_CALLS_ONLY?.split(",");
  const want = (/** @type {string} */ k) => !only || only.includes(k);
  /** @type {Figure[]} */
  const out = [];
  if (want("percall")) out.push(...(await perCall()));
  if (want("disk")) out.push(await streaming("disk"));
  if (want("s3")) out.push(await streaming("s3"));
  if (want("concurrency")) out.push(...(await concurrency("burst")));
  if (want("inflight")) out.push(...(await concurrency("inflight")));
  return out;
}

if (process.argv[2] === "--sim") await simChild();
else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figs = await figures();
  for (const f of figs)
    console.log(`${f.ok ? "ok  " : "MISS"} ${f.name}: ${f.value} ${f.unit} (goal ${f.goal})${f.detail ? `\n       ${f.detail}` : ""}`);
  process.exitCode = figs.every((f) => f.ok) ? 0 : 1;
}

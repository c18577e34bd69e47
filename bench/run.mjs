#!/usr/bin/env node
// Benchmarks, reported as ratios measured side by side in one run (absolute times vary by machine).
//   1. media download: the streaming MediaStore vs a naive buffered download of the same file
//      (peak memory growth and wall time)
//   2. start-up: time to a tools/list answer over stdio, aigc-mcp vs a bare SDK server
// Usage: npm run bench   (builds first). Nothing here touches the network beyond 127.0.0.1.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

/** @param {string} p */
const dist = (p) => new URL(`../dist/${p}`, import.meta.url).href;
const { SimServer } = await import(dist("sandbox/sim-server.js"));
const { MediaStore } = await import(dist("media/store.js"));
const { makeMp4 } = await import(dist("sandbox/media-fixtures.js"));

const MB = 1024 * 1024;
/** @param {number[]} xs */
const median = (xs) => /** @type {number} */ ([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);

/** @param {() => Promise<unknown>} fn */
async function peakDuring(fn) {
  globalThis.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { ms, growth: peak - base };
}

async function downloads() {
  const size = 96 * MB;
  const video = makeMp4({ width: 64, height: 64, seconds: 1, padBytes: size });
  const sim = new SimServer("bench", () => ({ status: 404 }));
  await sim.start();
  const url = sim.publish(video, "video/mp4", 3600, "mp4");
  const dir = mkdtempSync(join(tmpdir(), "aigc-bench-"));
  const store = new MediaStore(dir, 1024 * MB);
  const streamed = [];
  const buffered = [];
  for (let i = 0; i < 3; i++) {
    buffered.push(
      await peakDuring(async () => {
        const res = await fetch(url);
        const buf = Buffer.from(await res.arrayBuffer());
        writeFileSync(join(dir, `naive-${i}.mp4`), buf);
      }),
    );
    streamed.push(await peakDuring(() => store.saveFromUrl(url, { stem: `stream-${i}`, expect: "video", vendor: "bench" })));
  }
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
  const s = { ms: median(streamed.map((x) => x.ms)), growth: median(streamed.map((x) => x.growth)) };
  const b = { ms: median(buffered.map((x) => x.ms)), growth: median(buffered.map((x) => x.growth)) };
  console.log(
    `download ${size / MB} MiB: streaming memory growth / buffered = ${(s.growth / b.growth).toFixed(3)} (${(s.growth / MB).toFixed(1)} MiB vs ${(b.growth / MB).toFixed(1)} MiB)`,
  );
  console.log(`download ${size / MB} MiB: streaming time / buffered = ${(s.ms / b.ms).toFixed(2)} (streaming also hashes and sniffs)`);
}

/** @param {string} command @param {string[]} args */
async function timeToToolsList(command, args) {
  const t0 = performance.now();
  const client = new Client({ name: "bench", version: "1" });
  await client.connect(
    new StdioClientTransport({
      command,
      args,
      env: {
        PATH: process.env.PATH ?? "",
        AIGC_MCP_OUTPUT_DIR: mkdtempSync(join(tmpdir(), "aigc-bench-")),
        ARK_API_KEY: "bench-key-000000000000",
      },
      stderr: "ignore",
    }),
  );
  await client.listTools();
  const ms = performance.now() - t0;
  await client.close();
  return ms;
}

async function startup() {
  const bare = join(mkdtempSync(join(tmpdir(), "aigc-bench-")), "bare.mjs");
  /** @param {string} p */
  const sdk = (p) => new URL(`../node_modules/@modelcontextprotocol/sdk/dist/esm/${p}`, import.meta.url).href;
  writeFileSync(
    bare,
    `import { McpServer } from ${JSON.stringify(sdk("server/mcp.js"))};
     import { StdioServerTransport } from ${JSON.stringify(sdk("server/stdio.js"))};
     const s = new McpServer({ name: "bare", version: "1" });
     s.registerTool("noop", { description: "noop" }, async () => ({ content: [] }));
     await s.connect(new StdioServerTransport());`,
  );
  const entry = fileURLToPath(dist("index.js"));
  const ours = [];
  const base = [];
  for (let i = 0; i < 5; i++) {
    base.push(await timeToToolsList(process.execPath, [bare]));
    ours.push(await timeToToolsList(process.execPath, [entry]));
  }
  console.log(`start-up to tools/list: aigc-mcp / bare SDK server = ${(median(ours) / median(base)).toFixed(2)}`);
}

await downloads();
await startup();

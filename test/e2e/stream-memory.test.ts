/**
 * Issue 16, goal 3: the memory a streamed download leaves behind is bounded by the V8 settings the
 * entry applies first and the media store turns on for a large output (src/net/v8-flags.ts), and
 * only for a large one (goal 4: they cost small outputs CPU). A child process streams 128 MiB through the built
 * MediaStore.saveStream in 64 KiB chunks that each have an ArrayBuffer of their own (as socket reads
 * deliver them), yielding to the event loop between chunks, and reports the most ArrayBuffer memory
 * alive at once. No timing is measured: the figure depends on how often V8 scavenges, not on speed.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/harness.js";

const DIST = new URL("../../dist/", import.meta.url).href;

const CHILD = `
const [distUrl, dir, withFlags] = process.argv.slice(1);
const { Readable } = await import("node:stream");
const { createHash } = await import("node:crypto");
const CHUNK = 65536;
const chunks = 128 * 16;
const sent = createHash("sha256");
let max = 0;
async function* body() {
  for (let i = 0; i < chunks; i++) {
    const chunk = Buffer.allocUnsafeSlow(CHUNK);
    chunk.fill(i & 255);
    if (i === 0) {
      chunk.writeUInt32BE(24, 0);
      chunk.write("ftypisommp42", 4, "latin1");
      chunk.writeUInt32BE(CHUNK - 24, 24);
      chunk.write("free", 28, "latin1");
    }
    sent.update(chunk);
    max = Math.max(max, process.memoryUsage().arrayBuffers);
    yield chunk;
    await new Promise((r) => setImmediate(r));
  }
}
if (withFlags === "1") {
  await import(new URL("net/v8-flags.js", distUrl).href);
  const { MediaStore } = await import(new URL("media/store.js", distUrl).href);
  const store = new MediaStore(dir, 2 ** 40);
  await store.init();
  const asset = await store.saveStream(Readable.from(body()), { stem: "s", expect: "video", vendor: "test" });
  console.log(JSON.stringify({ mib: max / 2 ** 20, sha256: asset.sha256 === sent.digest("hex"), bytes: asset.bytes === chunks * CHUNK }));
} else {
  // The same stream to a file with Node's own streams and V8's defaults.
  const { pipeline } = await import("node:stream/promises");
  const { createWriteStream } = await import("node:fs");
  await pipeline(Readable.from(body()), createWriteStream(dir + "/s.mp4"));
  console.log(JSON.stringify({ mib: max / 2 ** 20, sha256: true, bytes: true }));
}
`;

/**
 * Saves 300 small images (64 KiB, as a Seedream call's) through the built MediaStore and counts the
 * scavenges; "always" sets the streaming trigger for the whole process, as the entry once did.
 */
const SMALL = `
const [distUrl, dir, always] = process.argv.slice(1);
const { PerformanceObserver } = await import("node:perf_hooks");
const { setFlagsFromString } = await import("node:v8");
const { STREAMING_TRIGGER } = await import(new URL("net/v8-flags.js", distUrl).href);
const { MediaStore } = await import(new URL("media/store.js", distUrl).href);
const { makePng } = await import(new URL("sandbox/media-fixtures.js", distUrl).href);
const { Readable } = await import("node:stream");
if (always === "1") setFlagsFromString("--minor-gc-task-trigger=" + STREAMING_TRIGGER);
const store = new MediaStore(dir, 2 ** 40);
await store.init();
const png = makePng(128, 128);
const image = Buffer.concat([png, Buffer.alloc(65536 - png.length)]);
let scavenges = 0;
new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.detail?.kind === 1) scavenges++; }).observe({ entryTypes: ["gc"] });
for (let i = 0; i < 300; i++) {
  await store.saveStream(Readable.from([image.subarray(0, 30000), image.subarray(30000)]), { stem: "i" + i, expect: "image", vendor: "test" });
  await new Promise((r) => setImmediate(r));
}
await new Promise((r) => setTimeout(r, 50));
console.log(JSON.stringify({ scavenges }));
`;

function stream(withFlags: boolean): { mib: number; sha256: boolean; bytes: boolean } {
  const dir = tempDir();
  dirs.push(dir);
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", CHILD, DIST, dir, withFlags ? "1" : "0"], { encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").pop()!) as { mib: number; sha256: boolean; bytes: boolean };
}
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("memory while streaming (built modules)", () => {
  it("keeps at most a few MiB of chunks alive while 128 MiB stream to disk, with the bytes intact", () => {
    const r = stream(true);
    expect(r.sha256 && r.bytes).toBe(true);
    expect(r.mib).toBeLessThan(8);
  });

  it("applies them first: the server's first import is the V8 settings module", () => {
    const entry = readFileSync(new URL("../../src/main.ts", import.meta.url), "utf8");
    expect(/^import .+$/m.exec(entry)?.[0]).toMatch(/^import "\.\/net\/v8-flags\.js";/);
  });

  it("owes the bound to the V8 settings: with V8's defaults dead chunks pile up between scavenges", () => {
    // Node 20: ~3 MiB with them, ~32 without; Node 24's V8 scavenges more often by itself (~16 without).
    expect(stream(false).mib).toBeGreaterThan(2 * stream(true).mib);
  });

  it("keeps V8's scavenge schedule for small outputs: the frequent one costs every call CPU", () => {
    const scavenges = (always: boolean) => {
      const dir = tempDir();
      dirs.push(dir);
      const out = execFileSync(process.execPath, ["--input-type=module", "-e", SMALL, DIST, dir, always ? "1" : "0"], { encoding: "utf8" });
      return (JSON.parse(out.trim().split("\n").pop()!) as { scavenges: number }).scavenges;
    };
    const small = scavenges(false);
    const always = scavenges(true);
    expect(small * 4).toBeLessThan(always);
  });
});

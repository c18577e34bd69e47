import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleOf } from "../../../helpers/job-handle.js";
import { logLines, startHarness, structured, tempDir, text, type Harness } from "../../../helpers/harness.js";
import { jobOf, mark } from "../../../helpers/results.js";

const MB = 1024 * 1024;

describe("animo_generate_video (sync mode, in-process)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ animo: { hugeBytes: 8 * MB } });
  });
  afterAll(() => h.close());

  it("streams the MP4 body to the output folder", async () => {
    const before = mark(h.sandbox.animo);
    const r = await h.call("animo_generate_video", {
      prompt: "a kite over the sea",
      duration: 4,
      style: "cartoon",
      resolution: "720x480",
      wait_seconds: 20,
    });
    expect(r.isError).toBeFalsy();
    const s = jobOf(r);
    expect(s).toMatchObject({ status: "succeeded", vendor: "animo" });
    expect(s.assets).toHaveLength(1);
    expect(s.assets[0]!.mime_type).toBe("video/mp4");
    expect(s.assets[0]!.path!.startsWith(h.dir)).toBe(true);
    expect(s.assets[0]!.duration_s).toBeCloseTo(4, 1);
    expect(s.assets[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(before.since().map((q) => q.json)).toEqual([
      { prompt: "a kite over the sea", duration: 4, style: "cartoon", resolution: "720x480" },
    ]);
  });

  it("returns a job handle when the render outlives wait_seconds, and wait_for_job finishes it", async () => {
    const started = Date.now();
    const r = await h.call("animo_generate_video", { prompt: "[slow] a long render", wait_seconds: 0 });
    expect(Date.now() - started).toBeLessThan(900); // the render takes 1 s in the fast sandbox
    const s = jobOf(r);
    expect(s.status).toBe("running");
    expect(text(r)).toMatch(/wait_for_job/);
    const done = jobOf(await h.call("wait_for_job", { job_id: s.job_id, wait_seconds: 20 }));
    expect(done.status).toBe("succeeded");
    expect(done.assets[0]!.mime_type).toBe("video/mp4");
  });

  it("rejects bad input before any network call", async () => {
    const before = mark(h.sandbox.animo);
    for (const args of [
      { prompt: "p", duration: 0 },
      { prompt: "p", duration: 61 },
      { prompt: "p", style: "noir" },
      { prompt: "p", resolution: "4k" },
      { prompt: "" },
      { duration: 5 },
    ]) {
      const r = await h.call("animo_generate_video", args);
      expect(r.isError).toBe(true);
    }
    const r = await h.call("animo_generate_video", { prompt: "p", style: "noir" });
    expect(text(r)).toMatch(/cinematic/);
    expect(before.since()).toHaveLength(0);
  });

  it("refuses a non-video answer with a clear error", async () => {
    const r = await h.call("animo_generate_video", { prompt: "[html] x", wait_seconds: 20 });
    expect(r.isError).toBe(true);
    expect(jobOf(r)).toMatchObject({ status: "failed", error: { code: "NotVideo" } });
    expect(text(r)).toMatch(/text\/html/);
    expect(jobOf(r).error!.request_id).toMatch(/^animo-/);
  });

  it("maps vendor errors to isError with code and what to change", async () => {
    const r = await h.call("animo_generate_video", { prompt: "[blocked] x", wait_seconds: 20 });
    expect(r.isError).toBe(true);
    expect(jobOf(r).error).toMatchObject({ code: "CONTENT_POLICY_VIOLATION" });
    expect(text(r)).toMatch(/What to do|Rephrase/);
    const f = await h.call("animo_generate_video", { prompt: "[fail] x", wait_seconds: 20 });
    expect(jobOf(f).error).toMatchObject({ code: "RENDER_FAILED" });
    expect(text(f)).toMatch(/not repeated automatically/);
  });

  it("fails a chunked body over AIGC_MCP_MAX_MEDIA_BYTES and leaves no partial file; the video was made, so it counts as spent", async () => {
    const prices = join(tempDir("aigc-prices-"), "prices.json");
    writeFileSync(prices, JSON.stringify({ animo: [{ model: "*", currency: "CNY", unit: "item", amount: 2 }] }));
    const small = await startHarness({
      env: { AIGC_MCP_MAX_MEDIA_BYTES: String(2 * MB), AIGC_MCP_PRICES_FILE: prices, AIGC_MCP_BUDGET: "daily:100CNY" },
      animo: { hugeBytes: 8 * MB },
    });
    try {
      for (const prompt of ["[huge] declared", "[huge-stream] chunked"]) {
        const r = await small.call("animo_generate_video", { prompt, wait_seconds: 20 });
        expect(r.isError).toBe(true);
        expect(jobOf(r).error).toMatchObject({ code: "MediaTooLarge" });
        expect(text(r)).toMatch(/AIGC_MCP_MAX_MEDIA_BYTES/);
        // Animo answered with the video (declared too large, or found so while streaming): never "not billed".
        expect(structured<{ cost?: Record<string, unknown> }>(r).cost, prompt).toMatchObject({ counted_as_spent: true });
        // Both say what is known alike: Animo made the video, so it is billed; no "may have reached".
        expect(text(r), prompt).toMatch(
          /^Error: MediaTooLarge .*over the 2097152-byte cap \(AIGC_MCP_MAX_MEDIA_BYTES\); Animo made it, so it is billed, but it was not saved\n/,
        );
        expect(text(r), prompt).toMatch(
          /\nWhat to do: Raise AIGC_MCP_MAX_MEDIA_BYTES, or ask for a smaller output \(shorter, lower resolution\)\./,
        );
        expect(text(r), prompt).toMatch(/\nCost: ¥2 estimated .*; counted as spent: the vendor made the output, so it bills it\./);
        expect(text(r), prompt).not.toMatch(/may have reached|may bill/);
      }
      const budget = structured<{ limits: Array<{ spent: number }> }>(await small.call("get_budget", {}));
      expect(budget.limits[0]!.spent).toBe(4);
      expect(readdirSync(small.dir).filter((n) => !n.startsWith(".aigc-mcp"))).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it("a wrong key is an auth error naming ANIMO_API_KEY, and the key never shows", async () => {
    const bad = await startHarness({ env: { ANIMO_API_KEY: "wrong-animo-key-0000001" } });
    try {
      const r = await bad.call("animo_generate_video", { prompt: "x", wait_seconds: 20 });
      expect(r.isError).toBe(true);
      expect(jobOf(r).error).toMatchObject({ code: "UNAUTHORIZED" });
      expect(text(r)).toMatch(/ANIMO_API_KEY/);
      expect(JSON.stringify(r)).not.toContain("wrong-animo-key-0000001");
      expect(JSON.stringify(r)).not.toContain(bad.sandbox.animo.apiKey);
    } finally {
      await bad.close();
    }
  });
});

describe("Animo secret hygiene", () => {
  it("never puts the Animo key in results or logs, in either mode", async () => {
    for (const mode of ["sync", "async"]) {
      const h = await startHarness({ env: { ANIMO_MODE: mode, AIGC_MCP_LOG_LEVEL: "debug" } });
      try {
        const key = h.sandbox.animo.apiKey;
        h.sandbox.animo.sim.inject({ kind: "status", status: 400, body: { error: `bad key ${key}`, code: "ECHO" } });
        const outputs = await Promise.all([
          h.call("animo_generate_video", { prompt: "leak test", wait_seconds: 20 }),
          h.call("animo_generate_video", { prompt: "ok", wait_seconds: 20 }),
          h.call("animo_generate_video", { prompt: "[blocked]", wait_seconds: 20 }),
        ]);
        const all = JSON.stringify(outputs) + logLines.join("\n");
        expect(all).not.toContain(key);
        expect(JSON.stringify(outputs)).toContain("[redacted]");
      } finally {
        await h.close();
      }
    }
  });
});

describe("animo_generate_video (ANIMO_MODE=async against the same simulator)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { ANIMO_MODE: "async" } });
  });
  afterAll(() => h.close());

  it("submits, polls the status endpoint and downloads videoUrl", async () => {
    const r = await h.call("animo_generate_video", { prompt: "a spinning torus", wait_seconds: 20 });
    expect(r.isError).toBeFalsy();
    const s = jobOf(r);
    expect(s.status).toBe("succeeded");
    expect(s.vendor_task_id).toMatch(/^[0-9a-f]{24}$/);
    expect(s.assets[0]!.mime_type).toBe("video/mp4");
    expect(s.assets[0]!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/media\//);
    const handle = await handleOf(h, s.job_id);
    expect(handle).toMatchObject({ vd: "animo", op: "video", task: s.vendor_task_id, x: { m: "async", e: h.sandbox.animo.endpoint } });
    const paths = h.sandbox.animo.sim.requests.map((q) => `${q.method} ${q.path}`);
    expect(paths).toContain("POST /animo/v1/video/generation");
    expect(paths).toContain(`GET /animo/v1/video/generation/status/${s.vendor_task_id}`);
  });

  it("refuses the sync-only fields before any call", async () => {
    const before = mark(h.sandbox.animo);
    const r = await h.call("animo_generate_video", { prompt: "x", style: "anime" });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/ANIMO_MODE=async/);
    expect(before.since()).toHaveLength(0);
  });

  it("reports a failed generation", async () => {
    const r = await h.call("animo_generate_video", { prompt: "[fail] x", wait_seconds: 20 });
    expect(r.isError).toBe(true);
    expect(jobOf(r)).toMatchObject({
      status: "failed",
      error: { code: "GenerationFailed", hint: expect.stringMatching(/^The vendor's message says why/) },
    });
    expect(text(r)).toMatch(/^Error: GenerationFailed .*\nWhat to do: The vendor's message says why the task failed: change what it names/);
  });
});

/**
 * The sync Animo answer is the video itself: it must go to disk as it arrives, never buffered
 * whole. A 256 MiB simulated body (a real MP4 padded with a `free` box, generated from one reused
 * buffer so the simulator itself allocates nothing per chunk) runs through the whole tool path.
 */
const BODY = 256 * MB;

describe("Animo sync body streaming", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      animo: { padToBytes: BODY, chunkDelayMs: 0, chunkBytes: 64 * 1024, renderMs: 10 },
      env: { AIGC_MCP_MAX_MEDIA_BYTES: String(512 * MB), AIGC_MCP_INLINE_MAX_BYTES: "0" },
    });
  });
  afterAll(() => h.close());

  it("writes a 256 MiB body to disk while it arrives, with RSS growth far below the body size", async () => {
    const sim = h.sandbox.animo;
    const partBytes = () =>
      readdirSync(h.dir)
        .filter((n) => n.endsWith(".part"))
        .reduce((sum, n) => sum + (statSync(join(h.dir, n), { throwIfNoEntry: false })?.size ?? 0), 0);
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    // The largest gap seen between what the simulator had sent and what was on disk.
    let maxInFlight = 0;
    let samples = 0;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
      const onDisk = partBytes();
      if (sim.sentBytes > 0 && onDisk > 0) {
        samples++;
        maxInFlight = Math.max(maxInFlight, sim.sentBytes - onDisk);
      }
    }, 5);
    let r;
    try {
      r = await h.call("animo_generate_video", { prompt: "a very long render", wait_seconds: 60 }, { timeout: 60_000 });
    } finally {
      clearInterval(timer);
    }
    const s = structured<{ status: string; assets: Array<{ bytes: number; mime_type: string }> }>(r);
    expect(s.status).toBe("succeeded");
    expect(s.assets[0]).toMatchObject({ bytes: BODY, mime_type: "video/mp4" });
    expect(sim.sentBytes).toBe(BODY);
    // The file grew during the transfer, and never lagged the sender by more than socket and stream buffers.
    expect(samples).toBeGreaterThan(3);
    // (measured: about 5 MiB, the socket and stream high-water marks.)
    expect(maxInFlight).toBeLessThan(16 * MB);
    // Buffering the body would add at least 256 MiB; streaming plateaus around 60 MiB of
    // not-yet-collected chunk garbage whatever the body size.
    expect(peak - baseline).toBeLessThan(BODY / 2);
  }, 60_000);
});

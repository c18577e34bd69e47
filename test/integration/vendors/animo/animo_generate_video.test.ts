import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeJobId } from "../../../../src/jobs/handle.js";
import { logLines, startHarness, structured, text, type Harness } from "../../../helpers/harness.js";

type Job = {
  job_id: string;
  status: string;
  vendor: string;
  vendor_task_id?: string;
  error?: { code: string; message: string; request_id?: string };
  assets: Array<{ path: string; mime_type: string; duration_s?: number; width?: number; sha256: string; url?: string }>;
};
const MB = 1024 * 1024;

describe("animo_generate_video (sync mode, in-process)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ animo: { hugeBytes: 8 * MB } });
  });
  afterAll(() => h.close());

  it("streams the MP4 body to the output folder", async () => {
    const before = h.sandbox.animo.sim.requests.length;
    const r = await h.call("animo_generate_video", {
      prompt: "a kite over the sea",
      duration: 4,
      style: "cartoon",
      resolution: "720x480",
      wait_seconds: 20,
    });
    expect(r.isError).toBeFalsy();
    const s = structured<Job>(r);
    expect(s).toMatchObject({ status: "succeeded", vendor: "animo" });
    expect(s.assets).toHaveLength(1);
    expect(s.assets[0]!.mime_type).toBe("video/mp4");
    expect(s.assets[0]!.path.startsWith(h.dir)).toBe(true);
    expect(s.assets[0]!.duration_s).toBeCloseTo(4, 1);
    expect(s.assets[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(h.sandbox.animo.sim.requests.slice(before).map((q) => q.json)).toEqual([
      { prompt: "a kite over the sea", duration: 4, style: "cartoon", resolution: "720x480" },
    ]);
  });

  it("returns a job handle when the render outlives wait_seconds, and wait_for_job finishes it", async () => {
    const started = Date.now();
    const r = await h.call("animo_generate_video", { prompt: "[slow] a long render", wait_seconds: 0 });
    expect(Date.now() - started).toBeLessThan(900); // the render takes 1 s in the fast sandbox
    const s = structured<Job>(r);
    expect(s.status).toBe("running");
    expect(text(r)).toMatch(/wait_for_job/);
    const done = structured<Job>(await h.call("wait_for_job", { job_id: s.job_id, wait_seconds: 20 }));
    expect(done.status).toBe("succeeded");
    expect(done.assets[0]!.mime_type).toBe("video/mp4");
  });

  it("rejects bad input before any network call", async () => {
    const before = h.sandbox.animo.sim.requests.length;
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
    expect(h.sandbox.animo.sim.requests.length).toBe(before);
  });

  it("refuses a non-video answer with a clear error", async () => {
    const r = await h.call("animo_generate_video", { prompt: "[html] x", wait_seconds: 20 });
    expect(r.isError).toBe(true);
    expect(structured<Job>(r)).toMatchObject({ status: "failed", error: { code: "NotVideo" } });
    expect(text(r)).toMatch(/text\/html/);
    expect(structured<Job>(r).error!.request_id).toMatch(/^animo-/);
  });

  it("maps vendor errors to isError with code and what to change", async () => {
    const r = await h.call("animo_generate_video", { prompt: "[blocked] x", wait_seconds: 20 });
    expect(r.isError).toBe(true);
    expect(structured<Job>(r).error).toMatchObject({ code: "CONTENT_POLICY_VIOLATION" });
    expect(text(r)).toMatch(/What to do|Rephrase/);
    const f = await h.call("animo_generate_video", { prompt: "[fail] x", wait_seconds: 20 });
    expect(structured<Job>(f).error).toMatchObject({ code: "RENDER_FAILED" });
    expect(text(f)).toMatch(/not repeated automatically/);
  });

  it("cancel_job stops a running render and aborts the vendor request", async () => {
    const r = structured<Job>(await h.call("animo_generate_video", { prompt: "[slow] cancel me", wait_seconds: 0 }));
    const find = () =>
      h.sandbox.animo.sim.requests.findLast((q) => (q.json as { prompt?: string } | undefined)?.prompt === "[slow] cancel me");
    for (let i = 0; i < 100 && !find(); i++) await new Promise((res) => setTimeout(res, 10));
    expect(find()).toBeDefined(); // the render is under way at the vendor
    const c = await h.call("cancel_job", { job_id: r.job_id });
    expect(structured(c)).toMatchObject({ status: "cancelled", cancelled: true });
    expect(text(c)).toMatch(/may still finish and bill/);
    for (let i = 0; i < 100 && !find()!.aborted; i++) await new Promise((res) => setTimeout(res, 10));
    expect(find()!.aborted).toBe(true);
  });

  it("fails a chunked body over AIGC_MCP_MAX_MEDIA_BYTES and leaves no partial file", async () => {
    const small = await startHarness({ env: { AIGC_MCP_MAX_MEDIA_BYTES: String(2 * MB) }, animo: { hugeBytes: 8 * MB } });
    try {
      for (const prompt of ["[huge] declared", "[huge-stream] chunked"]) {
        const r = await small.call("animo_generate_video", { prompt, wait_seconds: 20 });
        expect(r.isError).toBe(true);
        expect(structured<Job>(r).error).toMatchObject({ code: "MediaTooLarge" });
        expect(text(r)).toMatch(/AIGC_MCP_MAX_MEDIA_BYTES/);
      }
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
      expect(structured<Job>(r).error).toMatchObject({ code: "UNAUTHORIZED" });
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
    const s = structured<Job>(r);
    expect(s.status).toBe("succeeded");
    expect(s.vendor_task_id).toMatch(/^[0-9a-f]{24}$/);
    expect(s.assets[0]!.mime_type).toBe("video/mp4");
    expect(s.assets[0]!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/media\//);
    const handle = decodeJobId(s.job_id);
    expect(handle).toMatchObject({ vd: "animo", op: "video", task: s.vendor_task_id, x: { m: "async", e: h.sandbox.animo.endpoint } });
    const paths = h.sandbox.animo.sim.requests.map((q) => `${q.method} ${q.path}`);
    expect(paths).toContain("POST /animo/v1/video/generation");
    expect(paths).toContain(`GET /animo/v1/video/generation/status/${s.vendor_task_id}`);
  });

  it("refuses the sync-only fields before any call", async () => {
    const before = h.sandbox.animo.sim.requests.length;
    const r = await h.call("animo_generate_video", { prompt: "x", style: "anime" });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/ANIMO_MODE=async/);
    expect(h.sandbox.animo.sim.requests.length).toBe(before);
  });

  it("reports a failed generation", async () => {
    const r = await h.call("animo_generate_video", { prompt: "[fail] x", wait_seconds: 20 });
    expect(r.isError).toBe(true);
    expect(structured<Job>(r)).toMatchObject({ status: "failed", error: { code: "GenerationFailed" } });
  });

  it("resumes from the job id after a restart, and never polls another endpoint with the key", async () => {
    const r = structured<Job>(await h.call("animo_generate_video", { prompt: "[slow] resume me", wait_seconds: 0 }));
    expect(["queued", "running"]).toContain(r.status);
    await h.app.jobs.close(); // this server goes away before the video is ready
    const later = await h.restart();
    const other = await startHarness({ env: { ANIMO_MODE: "async" } }); // another Animo endpoint
    try {
      h.sandbox.animo.sim.advance(60_000);
      const done = structured<Job>(await later.call("wait_for_job", { job_id: r.job_id, wait_seconds: 20 }));
      expect(done.status).toBe("succeeded");
      expect(done.assets[0]!.mime_type).toBe("video/mp4");
      const job = structured<Job>(await later.call("animo_generate_video", { prompt: "[slow] elsewhere", wait_seconds: 0 }));
      const before = other.sandbox.animo.sim.requests.length;
      const x = await other.call("wait_for_job", { job_id: job.job_id, wait_seconds: 5 });
      expect(x.isError).toBe(true);
      expect(structured<Job>(x).error).toMatchObject({ code: "EndpointMismatch" });
      expect(text(x)).toContain(h.sandbox.animo.endpoint);
      expect(other.sandbox.animo.sim.requests.length).toBe(before);
    } finally {
      await other.close();
      await later.close();
    }
  });
});

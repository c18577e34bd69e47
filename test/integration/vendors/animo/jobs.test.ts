/** Animo jobs through the job tools: cancel_job aborts a sync render; an async job resumes after a restart, at its own endpoint only. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, startTestSandbox, structured, text, type Harness } from "../../../helpers/harness.js";
import { jobOf, mark } from "../../../helpers/results.js";

const MB = 1024 * 1024;

describe("animo_generate_video (sync mode, in-process)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ animo: { hugeBytes: 8 * MB } });
  });
  afterAll(() => h.close());

  it("cancel_job stops a running render and aborts the vendor request", async () => {
    const r = jobOf(await h.call("animo_generate_video", { prompt: "[slow] cancel me", wait_seconds: 0 }));
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

  it("cancel_job of a call whose video is already streaming keeps it: Animo answered, so it is billed", async () => {
    const slow = await startHarness({ animo: { hugeBytes: 8 * MB, chunkDelayMs: 6 } });
    try {
      const r = jobOf(await slow.call("animo_generate_video", { prompt: "[huge] keep me", wait_seconds: 0 }));
      let detail: string | undefined;
      for (let i = 0; i < 300 && detail !== "downloading results"; i++) {
        await new Promise((res) => setTimeout(res, 20));
        detail = structured<{ detail?: string }>(await slow.call("get_job", { job_id: r.job_id })).detail;
      }
      expect(detail).toBe("downloading results");
      const c = await slow.call("cancel_job", { job_id: r.job_id });
      expect(text(c)).toMatch(/^Animo has already answered, so the request is billed: its output is kept rather than thrown away/);
      expect(text(c)).not.toMatch(/may still finish/);
      // It waited for the save (up to 15 s), so it answers with the finished job and its file.
      expect(structured(c)).toMatchObject({ cancelled: false, status: "succeeded" });
      expect(jobOf(c).assets[0]!.bytes).toBeGreaterThan(8 * MB - 1);
    } finally {
      await slow.close();
    }
  });
});

describe("animo_generate_video (ANIMO_MODE=async against the same simulator)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { ANIMO_MODE: "async" } });
  });
  afterAll(() => h.close());

  it("resumes from the job id after a restart, and never polls another endpoint with the key", async () => {
    const r = jobOf(await h.call("animo_generate_video", { prompt: "[slow] resume me", wait_seconds: 0 }));
    expect(["queued", "running"]).toContain(r.status);
    await h.app.close(); // this server goes away before the video is ready
    const later = await h.restart();
    // Another Animo endpoint sharing the job records (a keyed job id resumes through its record).
    const otherSandbox = await startTestSandbox();
    const other = await startHarness({ env: { ANIMO_MODE: "async" }, existing: { sandbox: otherSandbox, dir: h.dir } });
    try {
      h.sandbox.animo.sim.advance(60_000);
      const done = jobOf(await later.call("wait_for_job", { job_id: r.job_id, wait_seconds: 20 }));
      expect(done.status).toBe("succeeded");
      expect(done.assets[0]!.mime_type).toBe("video/mp4");
      const job = jobOf(await later.call("animo_generate_video", { prompt: "[slow] elsewhere", wait_seconds: 0 }));
      const before = mark(other.sandbox.animo);
      const x = await other.call("wait_for_job", { job_id: job.job_id, wait_seconds: 5 });
      expect(x.isError).toBe(true);
      expect(jobOf(x).error).toMatchObject({ code: "EndpointMismatch" });
      expect(text(x)).toContain(h.sandbox.animo.endpoint);
      expect(before.since()).toHaveLength(0);
    } finally {
      await other.close();
      await otherSandbox.close();
      await later.close();
    }
  });
});

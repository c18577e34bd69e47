/** Refused, failed, expired and forgotten Jimeng tasks, through the image and video tools. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VisualSimulator } from "../../../../src/vendors/visual/simulator.js";
import { startHarness, text, type Harness } from "../../../helpers/harness.js";
import { jobOf } from "../../../helpers/results.js";

describe("Jimeng tools through the MCP server", () => {
  let h: Harness;
  let v: VisualSimulator;
  beforeAll(async () => {
    h = await startHarness();
    v = h.sandbox.visual;
  });
  afterAll(() => h.close());

  it("failures: input moderation, output moderation (done + 50511), expired and not_found end the job clearly", async () => {
    const blocked = await h.call("jimeng_generate_image", { prompt: "[blocked] x" });
    expect(blocked.isError).toBe(true);
    expect(text(blocked)).toMatch(/50412 \(Volcengine Visual, HTTP 400, request id \d{14}/);
    expect(text(blocked)).toMatch(/What to do: Rephrase/);
    const failedResult = await h.call("jimeng_generate_image", { prompt: "[fail] x" });
    const failed = jobOf(failedResult);
    expect(failed).toMatchObject({ status: "failed", error: { code: "50511", hint: "Generating again often passes." } });
    expect(text(failedResult).match(/again/g)).toHaveLength(1);
    expect(text(failedResult)).toMatch(/What to do: Generating again often passes\./);
    const expired = jobOf(await h.call("jimeng_generate_image", { prompt: "[expire] x" }));
    expect(expired).toMatchObject({ status: "expired", error: { code: "TaskExpired" } });
    const started = jobOf(await h.call("jimeng_generate_video", { prompt: "[slow] long", wait_seconds: 0 }));
    const later = await h.restart();
    try {
      // 13 hours later (the task's clock, not the signing clock, so later signatures stay fresh)
      for (const t of v.tasks.values()) t.createdMs -= 13 * 3600_000;
      const record = (await later.app.jobs.store.load(started.job_id))!;
      await later.app.jobs.store.save({ ...record, created_at: new Date(Date.now() - 13 * 3600_000).toISOString() });
      const gone = jobOf(await later.call("wait_for_job", { job_id: started.job_id, wait_seconds: 10 }));
      expect(gone).toMatchObject({ status: "expired", error: { code: "TaskNotFound", message: expect.stringMatching(/12 hours/) } });
    } finally {
      await later.close();
    }
  });
});

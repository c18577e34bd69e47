/** Kling jobs through the job tools: cancel_job, and resuming after a restart. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, structured, type Harness } from "../../../helpers/harness.js";
import { jobOf } from "../../../helpers/results.js";

describe("Kling tools", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ kling: { maxParallelVideo: 3 } });
  });
  afterAll(() => h.close());

  it("cancel_job says plainly that Kling cannot cancel", async () => {
    const started = jobOf(await h.call("kling_text_to_video", { prompt: "[slow] long", wait_seconds: 0 }));
    const c = await h.call("cancel_job", { job_id: started.job_id });
    expect(c.isError).toBeFalsy();
    expect(structured<{ cancelled: boolean; message: string }>(c)).toMatchObject({
      cancelled: false,
      message: expect.stringMatching(/Kling has no cancel endpoint/),
    });
  });

  it("a restarted server resumes a Kling job from its id alone", async () => {
    const started = jobOf(await h.call("kling_omni_image", { prompt: "resume me", n: 1, wait_seconds: 0 }));
    expect(["queued", "running"]).toContain(started.status);
    await h.app.close();
    const h2 = await h.restart();
    try {
      const done = jobOf(await h2.call("wait_for_job", { job_id: started.job_id, wait_seconds: 20 }));
      expect(done).toMatchObject({ status: "succeeded", vendor: "kling", vendor_task_id: started.vendor_task_id });
      expect(done.assets[0]!.mime_type).toBe("image/png");
    } finally {
      await h2.close();
    }
  });
});

/** A failed Kling task and a refused one, through two of the tools. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, text, type Harness } from "../../../helpers/harness.js";
import { jobOf } from "../../../helpers/results.js";

describe("Kling tools", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ kling: { maxParallelVideo: 3 } });
  });
  afterAll(() => h.close());

  it("a failed task and a content-safety rejection are clear errors", async () => {
    const f = await h.call("kling_text_to_video", { prompt: "[fail] storm", wait_seconds: 20 });
    expect(f.isError).toBe(true);
    expect(jobOf(f)).toMatchObject({ status: "failed", error: { code: "TaskFailed", hint: expect.stringMatching(/\S/) } });
    // The request id of Kling's answer that reported the failure (its envelope's request_id).
    const requestId = (jobOf(f).error as { request_id?: string }).request_id;
    expect(requestId).toMatch(/\S/);
    expect(text(f).split("\n")[0]).toContain(`request id ${requestId}`);
    // A moderation failure (risk control) says what to change, once.
    expect(text(f).match(/What to do:/g)).toHaveLength(1);
    const b = await h.call("kling_generate_image", { prompt: "[blocked] x" });
    expect(b.isError).toBe(true);
    expect(text(b)).toMatch(/1301.*What to do: .*content safety/s);
  });
});

/** A failed Kling task and a refused one, through two of the tools. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, structured, text, type Harness } from "../../../helpers/harness.js";

type Job = {
  job_id: string;
  status: string;
  vendor: string;
  model?: string;
  vendor_task_id?: string;
  assets: Array<{ path: string; mime_type: string; role?: string; expires_at?: string; url?: string }>;
  error?: { code: string; message: string };
};

describe("Kling tools", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ kling: { maxParallelVideo: 3 } });
  });
  afterAll(() => h.close());

  it("a failed task and a content-safety rejection are clear errors", async () => {
    const f = await h.call("kling_text_to_video", { prompt: "[fail] storm", wait_seconds: 20 });
    expect(f.isError).toBe(true);
    expect(structured<Job>(f)).toMatchObject({ status: "failed", error: { code: "TaskFailed" } });
    const b = await h.call("kling_generate_image", { prompt: "[blocked] x" });
    expect(b.isError).toBe(true);
    expect(text(b)).toMatch(/1301.*What to do: .*content safety/s);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KlingSimulator } from "../../../../src/vendors/kling/simulator.js";
import { startHarness, structured, type Harness } from "../../../helpers/harness.js";
import { JPG, PNG, rejectedBeforeAnyRequest } from "./helpers.js";

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
  let sim: KlingSimulator;
  beforeAll(async () => {
    h = await startHarness({ kling: { maxParallelVideo: 3 } });
    sim = h.sandbox.kling;
  });
  afterAll(() => h.close());

  const rejected = (name: string, args: Record<string, unknown>, pattern: RegExp) => rejectedBeforeAnyRequest(h, name, args, pattern);

  it("multi-image-to-video: 1-4 images, kling-v1-6 by default", async () => {
    const r = await h.call("kling_multi_image_to_video", {
      images: [PNG, JPG, "https://example.com/a.png"],
      prompt: "they meet",
      wait_seconds: 20,
    });
    expect(structured<Job>(r)).toMatchObject({ status: "succeeded", model: "kling-v1-6" });
    const sent = sim.sim.requests.filter((q) => q.path.endsWith("multi-image2video") && q.method === "POST").at(-1)!.json as {
      image_list: Array<{ image: string }>;
    };
    expect(sent.image_list[2]).toEqual({ image: "https://example.com/a.png" });
    await rejected("kling_multi_image_to_video", { images: [PNG, PNG, PNG, PNG, PNG], prompt: "x" }, /images/);
    await rejected("kling_multi_image_to_video", { images: [PNG], prompt: "x", model: "kling-v2-6" }, /not served/);
  });
});

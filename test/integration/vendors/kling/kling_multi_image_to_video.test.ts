import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KlingSimulator } from "../../../../src/vendors/kling/simulator.js";
import { startHarness, text, type Harness } from "../../../helpers/harness.js";
import { JPG, PNG, rejectedBeforeAnyRequest } from "./helpers.js";
import { jobOf, lastRequest } from "../../../helpers/results.js";

describe("Kling tools", () => {
  let h: Harness;
  let sim: KlingSimulator;
  beforeAll(async () => {
    h = await startHarness({ kling: { maxParallelVideo: 3 } });
    sim = h.sandbox.kling;
  });
  afterAll(() => h.close());

  const rejected = (name: string, args: Record<string, unknown>, pattern: RegExp) => rejectedBeforeAnyRequest(h, name, args, pattern);

  it("multi-image-to-video: 1-4 images as omni-video references, kling-v3-omni by default", async () => {
    const r = await h.call("kling_multi_image_to_video", {
      images: [PNG, JPG, "https://example.com/a.png"],
      prompt: "they meet",
      wait_seconds: 20,
    });
    expect(jobOf(r)).toMatchObject({ status: "succeeded", model: "kling-v3-omni" });
    expect(sim.sim.requests.some((q) => q.path.endsWith("multi-image2video"))).toBe(false);
    const sent = lastRequest(sim, (q) => q.path.endsWith("/omni-video") && q.method === "POST").json as {
      model_name: string;
      aspect_ratio: string;
      image_list: Array<{ image_url: string; type?: string }>;
    };
    expect(sent).toMatchObject({ model_name: "kling-v3-omni", aspect_ratio: "16:9" });
    expect(sent.image_list).toHaveLength(3);
    expect(sent.image_list[2]).toEqual({ image_url: "https://example.com/a.png" });
    expect(sent.image_list[0]!.image_url).not.toMatch(/^data:/);
    await rejected("kling_multi_image_to_video", { images: [PNG, PNG, PNG, PNG, PNG], prompt: "x" }, /images/);
    await rejected(
      "kling_multi_image_to_video",
      { images: [PNG], prompt: "x", model: "kling-v1-6" },
      /kling-v1-6 was retired by the vendor on 2026-09-15[\s\S]*omni-video: use kling-v3-omni/,
    );
    const other = await h.call("kling_multi_image_to_video", { images: [PNG], prompt: "x", model: "kling-v2-6" });
    expect(other.isError).toBe(true);
    expect(text(other)).toMatch(/Error: 1203 \(Kling, HTTP 404[\s\S]*kling-v2-6 is not supported by videos\/omni-video/);
  });
});

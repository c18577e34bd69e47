import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KlingSimulator } from "../../../../src/vendors/kling/simulator.js";
import { startHarness, type Harness } from "../../../helpers/harness.js";
import { JPG, PNG, refusedByKling, rejectedBeforeAnyRequest } from "./helpers.js";
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

  it("omni video: roles, elements, video reference and the count limits", async () => {
    const r = await h.call("kling_omni_video", {
      prompt: "<<<image_1>>> walks to <<<element_1>>>",
      images: [{ image: PNG, role: "first_frame" }, { image: JPG }],
      element_ids: ["9100000000000007919"],
      video: { url: "https://example.com/ref.mp4", refer_type: "feature", keep_original_sound: true },
      duration: 7,
      model: "kling-video-o1",
      wait_seconds: 20,
    });
    expect(jobOf(r)).toMatchObject({ status: "succeeded", model: "kling-video-o1" });
    const post = lastRequest(sim, (q) => q.path.endsWith("omni-video") && q.method === "POST");
    expect(post.body.toString()).toContain('"element_list":[{"element_id":9100000000000007919}]');
    expect(post.json).toMatchObject({
      duration: "7",
      image_list: [{ type: "first_frame" }, {}],
      video_list: [{ video_url: "https://example.com/ref.mp4", refer_type: "feature", keep_original_sound: "yes" }],
    });
    const five = Array.from({ length: 5 }, () => ({ image: PNG }));
    await rejected(
      "kling_omni_video",
      { prompt: "x", images: five, video: { url: "https://example.com/v.mp4" }, aspect_ratio: "1:1" },
      /at most 4 images when a video is given/,
    );
    await rejected(
      "kling_omni_video",
      { prompt: "x", images: five, element_ids: ["1", "2", "3"], aspect_ratio: "1:1" },
      /images \+ elements may be at most 7/,
    );
    await rejected("kling_omni_video", { prompt: "x" }, /aspect_ratio: is required/);
    // A video sent as its url alone is a reference (refer_type "feature"), which sets no aspect ratio:
    // the video is named first, with the form that edits it, before the missing aspect_ratio.
    for (const video of ["https://example.com/v.mp4", { url: "https://example.com/v.mp4" }])
      await rejected(
        "kling_omni_video",
        { prompt: "edit it", video },
        /^Error: InvalidInput: video: is a reference \(refer_type "feature", the default\), which sets no aspect ratio: to edit this video, send video as \{"url": …, "refer_type": "base"\}; to keep it a reference, give aspect_ratio \(16:9, 9:16, 1:1\)/,
      );
    await refusedByKling(
      h,
      "kling_omni_video",
      { prompt: "x", aspect_ratio: "16:9", duration: 7, model: "kling-video-o1" },
      /kling-video-o1 makes text-only and first-frame-only videos of 5 or 10 seconds/,
    );
    const v3 = await h.call("kling_omni_video", { prompt: "x", aspect_ratio: "16:9", duration: 15, wait_seconds: 20 });
    expect(jobOf(v3)).toMatchObject({ status: "succeeded", model: "kling-v3-omni" });
    await rejected("kling_omni_video", { prompt: "x", aspect_ratio: "16:9", video: { url: "ftp://x/v.mp4" } }, /video/);
  });

  it("omni video: duration says each model's seconds as the catalog and Kling's docs do (3.0 Omni 3-15, O1 3-10), and 15 s reaches Kling (issue 12 item 15)", async () => {
    const tool = (await h.client.listTools()).tools.find((t) => t.name === "kling_omni_video")!;
    const duration = (tool.inputSchema.properties as Record<string, { description: string; maximum: number }>).duration!;
    expect(duration.description).toContain("kling-v3-omni 3-15");
    expect(duration.description).toContain("kling-video-o1 3-10");
    // The range is a loose bound that only validates (src/tools/bounds.ts): not listed, and 15 s passes.
    expect(duration.maximum ?? Infinity).toBeGreaterThanOrEqual(15);
    const catalog = h.app.vendors.find((v) => v.id === "kling")!.models!.catalog!;
    const omni = catalog.find("kling-v3-omni")!;
    expect(catalog.capabilities(omni, "videos/omni-video").duration).toEqual({ min: 3, max: 15 });
    const r = await h.call("kling_omni_video", { prompt: "a lighthouse", aspect_ratio: "16:9", duration: 15, wait_seconds: 0 });
    expect(r.isError).toBeFalsy();
    expect(jobOf(r).warnings).toBeUndefined();
    expect(lastRequest(sim, (q) => q.path.endsWith("omni-video") && q.method === "POST").json).toMatchObject({
      model_name: "kling-v3-omni",
      duration: "15",
    });
  });
});

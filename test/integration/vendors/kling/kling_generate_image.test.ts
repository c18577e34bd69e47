import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../../../helpers/harness.js";
import { JPG, PNG, refusedByKling, rejectedBeforeAnyRequest } from "./helpers.js";
import { jobOf } from "../../../helpers/results.js";

describe("Kling tools", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ kling: { maxParallelVideo: 3 } });
  });
  afterAll(() => h.close());

  const rejected = (name: string, args: Record<string, unknown>, pattern: RegExp) => rejectedBeforeAnyRequest(h, name, args, pattern);
  const refused = (name: string, args: Record<string, unknown>, pattern: RegExp) => refusedByKling(h, name, args, pattern);

  it("generate image: n images on kling-v3 by default; the reference image rules (shape locally, per model at Kling)", async () => {
    const r = await h.call("kling_generate_image", { prompt: "a teapot", n: 2, aspect_ratio: "1:1", wait_seconds: 20 });
    const job = jobOf(r);
    expect(job).toMatchObject({ status: "succeeded", model: "kling-v3" });
    expect(job.assets.map((a) => a.mime_type)).toEqual(["image/png", "image/png"]);
    expect(r.content.some((c) => c.type === "resource")).toBe(true);
    await rejected("kling_generate_image", { prompt: "x", image_reference: "face" }, /needs a reference image/);
    await refused(
      "kling_generate_image",
      { prompt: "x", image: PNG, image_reference: "face" },
      /kling-v3\) does not take image_reference \(kling-v2-1 takes it\)/,
    );
    await rejected("kling_generate_image", { prompt: "x", image: PNG, negative_prompt: "y" }, /negative_prompt/);
    await rejected("kling_generate_image", { prompt: "x", n: 10 }, /n/);
    await refused("kling_generate_image", { prompt: "x", resolution: "4k" }, /kling-v3\) takes resolution 1k, 2k; got "4k"/);
    await rejected(
      "kling_generate_image",
      { prompt: "x", model: "kling-v1-5" },
      /kling-v1-5 was retired by the vendor on 2026-09-15; use kling-v3/,
    );
    const ok = await h.call("kling_generate_image", {
      prompt: "face",
      model: "kling-v2-1",
      image: JPG,
      image_reference: "subject",
      human_fidelity: 0.6,
      wait_seconds: 20,
    });
    expect(jobOf(ok).status).toBe("succeeded");
  });

  it("the simulator's outputs are >= 320 px a side, so they go back in as Kling inputs (Kling needs >= 300 px)", async () => {
    const wide = jobOf(await h.call("kling_generate_image", { prompt: "a wide view", aspect_ratio: "21:9", wait_seconds: 20 }));
    const video = jobOf(await h.call("kling_text_to_video", { prompt: "a clip", aspect_ratio: "9:16", wait_seconds: 30 }));
    for (const a of [...wide.assets, ...video.assets]) expect(Math.min(a.width!, a.height!), a.uri).toBeGreaterThanOrEqual(320);
    const chained = await h.call("kling_image_to_video", { image: wide.assets[0]!.uri, prompt: "pan", wait_seconds: 0 });
    expect(chained.isError, JSON.stringify(chained.content)).toBeFalsy();
  });
});

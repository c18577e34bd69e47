import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePng } from "../../../../src/sandbox/media-fixtures.js";
import type { KlingSimulator } from "../../../../src/vendors/kling/simulator.js";
import { startHarness, type Harness } from "../../../helpers/harness.js";
import { JPG, PNG, TINY, WIDE, refusedByKling, rejectedBeforeAnyRequest } from "./helpers.js";
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
  const refused = (name: string, args: Record<string, unknown>, pattern: RegExp) => refusedByKling(h, name, args, pattern);

  it("image-to-video: raw base64 (no data: prefix), local paths, a first frame required, no Kling 1.x options", async () => {
    const path = join(h.dir, "first.png");
    writeFileSync(path, makePng(320, 320, 9));
    const r = await h.call("kling_image_to_video", {
      image: path,
      prompt: "it moves",
      model: "kling-v2-5-turbo",
      image_tail: JPG,
      mode: "pro",
      wait_seconds: 20,
    });
    expect(jobOf(r)).toMatchObject({ status: "succeeded", model: "kling-v2-5-turbo" });
    const sent = lastRequest(sim, (q) => q.method === "POST" && q.path.endsWith("image2video")).json as Record<string, string>;
    expect(sent.image).toBe(makePng(320, 320, 9).toString("base64"));
    expect(sent.image_tail).not.toMatch(/^data:/);
    // What is missing is the first frame, with or without a last frame: no word of a last frame that was never given.
    const noFirst =
      /^Error: InvalidInput: image: is required: give the first frame to animate \(image_tail, the optional last frame, cannot stand in for it\)/;
    await rejected("kling_image_to_video", { prompt: "x" }, noFirst);
    await rejected("kling_image_to_video", { image_tail: PNG }, noFirst);
    // The motion brush and camera control were Kling 1.x options; no model still served takes them (catalog.ts).
    for (const retired of ["static_mask", "dynamic_masks", "camera_control", "cfg_scale"])
      await rejected(
        "kling_image_to_video",
        { image: PNG, [retired]: PNG },
        new RegExp(`${retired}: is not an argument of kling_image_to_video`),
      );
    await refused(
      "kling_image_to_video",
      { image: PNG, image_tail: PNG, model: "kling-v2-5-turbo", mode: "std" },
      /only supported at 1080p/,
    );
    await rejected("kling_image_to_video", { image: TINY }, /at least 300 px/);
    await rejected("kling_image_to_video", { image: WIDE }, /between 1:2.5 and 2.5:1/);
    await rejected("kling_image_to_video", { image: "data:image/gif;base64,R0lGODlhAQABAAAAACw=" }, /image\/gif|expected image|allowed/);
    await rejected("kling_image_to_video", { image: "/etc/passwd" }, /outside the allowed input folders/);
  });
});

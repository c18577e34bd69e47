import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePng } from "../../../../src/sandbox/media-fixtures.js";
import type { KlingSimulator } from "../../../../src/vendors/kling/simulator.js";
import { startHarness, structured, type Harness } from "../../../helpers/harness.js";
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

  it("image-to-video: raw base64 (no data: prefix), local paths, and the exclusive groups", async () => {
    const path = join(h.dir, "first.png");
    writeFileSync(path, makePng(320, 320, 9));
    const r = await h.call("kling_image_to_video", {
      image: path,
      prompt: "it moves",
      model: "kling-v2-5-turbo",
      static_mask: PNG,
      dynamic_masks: [
        {
          mask: JPG,
          trajectories: [
            { x: 1, y: 2 },
            { x: 30, y: 40 },
          ],
        },
      ],
      wait_seconds: 20,
    });
    // motion brush is a 1.x option no current model documents: advice only, Kling decides
    expect(jobOf(r)).toMatchObject({ status: "succeeded", model: "kling-v2-5-turbo" });
    expect(structured<{ warnings?: string[] }>(r).warnings?.join(" ")).toMatch(/static_mask|dynamic_masks/);
    const sent = lastRequest(sim, (q) => q.method === "POST" && q.path.endsWith("image2video")).json as Record<string, string>;
    expect(sent.image).toBe(makePng(320, 320, 9).toString("base64"));
    expect(sent.static_mask).not.toMatch(/^data:/);
    await rejected("kling_image_to_video", { prompt: "x" }, /give the first frame/);
    await rejected(
      "kling_image_to_video",
      { image: PNG, image_tail: PNG, camera_control: { type: "forward_up" } },
      /only one of: first\/last frame, motion brush, camera control/,
    );
    await rejected("kling_image_to_video", { image: PNG, static_mask: PNG, camera_control: { type: "forward_up" } }, /only one of/);
    await rejected("kling_image_to_video", { image_tail: PNG, static_mask: PNG }, /give the first frame/);
    await refused(
      "kling_image_to_video",
      { image: PNG, image_tail: PNG, model: "kling-v2-5-turbo", mode: "std" },
      /only supported at 1080p/,
    );
    await rejected("kling_image_to_video", { image: PNG, dynamic_masks: [{ mask: PNG, trajectories: [{ x: 1, y: 1 }] }] }, /trajectories/);
    await rejected("kling_image_to_video", { image: TINY }, /at least 300 px/);
    await rejected("kling_image_to_video", { image: WIDE }, /between 1:2.5 and 2.5:1/);
    await rejected("kling_image_to_video", { image: "data:image/gif;base64,R0lGODlhAQABAAAAACw=" }, /image\/gif|expected image|allowed/);
    await rejected("kling_image_to_video", { image: "/etc/passwd" }, /outside the allowed input folders/);
  });
});

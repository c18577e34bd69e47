import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KlingSimulator } from "../../../../src/vendors/kling/simulator.js";
import { startHarness, type Harness } from "../../../helpers/harness.js";
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

  it("multi-image-to-image (subject, scene and style images)", async () => {
    const m = await h.call("kling_multi_image_to_image", {
      subject_images: [PNG, JPG],
      scene_image: PNG,
      style_image: JPG,
      prompt: "together",
      wait_seconds: 20,
    });
    expect(jobOf(m).status).toBe("succeeded");
    const sent = lastRequest(sim, (q) => q.path.endsWith("multi-image2image")).json as { subject_image_list: unknown[] };
    expect(sent.subject_image_list).toHaveLength(2);
    await rejected("kling_multi_image_to_image", { subject_images: [] }, /subject_images/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../../../helpers/harness.js";
import { PNG, refusedByKling, rejectedBeforeAnyRequest } from "./helpers.js";
import { jobOf, lastRequest } from "../../../helpers/results.js";

describe("Kling tools", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ kling: { maxParallelVideo: 3 } });
  });
  afterAll(() => h.close());

  const rejected = (name: string, args: Record<string, unknown>, pattern: RegExp) => rejectedBeforeAnyRequest(h, name, args, pattern);

  it("omni image (series)", async () => {
    const s = await h.call("kling_omni_image", {
      prompt: "a comic strip of <<<image_1>>>",
      images: [PNG],
      result_type: "series",
      series_amount: 3,
      aspect_ratio: "auto",
      wait_seconds: 20,
    });
    const job = jobOf(s);
    expect(job.status).toBe("succeeded");
    expect(job.assets.map((a) => a.role)).toEqual(["series", "series", "series"]);
    await rejected("kling_omni_image", { prompt: "x", images: Array(8).fill(PNG), element_ids: ["1", "2", "3"] }, /at most 10/);
    await rejected("kling_omni_image", { prompt: "x", result_type: "series", n: 2 }, /series_amount/);
    await rejected("kling_omni_image", { prompt: "x", series_amount: 3 }, /only applies with result_type/);
    const fourK = await h.call("kling_omni_image", {
      prompt: "x",
      resolution: "4k",
      series_auto: true,
      result_type: "series",
      wait_seconds: 20,
    });
    expect(jobOf(fourK)).toMatchObject({ status: "succeeded", model: "kling-v3-omni" });
    const sent = lastRequest(h.sandbox.kling, (r) => r.method === "POST" && r.path.includes("/omni-image")).json;
    expect(sent).toMatchObject({ series_amount: "auto" });
    expect(sent).not.toHaveProperty("series_auto");
    await rejected(
      "kling_omni_image",
      { prompt: "x", result_type: "series", series_amount: 3, series_auto: true },
      /series_auto.*not both/,
    );
    await refusedByKling(
      h,
      "kling_omni_image",
      { prompt: "x", resolution: "4k", model: "kling-image-o1" },
      /kling-image-o1\) takes resolution 1k, 2k; got "4k"/,
    );
  });
});

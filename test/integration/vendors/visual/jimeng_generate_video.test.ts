/** jimeng_generate_video: the inputs pick the endpoint family and its default; per-model rules advise instead of refusing. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePng } from "../../../../src/sandbox/media-fixtures.js";
import type { VisualSimulator } from "../../../../src/vendors/visual/simulator.js";
import { startHarness, structured, text, type Harness } from "../../../helpers/harness.js";

type Job = { status: string; model?: string; warnings?: string[]; assets: Array<{ mime_type: string }> };
const FRAME = "https://example.com/frame.png";

describe("jimeng_generate_video", () => {
  let h: Harness;
  let v: VisualSimulator;
  beforeAll(async () => {
    h = await startHarness();
    v = h.sandbox.visual;
  });
  afterAll(() => h.close());

  const lastSubmit = () =>
    v.sim.requests.filter((r) => r.query.get("Action") === "CVSync2AsyncSubmitTask").at(-1)!.json as Record<string, unknown>;

  it("defaults by inputs: 3.0 Pro for text or one frame, the 1080P first+last key for two frames, the camera key for a template", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ prompt: "rain" }, "jimeng_ti2v_v30_pro"],
      [{ first_frame: FRAME }, "jimeng_ti2v_v30_pro"],
      [{ prompt: "morph", first_frame: FRAME, last_frame: FRAME }, "jimeng_i2v_first_tail_v30_1080"],
      [{ prompt: "orbit", first_frame: FRAME, template_id: "dynamic_orbit", camera_strength: "strong" }, "jimeng_i2v_recamera_v30"],
    ];
    for (const [args, model] of cases) {
      const r = await h.call("jimeng_generate_video", { ...args, wait_seconds: 20 });
      expect(structured<Job>(r), JSON.stringify(args)).toMatchObject({ status: "succeeded", model });
      expect(structured<Job>(r).warnings).toBeUndefined();
      expect(lastSubmit().req_key).toBe(model);
    }
    expect(lastSubmit()).toEqual({
      req_key: "jimeng_i2v_recamera_v30",
      prompt: "orbit",
      image_urls: [FRAME],
      seed: -1,
      frames: 121,
      template_id: "dynamic_orbit",
      camera_strength: "strong",
    });
  });

  it("sends duration as 24 x seconds + 1 frames, and the aspect ratio only when asked", async () => {
    await h.call("jimeng_generate_video", { prompt: "tide", duration: 10, wait_seconds: 0 });
    expect(lastSubmit()).toEqual({ req_key: "jimeng_ti2v_v30_pro", prompt: "tide", seed: -1, frames: 241 });
    await h.call("jimeng_generate_video", { prompt: "tide", aspect_ratio: "9:16", wait_seconds: 0 });
    expect(lastSubmit()).toMatchObject({ frames: 121, aspect_ratio: "9:16" });
  });

  it("no longer refuses per-model combinations: they are advice, and the vendor decides", async () => {
    const withRatio = await h.call("jimeng_generate_video", { first_frame: FRAME, aspect_ratio: "1:1", wait_seconds: 20 });
    expect(structured<Job>(withRatio).status).toBe("succeeded");
    expect(structured<Job>(withRatio).warnings).toEqual([
      "Jimeng 3.0 Pro (1080P, text or first frame) (jimeng_ti2v_v30_pro) does not take aspect_ratio",
    ]);
    expect(lastSubmit()).toMatchObject({ aspect_ratio: "1:1" });

    const textOnly = await h.call("jimeng_generate_video", { model: "jimeng_t2v_v30", prompt: "x", first_frame: FRAME, wait_seconds: 20 });
    expect(structured<Job>(textOnly).warnings).toEqual([
      "Jimeng 3.0 720P text-to-video (jimeng_t2v_v30) is not listed for this endpoint (video/i2v_first)",
    ]);
    expect(lastSubmit()).toMatchObject({ req_key: "jimeng_t2v_v30", image_urls: [FRAME] });

    const proTwoFrames = await h.call("jimeng_generate_video", {
      model: "jimeng_ti2v_v30_pro",
      prompt: "x",
      first_frame: FRAME,
      last_frame: FRAME,
    });
    expect(proTwoFrames.isError).toBe(true);
    expect(lastSubmit()).toMatchObject({ req_key: "jimeng_ti2v_v30_pro", image_urls: [FRAME, FRAME] });
    expect(text(proTwoFrames)).toMatch(/0-1 image\(s\) expected, got 2/);
    expect(text(proTwoFrames)).toMatch(/is not listed for this endpoint \(video\/i2v_first_tail\)/);

    const longer = await h.call("jimeng_generate_video", { prompt: "x", duration: 8 });
    expect(lastSubmit()).toMatchObject({ frames: 193 });
    expect(text(longer)).toMatch(/takes duration 5, 10; got 8/);
  });

  it("keeps the rules every Jimeng key shares: frame order, frame size limits, a real image", async () => {
    const small = join(h.dir, "small.png");
    writeFileSync(small, makePng(200, 200, 6));
    const notImage = join(h.dir, "notes.png");
    writeFileSync(notImage, "not an image");
    const before = v.sim.requests.length;
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ prompt: "x", last_frame: FRAME }, /last_frame: needs first_frame/],
      [{ first_frame: small, prompt: "x" }, /short side must be at least 320/],
      [{ first_frame: notImage, prompt: "x" }, /first_frame/],
      [{ prompt: "x", duration: 61 }, /duration/],
      [{ prompt: "x", aspect_ratio: "wide" }, /aspect_ratio/],
    ];
    for (const [args, re] of cases) {
      const r = await h.call("jimeng_generate_video", args);
      expect(r.isError, JSON.stringify(args)).toBe(true);
      expect(text(r)).toMatch(re);
    }
    expect(v.sim.requests.length).toBe(before);
  });
});

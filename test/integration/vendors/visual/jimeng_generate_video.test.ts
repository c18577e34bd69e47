/** jimeng_generate_video: the inputs pick the endpoint family and its default; per-model rules advise instead of refusing. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePng } from "../../../../src/sandbox/media-fixtures.js";
import type { VisualSimulator } from "../../../../src/vendors/visual/simulator.js";
import { startHarness, text, type Harness } from "../../../helpers/harness.js";
import { jobOf, lastRequest, mark } from "../../../helpers/results.js";
import { isAction } from "./helpers.js";

const FRAME = "https://example.com/frame.png";

describe("jimeng_generate_video", () => {
  let h: Harness;
  let v: VisualSimulator;
  beforeAll(async () => {
    h = await startHarness();
    v = h.sandbox.visual;
  });
  afterAll(() => h.close());

  const lastSubmit = () => lastRequest(v, (r) => r.query.get("Action") === "CVSync2AsyncSubmitTask").json as Record<string, unknown>;

  it("defaults by inputs: 3.0 Pro for text or one frame, the 1080P first+last key for two frames, the camera key for a template", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ prompt: "rain" }, "jimeng_ti2v_v30_pro"],
      [{ first_frame: FRAME }, "jimeng_ti2v_v30_pro"],
      [{ prompt: "morph", first_frame: FRAME, last_frame: FRAME }, "jimeng_i2v_first_tail_v30_1080"],
      [{ prompt: "orbit", first_frame: FRAME, template_id: "dynamic_orbit", camera_strength: "strong" }, "jimeng_i2v_recamera_v30"],
    ];
    for (const [args, model] of cases) {
      const r = await h.call("jimeng_generate_video", { ...args, wait_seconds: 20 });
      expect(jobOf(r), JSON.stringify(args)).toMatchObject({ status: "succeeded", model });
      expect(jobOf(r).warnings).toBeUndefined();
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
    expect(jobOf(withRatio).status).toBe("succeeded");
    expect(jobOf(withRatio).warnings).toEqual([
      "Jimeng 3.0 Pro (1080P, text or first frame) (jimeng_ti2v_v30_pro) does not take aspect_ratio",
    ]);
    expect(lastSubmit()).toMatchObject({ aspect_ratio: "1:1" });

    const textOnly = await h.call("jimeng_generate_video", { model: "jimeng_t2v_v30", prompt: "x", first_frame: FRAME, wait_seconds: 20 });
    expect(jobOf(textOnly).warnings).toEqual([
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
    const before = mark(v);
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
    expect(before.since()).toHaveLength(0);
  });
});

describe("jimeng_generate_video (tool behaviour)", () => {
  let h: Harness;
  let v: VisualSimulator;
  beforeAll(async () => {
    h = await startHarness();
    v = h.sandbox.visual;
  });
  afterAll(() => h.close());

  const lastBody = (action: string) => lastRequest(v, isAction(action)).json as Record<string, unknown>;
  it("jimeng_generate_video: duration becomes frames, aspect ratio for text only; a job handed back early resumes", async () => {
    const r = await h.call("jimeng_generate_video", { prompt: "waves at dusk", duration: 10, aspect_ratio: "9:16", wait_seconds: 0 });
    const started = jobOf(r);
    expect(["queued", "running"]).toContain(started.status);
    expect(lastBody("CVSync2AsyncSubmitTask")).toEqual({
      req_key: "jimeng_ti2v_v30_pro",
      prompt: "waves at dusk",
      seed: -1,
      frames: 241,
      aspect_ratio: "9:16",
    });
    const done = jobOf(await h.call("wait_for_job", { job_id: started.job_id, wait_seconds: 20 }));
    expect(done.status).toBe("succeeded");
    expect(done.assets[0]!.mime_type).toBe("video/mp4");
    // The sandbox renders the ratio asked for (portrait here), as Jimeng does.
    expect([done.assets[0]!.width, done.assets[0]!.height]).toEqual([176, 320]);
    expect(done.assets[0]!.duration_s).toBe(10);
    const ttl = Date.parse(done.assets[0]!.expires_at!) - Date.now();
    expect(ttl).toBeLessThanOrEqual(3600_000);
  });

  it("first+last-frame video sends both frames in order; per-model combinations reach the vendor, the API's shape is refused first", async () => {
    const f = join(h.dir, "first.png");
    const l = join(h.dir, "last.png");
    writeFileSync(f, makePng(480, 320, 4));
    writeFileSync(l, makePng(480, 320, 5));
    const r = await h.call("jimeng_generate_video", { model: "jimeng_i2v_first_tail_v30", first_frame: f, last_frame: l, prompt: "morph" });
    expect(jobOf(r).status).toBe("succeeded");
    const body = lastBody("CVSync2AsyncSubmitTask");
    expect((body.binary_data_base64 as string[]).map((s) => Buffer.from(s, "base64").equals(makePng(480, 320, 4)))).toEqual([true, false]);
    expect(body.aspect_ratio).toBeUndefined();
    const sent: Array<[Record<string, unknown>, RegExp]> = [
      [{ model: "jimeng_i2v_first_v30", prompt: "x" }, /1 image\(s\) expected, got 0/],
      [{ model: "jimeng_i2v_first_tail_v30", first_frame: f, prompt: "x" }, /2 image\(s\) expected, got 1/],
      [{ prompt: "x", duration: 7 }, /takes duration 5, 10; got 7/],
    ];
    for (const [args, re] of sent) {
      const before = mark(v);
      const res = await h.call("jimeng_generate_video", args);
      expect(before.since().length, JSON.stringify(args)).toBeGreaterThan(0);
      expect(res.isError, JSON.stringify(args)).toBe(true);
      expect(text(res)).toMatch(re);
    }
    const textKey = await h.call("jimeng_generate_video", { model: "jimeng_t2v_v30", first_frame: f, prompt: "x" });
    expect(jobOf(textKey).status, "the text-to-video key gets the frame; the vendor decides").toBe("succeeded");
    expect(text(textKey)).toMatch(/Note: .*jimeng_t2v_v30\) is not listed for this endpoint \(video\/i2v_first\)/);
    const withRatio = await h.call("jimeng_generate_video", { first_frame: f, aspect_ratio: "1:1" });
    expect(jobOf(withRatio).status).toBe("succeeded");
    expect(text(withRatio)).toMatch(/Note: .*does not take aspect_ratio/);
    const before = mark(v);
    const small = join(h.dir, "small.png");
    writeFileSync(small, makePng(200, 200, 6));
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ prompt: "x", last_frame: l }, /last_frame: needs first_frame/],
      [{}, /prompt: text-to-video needs a prompt/],
      [{ first_frame: small }, /short side must be at least 320/],
    ];
    for (const [args, re] of cases) {
      const res = await h.call("jimeng_generate_video", args);
      expect(res.isError, JSON.stringify(args)).toBe(true);
      expect(text(res)).toMatch(re);
    }
    expect(before.since().length).toBe(0);
  });
});

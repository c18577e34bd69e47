/**
 * Every simulator's video is one a browser plays (issue 15 item 4): H.264 in MP4, read from the
 * container's sample description and the SPS (not from a MIME type), with the frame size and the
 * duration the request asked for; and one of them really plays in headless Chromium.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { jobOf } from "../../helpers/results.js";
import { findChromium, playInChromium, videoFacts, type VideoFacts } from "../../helpers/video.js";

/**
 * The fast sandbox renders at most 320 (Ark, Jimeng), 128 (Kling) or 160 (Animo) on the long edge, in steps of 16; Kling
 * never below 320 a side (an output must be a valid Kling input image).
 */
const cases: Array<{ tool: string; args: Record<string, unknown>; size: [number, number]; seconds: number; fps: number }> = [
  { tool: "seedance_generate_video", args: { prompt: "waves", duration: 5, ratio: "16:9" }, size: [320, 176], seconds: 5, fps: 8 },
  { tool: "seedance_generate_video", args: { prompt: "a tall tower", duration: 4, ratio: "9:16" }, size: [176, 320], seconds: 4, fps: 8 },
  {
    tool: "kling_text_to_video",
    args: { prompt: "a fox in snow", model: "kling-v2-6", duration: 10, aspect_ratio: "1:1" },
    size: [320, 320],
    seconds: 10,
    fps: 2,
  },
  { tool: "jimeng_generate_video", args: { prompt: "tide", duration: 10 }, size: [320, 176], seconds: 10, fps: 8 },
  { tool: "animo_generate_video", args: { prompt: "a kite", duration: 4, resolution: "720x480" }, size: [160, 112], seconds: 4, fps: 4 },
];

describe("sandbox videos are browser-playable H.264", () => {
  let h: Harness;
  const made = new Map<string, Buffer>();
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  for (const c of cases) {
    it(`${c.tool} ${JSON.stringify(c.args)}: avc1, ${c.size.join("x")}, ${c.seconds} s`, async () => {
      const job = jobOf(await h.call(c.tool, { ...c.args, wait_seconds: 30 }));
      expect(job.status, JSON.stringify(job)).toBe("succeeded");
      const video = job.assets.find((a) => a.mime_type === "video/mp4");
      const bytes = readFileSync(video!.path!);
      made.set(c.tool, bytes);
      const facts = videoFacts(bytes);
      expect(facts).toMatchObject<Partial<VideoFacts>>({
        codec: "avc1",
        sps: { width: c.size[0], height: c.size[1], profile: 66 },
        width: c.size[0],
        height: c.size[1],
        frames: c.seconds * c.fps,
      });
      expect(facts.codecString).toMatch(/^avc1\.42c0[0-9a-f]{2}$/);
      expect(facts.duration_s).toBeCloseTo(c.seconds, 2);
      expect(video).toMatchObject({ width: c.size[0], height: c.size[1] });
      expect(video!.duration_s).toBeCloseTo(c.seconds, 2);
    });
  }

  const chromium = findChromium();
  // CI installs chromium (.ci/run), so there a missing browser fails instead of skipping.
  it.skipIf(!chromium && !process.env.CI)(
    "a simulator video reaches canplay and plays in headless Chromium",
    { timeout: 90_000 },
    async () => {
      expect(chromium, "chromium is not installed (apt-get install chromium)").toBeDefined();
      const bytes =
        made.get("seedance_generate_video") ??
        readFileSync(jobOf(await h.call(cases[0]!.tool, { ...cases[0]!.args, wait_seconds: 30 })).assets[0]!.path!);
      const facts = videoFacts(bytes);
      const seen = await playInChromium(chromium!, bytes, facts.codecString!);
      expect(seen.error).toBeUndefined();
      expect(seen).toMatchObject({ canplay: true, videoWidth: facts.width, videoHeight: facts.height });
      expect(seen.canPlayType).toMatch(/probably|maybe/);
      expect(seen.duration).toBeCloseTo(facts.duration_s, 1);
      expect(seen.playedTo).toBeGreaterThan(0);
      expect(Math.max(...seen.centre)).toBeGreaterThan(20); // a decoded picture, not a black frame
    },
  );
});

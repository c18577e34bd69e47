/** The simulators' MP4 (src/sandbox/h264.ts + makeMp4): H.264 a browser plays, any even size, small and deterministic. */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { encodeH264, h264Codec } from "../../src/sandbox/h264.js";
import { makeMp4 } from "../../src/sandbox/media-fixtures.js";
import { videoFacts } from "../helpers/video.js";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("makeMp4", () => {
  it.each([
    [64, 64, 2, 8],
    [320, 176, 5, 8],
    [100, 58, 1, 4], // not a multiple of 16: SPS cropping
    [480, 272, 4, 8],
    [16, 16, 0.1, 2], // one frame
  ])("%ix%i, %f s at %i fps: avc1 Constrained Baseline with that size, duration and frame count", (width, height, seconds, fps) => {
    const mp4 = makeMp4({ width, height, seconds, fps, seed: 3 });
    const frames = Math.max(1, Math.round(seconds * fps));
    expect(videoFacts(mp4)).toMatchObject({
      codec: "avc1",
      codecString: h264Codec(width, height, fps),
      sps: { width, height, profile: 66 },
      width,
      height,
      frames,
    });
    expect(h264Codec(width, height, fps)).toMatch(/^avc1\.42c0(1e|1f|20|28)$/);
    expect(videoFacts(mp4).duration_s).toBeCloseTo(frames / fps, 1);
  });

  it("is about one raw frame in size: later frames are motion only", () => {
    const mp4 = makeMp4({ width: 320, height: 176, seconds: 10, fps: 8 });
    const rawFrame = 320 * 176 * 1.5;
    expect(mp4.length).toBeGreaterThan(rawFrame);
    expect(mp4.length).toBeLessThan(rawFrame * 1.3);
  });

  it("is the same bytes for the same request and different bytes for another seed (sha256 stability)", () => {
    const a = makeMp4({ width: 96, height: 64, seconds: 2, seed: 5 });
    expect(sha(makeMp4({ width: 96, height: 64, seconds: 2, seed: 5 }))).toBe(sha(a));
    expect(sha(makeMp4({ width: 96, height: 64, seconds: 2, seed: 6 }))).not.toBe(sha(a));
  });

  it("encodes a stream once: the same arguments get the kept stream, a copy of which each MP4 holds", () => {
    const first = encodeH264(128, 96, 6, 2, 11);
    expect(encodeH264(128, 96, 6, 2, 11)).toBe(first);
    expect(encodeH264(128, 96, 6, 2, 12)).not.toBe(first);
    const mp4 = makeMp4({ width: 128, height: 96, seconds: 3, fps: 2, seed: 11 });
    mp4.fill(0);
    expect(encodeH264(128, 96, 6, 2, 11).samples.every((s) => s.some((b) => b !== 0))).toBe(true);
  });

  it("refuses an odd frame size (4:2:0 chroma needs even sizes)", () => {
    expect(() => makeMp4({ width: 65, height: 64 })).toThrow(/even frame size/);
  });
});

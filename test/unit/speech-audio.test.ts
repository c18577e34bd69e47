import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { probeFile } from "../../src/media/sniff.js";
import { readSpokenText, speak } from "../../src/vendors/gateway/simulator-audio.js";
import { tempDir } from "../helpers/harness.js";

/** The simulator's speech files are real audio: durations probe right and every Ogg page checks out. */
describe("simulated speech audio", () => {
  it("makes Ogg Opus, WAV and MP3 files whose durations probe right", async () => {
    const dir = tempDir();
    for (const [format, mime] of [
      ["wav", "audio/wav"],
      ["mp3", "audio/mpeg"],
    ] as const) {
      const path = join(dir, `x.${format}`);
      writeFileSync(path, speak("durations", format, 2));
      const info = await probeFile(path);
      expect(info?.mime).toBe(mime);
      expect(info?.duration_s).toBeCloseTo(2, 0);
    }
    const ogg = speak("ogg text", "opus", 1.5);
    expect(readSpokenText(ogg)).toBe("ogg text");
    // Every Ogg page's CRC must verify: recompute over the page with its CRC field zeroed.
    let pages = 0;
    for (let p = 0; p < ogg.length; pages++) {
      expect(ogg.toString("latin1", p, p + 4)).toBe("OggS");
      const segs = ogg[p + 26]!;
      const len = 27 + segs + [...ogg.subarray(p + 27, p + 27 + segs)].reduce((a, b) => a + b, 0);
      const page = Buffer.from(ogg.subarray(p, p + len));
      const crc = page.readUInt32LE(22);
      page.writeUInt32LE(0, 22);
      expect(oggCrcRef(page)).toBe(crc);
      p += len;
    }
    expect(pages).toBeGreaterThanOrEqual(4); // head, tags, two audio pages
  });
});

/** Bit-by-bit reference CRC-32 (poly 0x04C11DB7, init 0, unreflected), independent of the table version. */
function oggCrcRef(b: Buffer): number {
  let crc = 0;
  for (const byte of b) {
    crc ^= byte << 24;
    for (let i = 0; i < 8; i++) crc = crc & 0x80000000 ? ((crc << 1) ^ 0x04c11db7) >>> 0 : (crc << 1) >>> 0;
  }
  return crc >>> 0;
}

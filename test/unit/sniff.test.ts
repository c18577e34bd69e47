import { closeSync, ftruncateSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { extForMime, mimeForExt, probeFile, sniffBytes } from "../../src/media/sniff.js";
import { makeJpeg, makeMp3, makeMp4, makePng, makeWav } from "../../src/sandbox/media-fixtures.js";
import { speak } from "../../src/vendors/gateway/simulator-audio.js";
import { tempDir } from "../helpers/harness.js";

const le16 = (n: number) => Buffer.from([n & 255, n >> 8]);
const le32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b;
};
const be32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

/** The top-level boxes of an MP4, by type. */
function topBoxes(mp4: Buffer): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (let p = 0; p < mp4.length; p += mp4.readUInt32BE(p))
    out[mp4.toString("latin1", p + 4, p + 8)] = mp4.subarray(p, p + mp4.readUInt32BE(p));
  return out;
}

/** A PNG made animated (APNG) by an acTL chunk after IHDR. */
function apng(width: number, height: number): Buffer {
  const png = makePng(width, height);
  const body = Buffer.concat([Buffer.from("acTL", "latin1"), be32(1), be32(0)]);
  return Buffer.concat([png.subarray(0, 33), be32(8), body, be32(crc32(body)), png.subarray(33)]);
}

/** MP4 with its major brand replaced (M4A for audio, qt for QuickTime). */
function withBrand(brand: string): Buffer {
  const mp4 = makeMp4();
  const out = Buffer.from(mp4);
  out.write(brand, 8, "latin1");
  return out;
}

const gif = Buffer.concat([Buffer.from("GIF89a", "latin1"), le16(5), le16(7), Buffer.from([0, 0, 0, 0x3b])]);
const webp = Buffer.concat([
  Buffer.from("RIFF", "latin1"),
  le32(22),
  Buffer.from("WEBPVP8X", "latin1"),
  le32(10),
  Buffer.alloc(4),
  Buffer.from([299 & 255, 299 >> 8, 0, 199, 0, 0]),
]);
const bmp = Buffer.concat([
  Buffer.from("BM", "latin1"),
  le32(54 + 48),
  le32(0),
  le32(54),
  le32(40),
  le32(4),
  le32(-3),
  Buffer.alloc(28 + 48),
]);

describe("sniffing the head of a file", () => {
  it("names each type as the project does and reads image sizes", async () => {
    const cases: Array<[string, Buffer, Record<string, unknown>]> = [
      ["png", makePng(32, 20), { mime: "image/png", ext: "png", kind: "image", width: 32, height: 20 }],
      ["apng", apng(16, 12), { mime: "image/png", ext: "png", kind: "image", width: 16, height: 12 }],
      ["jpeg", makeJpeg(48, 30), { mime: "image/jpeg", ext: "jpg", kind: "image", width: 48, height: 30 }],
      ["gif", gif, { mime: "image/gif", ext: "gif", kind: "image", width: 5, height: 7 }],
      ["webp", webp, { mime: "image/webp", ext: "webp", kind: "image", width: 300, height: 200 }],
      ["bmp (top-down)", bmp, { mime: "image/bmp", ext: "bmp", kind: "image", width: 4, height: 3 }],
      ["mp4", makeMp4(), { mime: "video/mp4", ext: "mp4", kind: "video" }],
      ["quicktime", withBrand("qt  "), { mime: "video/quicktime", ext: "mov", kind: "video" }],
      ["m4a", withBrand("M4A "), { mime: "audio/mp4", ext: "m4a", kind: "audio" }],
      ["wav", makeWav(), { mime: "audio/wav", ext: "wav", kind: "audio" }],
      ["mp3", makeMp3(), { mime: "audio/mpeg", ext: "mp3", kind: "audio" }],
      ["ogg opus", speak("x", "opus", 1), { mime: "audio/ogg", ext: "ogg", kind: "audio" }],
    ];
    for (const [name, bytes, expected] of cases) expect(await sniffBytes(bytes.subarray(0, 64 * 1024)), name).toEqual(expected);
  });

  it("recognises nothing in text, an HTML page, a few bytes or nothing", async () => {
    for (const b of ["plain words", "<html><body>denied</body></html>", "\xff", ""])
      expect(await sniffBytes(Buffer.from(b, "latin1"))).toBeUndefined();
  });

  it("maps MIME types and extensions both ways", () => {
    expect([extForMime("IMAGE/JPEG"), extForMime("audio/ogg"), extForMime("application/pdf")]).toEqual(["jpg", "ogg", undefined]);
    expect([mimeForExt(".jpeg"), mimeForExt("opus"), mimeForExt("M4V"), mimeForExt("exe")]).toEqual([
      "image/jpeg",
      "audio/ogg",
      "video/mp4",
      undefined,
    ]);
  });
});

describe("probing a file", () => {
  const dir = tempDir("aigc-probe-");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes the parts at their offsets into a sparse file of the given size (no disk space used for the gaps). */
  function sparse(name: string, size: number, parts: Array<[number, Buffer]>): string {
    const path = join(dir, name);
    const fd = openSync(path, "w");
    try {
      for (const [at, part] of parts) writeSync(fd, part, 0, part.length, at);
      ftruncateSync(fd, size);
    } finally {
      closeSync(fd);
    }
    return path;
  }

  it("reads MP4 duration and size with moov first or last, and hops a 20 GB mdat without reading it", async () => {
    for (const moovFirst of [true, false]) {
      const path = join(dir, `v-${moovFirst}.mp4`);
      writeFileSync(path, makeMp4({ width: 128, height: 80, seconds: 3, moovFirst }));
      expect(await probeFile(path)).toEqual({ mime: "video/mp4", ext: "mp4", kind: "video", width: 128, height: 80, duration_s: 3 });
    }
    const { ftyp, moov } = topBoxes(makeMp4({ width: 96, height: 64, seconds: 2 }));
    const mdatSize = 20 * 1024 ** 3; // a 64-bit box size
    const mdat = Buffer.concat([be32(1), Buffer.from("mdat", "latin1"), Buffer.alloc(8)]);
    mdat.writeBigUInt64BE(BigInt(mdatSize), 8);
    const path = sparse("huge.mp4", ftyp!.length + mdatSize + moov!.length, [
      [0, ftyp!],
      [ftyp!.length, mdat],
      [ftyp!.length + mdatSize, moov!],
    ]);
    expect(await probeFile(path)).toMatchObject({ mime: "video/mp4", width: 96, height: 64, duration_s: 2 });
  });

  it("reads WAV and constant-bitrate MP3 durations from headers and the file size (a 3 GB WAV at once)", async () => {
    const wav = makeWav({ seconds: 1, sampleRate: 16000 });
    const dataBytes = 3_000_000_000;
    const head = Buffer.from(wav.subarray(0, 44));
    head.writeUInt32LE(36 + dataBytes, 4);
    head.writeUInt32LE(dataBytes, 40);
    const big = sparse("big.wav", 44 + dataBytes, [[0, head]]);
    expect(await probeFile(big)).toEqual({ mime: "audio/wav", ext: "wav", kind: "audio", duration_s: dataBytes / 32000 });
    const mp3 = join(dir, "a.mp3");
    writeFileSync(mp3, makeMp3({ seconds: 2 }));
    expect((await probeFile(mp3))?.duration_s).toBeCloseTo(2, 1);
  });

  it("gives no duration for a variable-bitrate MP3 without a Xing header, rather than a guess from its first frame", async () => {
    const frame = (kbps: 128 | 160) => {
      const f = Buffer.alloc(kbps === 128 ? 417 : 522);
      f.set([0xff, 0xfb, kbps === 128 ? 0x90 : 0xa0, 0xc0]);
      return f;
    };
    const path = join(dir, "vbr.mp3");
    writeFileSync(path, Buffer.concat(Array.from({ length: 80 }, (_, i) => frame(i % 3 ? 128 : 160))));
    expect(await probeFile(path)).toEqual({ mime: "audio/mpeg", ext: "mp3", kind: "audio" });
  });

  it("reads Ogg Opus and FLAC durations, and nothing more than the type from an unreadable file", async () => {
    const ogg = join(dir, "a.ogg");
    writeFileSync(ogg, speak("probe me", "opus", 1.5));
    expect((await probeFile(ogg))?.duration_s).toBeCloseTo(1.5, 1);
    // FLAC: a last STREAMINFO block saying 441000 samples at 44.1 kHz, mono, 16 bits; the frames are never read.
    const info = Buffer.alloc(34);
    info.writeUInt16BE(4096, 0);
    info.writeUInt16BE(4096, 2);
    info.writeBigUInt64BE((44100n << 44n) | (15n << 36n) | 441000n, 10);
    const flac = join(dir, "a.flac");
    writeFileSync(flac, Buffer.concat([Buffer.from("fLaC", "latin1"), Buffer.from([0x80, 0, 0, 34]), info, Buffer.alloc(1000)]));
    expect(await probeFile(flac)).toEqual({ mime: "audio/flac", ext: "flac", kind: "audio", duration_s: 10 });
    const broken = join(dir, "broken.wav");
    writeFileSync(broken, Buffer.from("RIFF\x10\x00\x00\x00WAVEjunk", "latin1"));
    expect(await probeFile(broken)).toEqual({ mime: "audio/wav", ext: "wav", kind: "audio" });
  });
});

/**
 * Deterministic generators of real media bytes for the simulators and tests (no binary fixtures
 * in the repository): PNG, baseline JPEG, H.264 MP4 (browser-playable, see h264.ts), PCM WAV and silent MP3.
 */
import { encodeH264 } from "./h264.js";

// ---------- PNG ----------
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function rgbAt(x: number, y: number, seed: number): [number, number, number] {
  return [(x * 2 + seed * 37) & 255, (y * 2 + seed * 11) & 255, (x + y + seed * 5) & 255];
}

export function makePng(width: number, height: number, seed = 0): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) raw.set(rgbAt(x, y, seed), row + 1 + x * 3);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    // node:zlib on first use: the gateway's check imports this module for a WAV at every start
    pngChunk("IDAT", process.getBuiltinModule("node:zlib").deflateSync(raw)),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

// ---------- JPEG (baseline, DC-only blocks: one flat colour per 8x8 block) ----------
class BitWriter {
  private bytes: number[] = [];
  private acc = 0;
  private n = 0;
  write(value: number, bits: number): void {
    for (let i = bits - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >> i) & 1);
      if (++this.n === 8) this.flushByte();
    }
  }
  private flushByte(): void {
    this.bytes.push(this.acc);
    if (this.acc === 0xff) this.bytes.push(0x00); // byte stuffing
    this.acc = 0;
    this.n = 0;
  }
  finish(): Buffer {
    while (this.n !== 0) this.write(1, 1); // pad with 1 bits
    return Buffer.from(this.bytes);
  }
}

function segment(marker: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(0xff00 | marker, 0);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

// DC table: categories 0-11 all with 4-bit codes 0000..1011. AC table: only EOB (0x00) as "0".
const DC_BITS = [0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const AC_BITS = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

export function makeJpeg(width: number, height: number, seed = 0): Buffer {
  const app0 = segment(0xe0, Buffer.from([0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]));
  const dqt = segment(0xdb, Buffer.concat([Buffer.from([0]), Buffer.alloc(64, 1)]));
  const sof = Buffer.from([8, height >> 8, height & 255, width >> 8, width & 255, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]);
  const dht = segment(
    0xc4,
    Buffer.concat([Buffer.from([0x00, ...DC_BITS, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), Buffer.from([0x10, ...AC_BITS, 0x00])]),
  );
  const sos = Buffer.from([3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0]);
  const bw = new BitWriter();
  const prev = [0, 0, 0];
  const bx = Math.ceil(width / 8);
  const by = Math.ceil(height / 8);
  for (let j = 0; j < by; j++) {
    for (let i = 0; i < bx; i++) {
      const [r, g, b] = rgbAt(i * 8, j * 8, seed);
      const ycc = [
        0.299 * r + 0.587 * g + 0.114 * b,
        128 - 0.168736 * r - 0.331264 * g + 0.5 * b,
        128 + 0.5 * r - 0.418688 * g - 0.081312 * b,
      ];
      ycc.forEach((v, c) => {
        const dc = Math.round(8 * (v - 128)); // DC of a flat block with quantiser 1
        const diff = dc - prev[c]!;
        prev[c] = dc;
        const cat = diff === 0 ? 0 : Math.floor(Math.log2(Math.abs(diff))) + 1;
        bw.write(cat, 4);
        if (cat) bw.write(diff > 0 ? diff : diff + (1 << cat) - 1, cat);
        bw.write(0, 1); // EOB
      });
    }
  }
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    app0,
    dqt,
    segment(0xc0, sof),
    dht,
    segment(0xda, sos),
    bw.finish(),
    Buffer.from([0xff, 0xd9]),
  ]);
}

// ---------- MP4 (ISO BMFF, one H.264 video track) ----------
function box(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length + 8, 0);
  head.write(type, 4, "latin1");
  return Buffer.concat([head, body]);
}
const u8 = (n: number) => Buffer.from([n]);
const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const full = (type: string, version: number, flags: number, ...parts: Buffer[]) =>
  box(type, u8(version), Buffer.from([flags >> 16, (flags >> 8) & 255, flags & 255]), ...parts);
const MATRIX = Buffer.concat([u32(0x10000), u32(0), u32(0), u32(0), u32(0x10000), u32(0), u32(0), u32(0), u32(0x40000000)]);

export interface Mp4Options {
  width?: number;
  height?: number;
  seconds?: number;
  fps?: number;
  seed?: number;
  /** Appends a `free` box of this many bytes (for size-limit tests). */
  padBytes?: number;
  /** moov before mdat (default) or after it. */
  moovFirst?: boolean;
}

export function makeMp4(opts: Mp4Options = {}): Buffer {
  const { width = 64, height = 64, seconds = 2, fps = 8, seed = 0, padBytes = 0, moovFirst = true } = opts;
  const count = Math.max(1, Math.round(seconds * fps));
  const { avcC, samples: frames } = encodeH264(width, height, count, fps, seed);
  const timescale = 1000;
  const delta = Math.round(timescale / fps);
  const durationMs = count * delta;
  const ftyp = box("ftyp", Buffer.from("isom", "latin1"), u32(512), Buffer.from("isomiso2avc1mp41", "latin1"));
  const mdat = box("mdat", ...frames);
  const moovFor = (chunkOffset: number) => {
    const mvhd = full(
      "mvhd",
      0,
      0,
      u32(0),
      u32(0),
      u32(timescale),
      u32(durationMs),
      u32(0x10000),
      u16(0x100),
      Buffer.alloc(10),
      MATRIX,
      Buffer.alloc(24),
      u32(2),
    );
    const tkhd = full(
      "tkhd",
      0,
      3,
      u32(0),
      u32(0),
      u32(1),
      u32(0),
      u32(durationMs),
      Buffer.alloc(8),
      u16(0),
      u16(0),
      u16(0),
      u16(0),
      MATRIX,
      u32(width << 16),
      u32(height << 16),
    );
    const mdhd = full("mdhd", 0, 0, u32(0), u32(0), u32(timescale), u32(durationMs), u16(0x55c4), u16(0));
    const hdlr = full("hdlr", 0, 0, u32(0), Buffer.from("vide", "latin1"), Buffer.alloc(12), Buffer.from("VideoHandler\0", "latin1"));
    const name = Buffer.alloc(32);
    name.write("\x04H264", "latin1");
    const avc1 = box(
      "avc1",
      Buffer.alloc(6),
      u16(1),
      u16(0),
      u16(0),
      Buffer.alloc(12),
      u16(width),
      u16(height),
      u32(0x480000),
      u32(0x480000),
      u32(0),
      u16(1),
      name,
      u16(0x18),
      u16(0xffff),
      box("avcC", avcC),
    );
    const stbl = box(
      "stbl",
      full("stsd", 0, 0, u32(1), avc1),
      full("stts", 0, 0, u32(1), u32(count), u32(delta)),
      full("stsc", 0, 0, u32(1), u32(1), u32(count), u32(1)),
      full("stss", 0, 0, u32(1), u32(1)), // only the first frame is a key frame
      full("stsz", 0, 0, u32(0), u32(count), ...frames.map((f) => u32(f.length))),
      full("stco", 0, 0, u32(1), u32(chunkOffset)),
    );
    const minf = box("minf", full("vmhd", 0, 1, Buffer.alloc(8)), box("dinf", full("dref", 0, 0, u32(1), full("url ", 0, 1))), stbl);
    return box("moov", mvhd, box("trak", tkhd, box("mdia", mdhd, hdlr, minf)));
  };
  const pad = padBytes > 0 ? box("free", Buffer.alloc(padBytes)) : Buffer.alloc(0);
  if (moovFirst) {
    const size = moovFor(0).length;
    return Buffer.concat([ftyp, moovFor(ftyp.length + size + 8), mdat, pad]);
  }
  return Buffer.concat([ftyp, mdat, moovFor(ftyp.length + 8), pad]);
}

// ---------- Audio ----------
export function makeWav(opts: { seconds?: number; sampleRate?: number; freqHz?: number } = {}): Buffer {
  const { seconds = 1, sampleRate = 16000, freqHz = 440 } = opts;
  const samples = Math.round(seconds * sampleRate);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * freqHz * i) / sampleRate) * 8000), i * 2);
  const fmt = Buffer.alloc(16);
  fmt.writeUInt16LE(1, 0); // PCM
  fmt.writeUInt16LE(1, 2); // mono
  fmt.writeUInt32LE(sampleRate, 4);
  fmt.writeUInt32LE(sampleRate * 2, 8);
  fmt.writeUInt16LE(2, 12);
  fmt.writeUInt16LE(16, 14);
  const chunk = (id: string, body: Buffer) => {
    const h = Buffer.alloc(8);
    h.write(id, 0, "latin1");
    h.writeUInt32LE(body.length, 4);
    return Buffer.concat([h, body]);
  };
  const body = Buffer.concat([Buffer.from("WAVE", "latin1"), chunk("fmt ", fmt), chunk("data", data)]);
  const head = Buffer.alloc(8);
  head.write("RIFF", 0, "latin1");
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

/** MPEG-1 Layer III, 128 kbps, 44.1 kHz, mono, silent frames (all-zero side info and main data). */
export function makeMp3(opts: { seconds?: number } = {}): Buffer {
  const frames = Math.max(1, Math.ceil(((opts.seconds ?? 1) * 44100) / 1152));
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0xc0]);
  return Buffer.concat(Array.from({ length: frames }, () => frame));
}

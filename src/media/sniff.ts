/**
 * Identifies media from their first bytes (magic numbers) and reads dimensions and duration,
 * touching only the bytes needed: an MP4's moov box is found by hopping over box headers, so a
 * large mdat is never read.
 */
import { open } from "node:fs/promises";

export type MediaKind = "image" | "video" | "audio";
export interface SniffResult {
  mime: string;
  ext: string;
  kind: MediaKind;
  width?: number;
  height?: number;
  duration_s?: number;
}

const EXT: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/gif": "gif",
  "image/webp": "webp",
  "image/bmp": "bmp",
  "image/tiff": "tiff",
  "image/heic": "heic",
  "image/avif": "avif",
  "video/mp4": "mp4",
  "video/quicktime": "mov",
  "video/webm": "webm",
  "audio/mpeg": "mp3",
  "audio/wav": "wav",
  "audio/ogg": "ogg",
  "audio/flac": "flac",
  "audio/aac": "aac",
  "audio/mp4": "m4a",
};
const MIME_BY_EXT: Record<string, string> = {
  ...Object.fromEntries(Object.entries(EXT).map(([m, e]) => [e, m])),
  jpeg: "image/jpeg",
  tif: "image/tiff",
  opus: "audio/ogg",
  m4v: "video/mp4",
};

export const extForMime = (mime: string): string | undefined => EXT[mime.toLowerCase()];
export const mimeForExt = (ext: string): string | undefined => MIME_BY_EXT[ext.toLowerCase().replace(/^\./, "")];

function result(mime: string, extra: Partial<SniffResult> = {}): SniffResult {
  return { mime, ext: EXT[mime]!, kind: mime.split("/")[0] as MediaKind, ...extra };
}

const ascii = (b: Buffer, start: number, end: number) => b.toString("latin1", start, end);

export function sniffBytes(b: Buffer): SniffResult | undefined {
  if (b.length < 4) return undefined;
  if (b.readUInt32BE(0) === 0x89504e47)
    return result("image/png", b.length >= 24 ? { width: b.readUInt32BE(16), height: b.readUInt32BE(20) } : {});
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return result("image/jpeg", jpegSize(b));
  if (ascii(b, 0, 4) === "GIF8") return result("image/gif", b.length >= 10 ? { width: b.readUInt16LE(6), height: b.readUInt16LE(8) } : {});
  if (ascii(b, 0, 4) === "RIFF" && b.length >= 12) {
    const form = ascii(b, 8, 12);
    if (form === "WEBP") return result("image/webp", webpSize(b));
    if (form === "WAVE") return result("audio/wav");
  }
  if (b[0] === 0x42 && b[1] === 0x4d && b.length >= 26 && b.readUInt32LE(2) > 26)
    return result("image/bmp", { width: b.readInt32LE(18), height: Math.abs(b.readInt32LE(22)) });
  if (ascii(b, 0, 4) === "II*\0" || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 0x2a)) return result("image/tiff");
  if (b.length >= 12 && ascii(b, 4, 8) === "ftyp") {
    const brand = ascii(b, 8, 12);
    if (["heic", "heix", "heim", "heis", "mif1", "msf1"].includes(brand)) return result("image/heic");
    if (brand === "avif" || brand === "avis") return result("image/avif");
    if (brand === "qt  ") return result("video/quicktime");
    if (brand === "M4A " || brand === "M4B ") return result("audio/mp4");
    return result("video/mp4");
  }
  if (b.readUInt32BE(0) === 0x1a45dfa3) return result("video/webm");
  if (ascii(b, 0, 4) === "OggS") return result("audio/ogg");
  if (ascii(b, 0, 4) === "fLaC") return result("audio/flac");
  if (ascii(b, 0, 3) === "ID3") return result("audio/mpeg");
  if (b[0] === 0xff && (b[1]! & 0xf6) === 0xf0) return result("audio/aac");
  if (b[0] === 0xff && (b[1]! & 0xe0) === 0xe0 && ((b[1]! >> 1) & 3) !== 0 && b[2]! >> 4 !== 15) return result("audio/mpeg");
  return undefined;
}

function jpegSize(b: Buffer): Partial<SniffResult> {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return {};
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    const len = b.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    }
    i += 2 + len;
  }
  return {};
}

function webpSize(b: Buffer): Partial<SniffResult> {
  const chunk = ascii(b, 12, 16);
  if (chunk === "VP8 " && b.length >= 30) return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
  if (chunk === "VP8L" && b.length >= 25) {
    const bits = b.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  if (chunk === "VP8X" && b.length >= 30) return { width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 };
  return {};
}

const MP3_BITRATES = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];

/** Sniffs a file and adds what needs more than the head: MP4 duration/size, WAV and MP3 duration. */
export async function probeFile(path: string): Promise<SniffResult | undefined> {
  const fh = await open(path, "r");
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(Math.min(size, 64 * 1024));
    await fh.read(head, 0, head.length, 0);
    const s = sniffBytes(head);
    if (!s) return undefined;
    if (s.mime === "video/mp4" || s.mime === "video/quicktime" || s.mime === "audio/mp4") return { ...s, ...(await mp4Info(fh, size)) };
    if (s.mime === "audio/wav") return { ...s, ...wavInfo(head, size) };
    if (s.mime === "audio/mpeg") return { ...s, ...mp3Info(head, size) };
    return s;
  } finally {
    await fh.close();
  }
}

type Handle = Awaited<ReturnType<typeof open>>;

async function mp4Info(fh: Handle, size: number): Promise<Partial<SniffResult>> {
  let pos = 0;
  const hdr = Buffer.alloc(16);
  while (pos + 8 <= size) {
    await fh.read(hdr, 0, 16, pos);
    let boxSize = hdr.readUInt32BE(0);
    const type = ascii(hdr, 4, 8);
    let headerLen = 8;
    if (boxSize === 1) {
      boxSize = Number(hdr.readBigUInt64BE(8));
      headerLen = 16;
    } else if (boxSize === 0) boxSize = size - pos;
    if (boxSize < headerLen) return {};
    if (type === "moov") {
      const len = Math.min(boxSize - headerLen, 32 * 1024 * 1024);
      const moov = Buffer.alloc(len);
      await fh.read(moov, 0, len, pos + headerLen);
      return parseMoov(moov);
    }
    pos += boxSize;
  }
  return {};
}

function* boxes(b: Buffer, start = 0, end = b.length): Generator<{ type: string; body: number; end: number }> {
  let p = start;
  while (p + 8 <= end) {
    let size = b.readUInt32BE(p);
    let hl = 8;
    if (size === 1 && p + 16 <= end) {
      size = Number(b.readBigUInt64BE(p + 8));
      hl = 16;
    } else if (size === 0) size = end - p;
    if (size < hl || p + size > end) return;
    yield { type: ascii(b, p + 4, p + 8), body: p + hl, end: p + size };
    p += size;
  }
}

function parseMoov(m: Buffer): Partial<SniffResult> {
  const out: Partial<SniffResult> = {};
  for (const box of boxes(m)) {
    if (box.type === "mvhd") {
      const v = m[box.body]!;
      const timescale = v === 1 ? m.readUInt32BE(box.body + 20) : m.readUInt32BE(box.body + 12);
      const duration = v === 1 ? Number(m.readBigUInt64BE(box.body + 24)) : m.readUInt32BE(box.body + 16);
      if (timescale) out.duration_s = duration / timescale;
    } else if (box.type === "trak" && out.width === undefined) {
      for (const t of boxes(m, box.body, box.end)) {
        if (t.type !== "tkhd") continue;
        const v = m[t.body]!;
        const off = t.body + (v === 1 ? 88 : 76);
        if (off + 8 <= t.end) {
          const w = m.readUInt32BE(off) / 65536;
          const h = m.readUInt32BE(off + 4) / 65536;
          if (w > 0 && h > 0) Object.assign(out, { width: Math.round(w), height: Math.round(h) });
        }
      }
    }
  }
  return out;
}

function wavInfo(b: Buffer, size: number): Partial<SniffResult> {
  let byteRate = 0;
  for (let p = 12; p + 8 <= b.length;) {
    const id = ascii(b, p, p + 4);
    const len = b.readUInt32LE(p + 4);
    if (id === "fmt " && p + 16 <= b.length) byteRate = b.readUInt32LE(p + 16);
    if (id === "data") return byteRate ? { duration_s: Math.min(len, size - p - 8) / byteRate } : {};
    p += 8 + len + (len & 1);
  }
  return {};
}

function mp3Info(b: Buffer, size: number): Partial<SniffResult> {
  let p = 0;
  if (ascii(b, 0, 3) === "ID3" && b.length >= 10) p = 10 + ((b[6]! << 21) | (b[7]! << 14) | (b[8]! << 7) | b[9]!);
  while (p + 4 <= b.length && !(b[p] === 0xff && (b[p + 1]! & 0xe0) === 0xe0)) p++;
  if (p + 4 > b.length) return {};
  const kbps = MP3_BITRATES[b[p + 2]! >> 4];
  return kbps ? { duration_s: ((size - p) * 8) / (kbps * 1000) } : {};
}

/**
 * Identifies media from their first bytes and reads dimensions and duration, touching only the
 * bytes needed. The type comes from file-type (magic numbers), image dimensions from image-size,
 * audio durations from music-metadata (which reads headers and seeks past sample data). The MP4
 * and QuickTime moov reader below is kept by hand: music-metadata reports MP4 durations only for
 * audio tracks and no video dimensions, and mp4box.js builds every track's sample table to answer.
 * The libraries are loaded on first use, so server start-up does not pay for them.
 */
import { open } from "node:fs/promises";
import { loadPackage } from "../load-package.js";

export type MediaKind = "image" | "video" | "audio";
export interface SniffResult {
  mime: string;
  ext: string;
  kind: MediaKind;
  width?: number;
  height?: number;
  duration_s?: number;
}

/** The types the project handles, with the extension a stored file gets. */
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
  "video/matroska": "mkv",
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
/** file-type's names for variants the project files under one of its own types. */
const SAME_AS: Record<string, string> = {
  "image/apng": "image/png",
  "image/heif": "image/heic",
  "image/heif-sequence": "image/heic",
  "image/heic-sequence": "image/heic",
  "video/x-m4v": "video/mp4",
  "audio/x-m4a": "audio/mp4",
  "audio/ogg; codecs=opus": "audio/ogg",
};

export const extForMime = (mime: string): string | undefined => EXT[mime.toLowerCase()];
export const mimeForExt = (ext: string): string | undefined => MIME_BY_EXT[ext.toLowerCase().replace(/^\./, "")];

/** The type of a file from its head (64 KiB is plenty), with an image's dimensions when the head holds them. */
export async function sniffBytes(head: Uint8Array): Promise<SniffResult | undefined> {
  const { fileTypeFromBuffer } = await loadPackage<typeof import("file-type")>("file-type");
  const found = await fileTypeFromBuffer(head);
  if (!found) return undefined;
  const mime = SAME_AS[found.mime] ?? found.mime;
  const ext = EXT[mime];
  if (!ext) return undefined;
  const kind = mime.slice(0, mime.indexOf("/")) as MediaKind;
  return { mime, ext, kind, ...(kind === "image" ? await imageDimensions(head) : {}) };
}

async function imageDimensions(head: Uint8Array): Promise<Partial<SniffResult>> {
  const { imageSize } = await loadPackage<typeof import("image-size")>("image-size");
  try {
    const { width, height } = imageSize(head);
    return width > 0 && height > 0 ? { width, height } : {};
  } catch {
    return {}; // the dimensions lie past the head (e.g. a JPEG with a large EXIF block)
  }
}

/** Sniffs a file and adds what needs more than the head: MP4/QuickTime duration and size, audio duration. */
export async function probeFile(path: string): Promise<SniffResult | undefined> {
  const fh = await open(path, "r");
  let s: SniffResult | undefined;
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(Math.min(size, 64 * 1024));
    await fh.read(head, 0, head.length, 0);
    s = await sniffBytes(head);
    if (s && (s.mime === "video/mp4" || s.mime === "video/quicktime")) return { ...s, ...(await mp4Info(fh, size)) };
  } finally {
    await fh.close();
  }
  if (s?.kind === "audio") return { ...s, ...(await audioDuration(path)) };
  return s;
}

/** Like probeFile, for bytes already in memory (an input read for a price quote): no copy is written anywhere. */
export async function probeBytes(data: Buffer): Promise<SniffResult | undefined> {
  const s = await sniffBytes(data.subarray(0, 64 * 1024));
  if (s && (s.mime === "video/mp4" || s.mime === "video/quicktime")) {
    const moov = [...boxes(data)].find((b) => b.type === "moov");
    return moov ? { ...s, ...parseMoov(data.subarray(moov.body, moov.end)) } : s;
  }
  if (s?.kind !== "audio") return s;
  const { parseBuffer } = await loadPackage<typeof import("music-metadata")>("music-metadata");
  try {
    const { format } = await parseBuffer(data, { mimeType: s.mime }, { duration: false, skipCovers: true, skipPostHeaders: true });
    return format.duration && Number.isFinite(format.duration) ? { ...s, duration_s: format.duration } : s;
  } catch {
    return s;
  }
}

async function audioDuration(path: string): Promise<Partial<SniffResult>> {
  const { parseFile } = await loadPackage<typeof import("music-metadata")>("music-metadata");
  try {
    // duration: false keeps it from scanning a whole file (it still computes CBR MP3 and WAV durations from the size).
    const { format } = await parseFile(path, { duration: false, skipCovers: true, skipPostHeaders: true });
    return format.duration && Number.isFinite(format.duration) ? { duration_s: format.duration } : {};
  } catch {
    return {}; // unparseable audio: the type is known, the duration is not
  }
}

type Handle = Awaited<ReturnType<typeof open>>;
const ascii = (b: Buffer, start: number, end: number) => b.toString("latin1", start, end);

/** Hops over top-level box headers to the moov box (never reading mdat) and reads it. */
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

/** Duration from mvhd, dimensions from the first track header (tkhd) with a size. */
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

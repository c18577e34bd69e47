/**
 * Audio the gateway simulator speaks: real WAV, MP3 and Ogg Opus files that also carry the spoken
 * text in their metadata (WAV `LIST/INFO/ICMT`, an ID3v2.4 `TXXX:aigc-text` frame, an OpusTags
 * `AIGC_TEXT=` comment), so the simulated speech-to-text can "hear" it back in round-trip tests.
 */
import { makeMp3, makeWav } from "../../sandbox/media-fixtures.js";

const TEXT_KEY = "aigc-text";

// ---------- Ogg Opus ----------
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  return t;
})();

function oggCrc(b: Buffer): number {
  let crc = 0;
  for (const byte of b) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  return crc;
}

function oggPage(packets: Buffer[], opts: { granule: number; serial: number; seq: number; flags: number }): Buffer {
  const lacing: number[] = [];
  for (const p of packets) {
    for (let left = p.length; ; left -= 255) {
      lacing.push(Math.min(left, 255));
      if (left < 255) break;
    }
  }
  if (lacing.length > 255) throw new Error("Ogg page too large");
  const header = Buffer.alloc(27 + lacing.length);
  header.write("OggS", 0, "latin1");
  header[5] = opts.flags;
  header.writeBigUInt64LE(BigInt(opts.granule), 6);
  header.writeUInt32LE(opts.serial, 14);
  header.writeUInt32LE(opts.seq, 18);
  header[26] = lacing.length;
  lacing.forEach((v, i) => (header[27 + i] = v));
  const page = Buffer.concat([header, ...packets]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

const PRE_SKIP = 312;
/** A 20 ms CELT fullband mono frame of silence (libopus's own silence packet). */
const SILENT_FRAME = Buffer.from([0xf8, 0xff, 0xfe]);

export function makeOggOpus(opts: { seconds?: number; comments?: string[] } = {}): Buffer {
  const serial = 0x41494743; // "AIGC"
  const head = Buffer.alloc(19);
  head.write("OpusHead", 0, "latin1");
  head[8] = 1; // version
  head[9] = 1; // mono
  head.writeUInt16LE(PRE_SKIP, 10);
  head.writeUInt32LE(48000, 12);
  const vendor = Buffer.from("aigc-mcp sandbox");
  const comments = (opts.comments ?? []).map((c) => Buffer.from(c, "utf8"));
  const tags = Buffer.concat([
    Buffer.from("OpusTags", "latin1"),
    u32(vendor.length),
    vendor,
    u32(comments.length),
    ...comments.flatMap((c) => [u32(c.length), c]),
  ]);
  const frames = Math.max(1, Math.round(((opts.seconds ?? 1) * 1000) / 20));
  const pages = [oggPage([head], { granule: 0, serial, seq: 0, flags: 0x02 }), oggPage([tags], { granule: 0, serial, seq: 1, flags: 0 })];
  for (let done = 0, seq = 2; done < frames; seq++) {
    const n = Math.min(50, frames - done);
    done += n;
    pages.push(
      oggPage(
        Array.from({ length: n }, () => SILENT_FRAME),
        { granule: done * 960, serial, seq, flags: done === frames ? 0x04 : 0 },
      ),
    );
  }
  return Buffer.concat(pages);
}

/** A little-endian uint32 (Ogg, Opus and RIFF all use them). */
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

// ---------- WAV and MP3 with text ----------
function wavWithComment(seconds: number, text: string): Buffer {
  const wav = makeWav({ seconds, sampleRate: 16000, freqHz: 220 });
  const dataAt = wav.indexOf("data", 12, "latin1");
  const value = Buffer.concat([Buffer.from(text, "utf8"), Buffer.alloc(1)]);
  const icmt = Buffer.concat([Buffer.from("ICMT", "latin1"), u32(value.length), value, Buffer.alloc(value.length & 1)]);
  const list = Buffer.concat([Buffer.from("LIST", "latin1"), u32(4 + icmt.length), Buffer.from("INFO", "latin1"), icmt]);
  const out = Buffer.concat([wav.subarray(0, dataAt), list, wav.subarray(dataAt)]);
  out.writeUInt32LE(out.length - 8, 4);
  return out;
}

const syncsafe = (n: number) => Buffer.from([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f]);

function mp3WithText(seconds: number, text: string): Buffer {
  const body = Buffer.concat([Buffer.from([3]), Buffer.from(TEXT_KEY, "latin1"), Buffer.alloc(1), Buffer.from(text, "utf8")]);
  const frame = Buffer.concat([Buffer.from("TXXX", "latin1"), syncsafe(body.length), Buffer.alloc(2), body]);
  const tag = Buffer.concat([Buffer.from("ID3", "latin1"), Buffer.from([4, 0, 0]), syncsafe(frame.length), frame]);
  return Buffer.concat([tag, makeMp3({ seconds })]);
}

export type SpokenFormat = "mp3" | "wav" | "opus";
export const SPOKEN_MIME: Record<SpokenFormat, string> = { mp3: "audio/mpeg", wav: "audio/wav", opus: "audio/ogg" };

/** Audio of `seconds` length in `format` that carries `text` for readSpokenText. */
export function speak(text: string, format: SpokenFormat, seconds: number): Buffer {
  if (format === "wav") return wavWithComment(seconds, text);
  if (format === "mp3") return mp3WithText(seconds, text);
  return makeOggOpus({ seconds, comments: [`AIGC_TEXT=${text}`] });
}

/** The text `speak` embedded, if the audio carries one. */
export function readSpokenText(audio: Buffer): string | undefined {
  const head = audio.toString("latin1", 0, 4);
  if (head === "RIFF") {
    const at = audio.indexOf("ICMT", 12, "latin1");
    if (at < 0) return undefined;
    const len = audio.readUInt32LE(at + 4);
    return audio.toString("utf8", at + 8, at + 8 + len).replace(/\0+$/, "");
  }
  if (head.startsWith("ID3")) {
    const at = audio.indexOf(`TXXX`, 10, "latin1");
    if (at < 0) return undefined;
    const size = (audio[at + 4]! << 21) | (audio[at + 5]! << 14) | (audio[at + 6]! << 7) | audio[at + 7]!;
    const body = audio.subarray(at + 10, at + 10 + size);
    const key = Buffer.from(`${TEXT_KEY}\0`, "latin1");
    return body.subarray(1, 1 + key.length).equals(key) ? body.subarray(1 + key.length).toString("utf8") : undefined;
  }
  if (head === "OggS") {
    const at = audio.indexOf("OpusTags", 0, "latin1");
    if (at < 0) return undefined;
    let p = at + 8;
    p += 4 + audio.readUInt32LE(p);
    const count = audio.readUInt32LE(p);
    p += 4;
    for (let i = 0; i < count && p + 4 <= audio.length; i++) {
      const len = audio.readUInt32LE(p);
      const c = audio.toString("utf8", p + 4, p + 4 + len);
      if (c.startsWith("AIGC_TEXT=")) return c.slice("AIGC_TEXT=".length);
      p += 4 + len;
    }
  }
  return undefined;
}

/** How the text of a media input is read (see loadMediaInput): data: URIs, raw base64 and URI schemes. */
import { sniffBytes } from "./sniff.js";

/**
 * An RFC 2397 data: URI read: its bytes (base64 or percent-encoded), or what is wrong with it:
 * `joined`, several data: URIs joined by commas (a list sent as one string), or `base64`, data that
 * is not base64. Undefined when it is not a data: URI.
 */
export function dataUriBytes(value: string): { bytes: Buffer } | { problem: "joined" | "base64" } | undefined {
  const m = /^data:(?:[\w.+-]+\/[\w.+-]+)?(?:;[\w-]+=[^;,]*)*(;base64)?,(.*)$/is.exec(value);
  if (!m) return undefined;
  // The first URI's data would run on into the next (Node's base64 decoder skips what is not base64).
  if (/,\s*data:/i.test(m[2]!)) return { problem: "joined" };
  if (!m[1]) return { bytes: percentDecoded(m[2]!) };
  // Percent-escapes are undone before base64 too, as browsers do (WHATWG's data: URL rules): %2B, %2F, %3D.
  const text = (m[2]!.includes("%") ? percentDecoded(m[2]!).toString("latin1") : m[2]!).replace(/[\t\n\f\r ]/g, "");
  return isBase64(text) ? { bytes: Buffer.from(text, "base64") } : { problem: "base64" };
}

/**
 * Whether `text` (whitespace removed) is base64: the standard or URL-safe alphabet (Node decodes
 * both), with at most two `=` of padding at the end, making whole groups of four.
 */
function isBase64(text: string): boolean {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) return false;
  return text.endsWith("=") ? text.length % 4 === 0 : text.length % 4 !== 1;
}

/** Percent-decoding to bytes (not UTF-8 text: `%FF` is the byte 0xFF); a `%` without two hex digits stays as is. */
function percentDecoded(text: string): Buffer {
  const raw = Buffer.from(text, "utf8");
  const out = Buffer.alloc(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const hi = hexValue(raw[i + 1]);
    const lo = hexValue(raw[i + 2]);
    if (raw[i] === 0x25 && hi >= 0 && lo >= 0) {
      out[n++] = (hi << 4) | lo;
      i += 2;
    } else out[n++] = raw[i]!;
  }
  return out.subarray(0, n);
}

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

const BASE64_RE = /^[A-Za-z0-9+/\r\n]+={0,2}$/;

/**
 * True for raw base64 media. A long absolute path made of base64 characters (`/tmp/x/ddd…/photo`)
 * matches the alphabet too, and base64 JPEG or MP3 starts with `/` (`/9j/…`), so a string starting
 * with `/` is base64 only when its first bytes decode to a recognised file type.
 */
export async function isRawBase64(value: string): Promise<boolean> {
  if (value.length <= 256 || !BASE64_RE.test(value)) return false;
  if (!value.startsWith("/")) return true;
  return Boolean(await sniffBytes(Buffer.from(value.slice(0, 88_000), "base64")));
}

const SCHEME_RE = /^([a-z][a-z0-9+.-]+):\/\//i;

/** The scheme of a `<scheme>://…` string (two or more letters: `C://` is a Windows drive), lowercase. */
export function schemeOf(value: string): string | undefined {
  return SCHEME_RE.exec(value)?.[1]?.toLowerCase();
}

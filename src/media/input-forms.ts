/** How the text of a media input is read (see loadMediaInput): data: URIs, raw base64 and URI schemes. */
import { sniffBytes } from "./sniff.js";

/** The bytes of an RFC 2397 data: URI, base64 or percent-encoded; undefined when it is not one. */
export function dataUriBytes(value: string): Buffer | undefined {
  const m = /^data:(?:[\w.+-]+\/[\w.+-]+)?(?:;[\w-]+=[^;,]*)*(;base64)?,(.*)$/is.exec(value);
  if (!m) return undefined;
  // Percent-escapes are undone before base64 too, as browsers do (WHATWG's data: URL rules): %2B, %2F, %3D.
  return m[1] ? Buffer.from(m[2]!.includes("%") ? percentDecoded(m[2]!).toString("latin1") : m[2]!, "base64") : percentDecoded(m[2]!);
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

/** How the text of a media input is read (see loadMediaInput): data: URIs and URI schemes. */

/** The bytes of an RFC 2397 data: URI, base64 or percent-encoded; undefined when it is not one. */
export function dataUriBytes(value: string): Buffer | undefined {
  const m = /^data:(?:[\w.+-]+\/[\w.+-]+)?(?:;[\w-]+=[^;,]*)*(;base64)?,(.*)$/is.exec(value);
  if (!m) return undefined;
  return m[1] ? Buffer.from(m[2]!, "base64") : percentDecoded(m[2]!);
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

const SCHEME_RE = /^([a-z][a-z0-9+.-]+):\/\//i;

/** The scheme of a `<scheme>://…` string (two or more letters: `C://` is a Windows drive), lowercase. */
export function schemeOf(value: string): string | undefined {
  return SCHEME_RE.exec(value)?.[1]?.toLowerCase();
}

/**
 * Minimal JSON Web Tokens (RFC 7519) with HMAC-SHA256: signing for vendors whose API keys are
 * JWT-based (Kling, the AI Gateway) and verification for their simulators. Constant-time
 * signature comparison; claims checked are `nbf` and `exp` only (callers check the rest).
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export type JwtPayload = Record<string, unknown>;

export interface SignOptions {
  alg?: "HS256";
  /** Extra header fields (e.g. `kid`). */
  header?: Record<string, unknown>;
}

export interface VerifyOptions {
  /** Current time in seconds since the epoch (default: the system clock). */
  nowS?: number;
  /** Tolerance for `nbf` and `exp`, in seconds (default 0). */
  skewS?: number;
}

export type VerifyResult =
  | { ok: true; payload: JwtPayload; header: Record<string, unknown> }
  | { ok: false; reason: "malformed" | "algorithm" | "signature" | "not_yet_valid" | "expired"; payload?: JwtPayload };

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

function hs256(input: string, key: string | Buffer): Buffer {
  return createHmac("sha256", key).update(input).digest();
}

export function signJwt(payload: JwtPayload, key: string | Buffer, opts: SignOptions = {}): string {
  const header = { alg: opts.alg ?? "HS256", typ: "JWT", ...opts.header };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${b64url(hs256(input, key))}`;
}

function parsePart(part: string): Record<string, unknown> | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(part)) return undefined;
  try {
    const v = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function verifyJwt(token: string, key: string | Buffer, opts: VerifyOptions = {}): VerifyResult {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[2]) return { ok: false, reason: "malformed" };
  const header = parsePart(parts[0]!);
  const payload = parsePart(parts[1]!);
  if (!header || !payload) return { ok: false, reason: "malformed" };
  if (header.alg !== "HS256") return { ok: false, reason: "algorithm" };
  if (!/^[A-Za-z0-9_-]+$/.test(parts[2])) return { ok: false, reason: "malformed" };
  const given = Buffer.from(parts[2], "base64url");
  const expected = hs256(`${parts[0]}.${parts[1]}`, key);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "signature" };
  const now = opts.nowS ?? Math.floor(Date.now() / 1000);
  const skew = opts.skewS ?? 0;
  if (payload.nbf !== undefined && (typeof payload.nbf !== "number" || now + skew < payload.nbf)) return { ok: false, reason: "not_yet_valid", payload };
  if (payload.exp !== undefined && (typeof payload.exp !== "number" || now - skew >= payload.exp)) return { ok: false, reason: "expired", payload };
  return { ok: true, payload, header };
}

/**
 * Minimal JSON Web Tokens (RFC 7519 / RFC 7518): signing for vendors whose credentials are
 * JWT-based (Kling, the AI Gateway) and verification for their simulators. HMAC algorithms take a
 * secret; RSA, RSA-PSS, ECDSA and EdDSA take a private KeyObject (from a JWK) to sign and a public
 * one to verify. Constant-time HMAC comparison; claims checked are `nbf` and `exp` only (callers
 * check the rest).
 */
import { createHmac, sign as cryptoSign, verify as cryptoVerify, constants, timingSafeEqual, type KeyObject } from "node:crypto";

export type JwtPayload = Record<string, unknown>;

export const JWT_ALGS = [
  "HS256",
  "HS384",
  "HS512",
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
] as const;
export type JwtAlg = (typeof JWT_ALGS)[number];
export type JwtKey = string | Buffer | KeyObject;

export interface SignOptions {
  alg?: JwtAlg;
  /** Extra header fields (e.g. `kid`). */
  header?: Record<string, unknown>;
}

export interface VerifyOptions {
  /** Current time in seconds since the epoch (default: the system clock). */
  nowS?: number;
  /** Tolerance for `nbf` and `exp`, in seconds (default 0). */
  skewS?: number;
  /** Algorithms accepted (default HS256 only). */
  algs?: readonly JwtAlg[];
}

export type VerifyResult =
  | { ok: true; payload: JwtPayload; header: Record<string, unknown> }
  | { ok: false; reason: "malformed" | "algorithm" | "signature" | "not_yet_valid" | "expired"; payload?: JwtPayload };

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

export const isHmacAlg = (alg: JwtAlg) => alg.startsWith("HS");
const digestOf = (alg: JwtAlg) => (alg === "EdDSA" ? null : `sha${alg.slice(2)}`);

function asymmetricOptions(alg: JwtAlg, key: KeyObject) {
  if (alg.startsWith("PS")) return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
  if (alg.startsWith("ES")) return { key, dsaEncoding: "ieee-p1363" as const };
  return { key };
}

function signature(alg: JwtAlg, input: string, key: JwtKey): Buffer {
  if (isHmacAlg(alg)) {
    if (typeof key === "object" && !Buffer.isBuffer(key)) return createHmac(digestOf(alg)!, key.export()).update(input).digest();
    return createHmac(digestOf(alg)!, key).update(input).digest();
  }
  if (typeof key === "string" || Buffer.isBuffer(key)) throw new Error(`${alg} needs a private key, not a shared secret`);
  return cryptoSign(digestOf(alg), Buffer.from(input), asymmetricOptions(alg, key));
}

export function signJwt(payload: JwtPayload, key: JwtKey, opts: SignOptions = {}): string {
  const alg = opts.alg ?? "HS256";
  const header = { alg, typ: "JWT", ...opts.header };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${b64url(signature(alg, input, key))}`;
}

function parsePart(part: string): Record<string, unknown> | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(part)) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function signatureValid(alg: JwtAlg, input: string, given: Buffer, key: JwtKey): boolean {
  if (isHmacAlg(alg)) {
    if (typeof key === "object" && !Buffer.isBuffer(key) && key.type !== "secret") return false;
    const expected = signature(alg, input, key);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
  if (typeof key === "string" || Buffer.isBuffer(key)) return false;
  try {
    return cryptoVerify(digestOf(alg), Buffer.from(input), asymmetricOptions(alg, key), given);
  } catch {
    return false;
  }
}

export function verifyJwt(token: string, key: JwtKey, opts: VerifyOptions = {}): VerifyResult {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[2]) return { ok: false, reason: "malformed" };
  const header = parsePart(parts[0]!);
  const payload = parsePart(parts[1]!);
  if (!header || !payload) return { ok: false, reason: "malformed" };
  const algs: readonly string[] = opts.algs ?? ["HS256"];
  if (typeof header.alg !== "string" || !algs.includes(header.alg)) return { ok: false, reason: "algorithm" };
  if (!/^[A-Za-z0-9_-]+$/.test(parts[2])) return { ok: false, reason: "malformed" };
  if (!signatureValid(header.alg as JwtAlg, `${parts[0]}.${parts[1]}`, Buffer.from(parts[2], "base64url"), key))
    return { ok: false, reason: "signature" };
  const now = opts.nowS ?? Math.floor(Date.now() / 1000);
  const skew = opts.skewS ?? 0;
  if (payload.nbf !== undefined && (typeof payload.nbf !== "number" || now + skew < payload.nbf))
    return { ok: false, reason: "not_yet_valid", payload };
  if (payload.exp !== undefined && (typeof payload.exp !== "number" || now - skew >= payload.exp))
    return { ok: false, reason: "expired", payload };
  return { ok: true, payload, header };
}

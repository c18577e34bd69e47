/**
 * Volcengine "V4" request signing (HMAC-SHA256), as the official signing document and both official
 * SDKs compute it, plus the matching verifier the simulator uses. Two signed-header styles exist:
 * the Node SDK signs every header except a fixed exclusion list (in practice x-content-sha256;x-date),
 * the Python SDK signs content-type, content-md5, host and every x-* header. Servers verify whatever
 * `SignedHeaders` lists, so both are valid.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export const VOLC_ALGORITHM = "HMAC-SHA256";
export type SignStyle = "node" | "python";

const NODE_UNSIGNED = new Set(["authorization", "content-type", "content-length", "user-agent", "presigned-expires", "expect"]);

export interface VolcCredentials {
  accessKeyId: string;
  secretKey: string;
  sessionToken?: string;
}

export interface SignInput {
  method: string;
  /** Path, "/" for the Visual API. */
  path: string;
  /** Query parameters (order irrelevant; canonicalised here). */
  query: Record<string, string | number | undefined | null>;
  /** Headers the request will carry (names any case). Host must be given for the python style. */
  headers: Record<string, string>;
  body: string | Buffer;
  credentials: VolcCredentials;
  region: string;
  service: string;
  date: Date;
  style?: SignStyle;
}

export interface SignOutput {
  /** Headers to add to the request: X-Date, X-Content-Sha256, Authorization (and X-Security-Token). */
  headers: Record<string, string>;
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
  signedHeaders: string;
}

/** RFC 3986 encoding: unreserved A-Z a-z 0-9 - _ . ~ kept, everything else %XX (space is %20). */
export function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

/** Parameters sorted by key, key=value RFC 3986-encoded, joined by "&". Null/undefined become "". */
export function canonicalQueryString(query: Record<string, string | number | undefined | null> | URLSearchParams): string {
  const pairs: Array<[string, string]> =
    query instanceof URLSearchParams
      ? [...query.entries()]
      : Object.entries(query).map(([k, v]) => [k, v === undefined || v === null ? "" : String(v)]);
  return pairs
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

export const sha256Hex = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string): Buffer => createHmac("sha256", key).update(data, "utf8").digest();

/** YYYYMMDD'T'HHMMSS'Z' */
export function xDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
}

/** Trimmed, inner whitespace collapsed. */
const canonicalValue = (v: string): string => v.trim().replace(/\s+/g, " ");

function canonical(
  method: string,
  path: string,
  query: string,
  headers: Record<string, string>,
  signed: string[],
  bodyHash: string,
): string {
  const block = signed.map((n) => `${n}:${canonicalValue(headers[n] ?? "")}\n`).join("");
  return [method.toUpperCase(), path || "/", query, block, signed.join(";"), bodyHash].join("\n");
}

function signingKey(secretKey: string, shortDate: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(secretKey, shortDate), region), service), "request");
}

/** Signs a request; returns the headers to add and the intermediate strings (for tests and debugging). */
export function signVolcRequest(input: SignInput): SignOutput {
  const style = input.style ?? "node";
  const stamp = xDate(input.date);
  const shortDate = stamp.slice(0, 8);
  const bodyHash = sha256Hex(input.body);
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers)) lower[k.toLowerCase()] = v;
  lower["x-date"] = stamp;
  lower["x-content-sha256"] = bodyHash;
  if (input.credentials.sessionToken) lower["x-security-token"] = input.credentials.sessionToken;
  const signed = Object.keys(lower)
    .filter((n) =>
      style === "node" ? !NODE_UNSIGNED.has(n) : n === "content-type" || n === "content-md5" || n === "host" || n.startsWith("x-"),
    )
    .sort();
  const canonicalRequest = canonical(input.method, input.path, canonicalQueryString(input.query), lower, signed, bodyHash);
  const scope = `${shortDate}/${input.region}/${input.service}/request`;
  const stringToSign = [VOLC_ALGORITHM, stamp, scope, sha256Hex(canonicalRequest)].join("\n");
  const signature = createHmac("sha256", signingKey(input.credentials.secretKey, shortDate, input.region, input.service))
    .update(stringToSign)
    .digest("hex");
  const signedHeaders = signed.join(";");
  const headers: Record<string, string> = {
    "X-Date": stamp,
    "X-Content-Sha256": bodyHash,
    Authorization: `${VOLC_ALGORITHM} Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
  if (input.credentials.sessionToken) headers["X-Security-Token"] = input.credentials.sessionToken;
  return { headers, canonicalRequest, stringToSign, signature, signedHeaders };
}

export interface VerifyInput {
  method: string;
  path: string;
  /** The raw query string as received (without "?"). */
  rawQuery: string;
  /** Headers as Node's http server gives them (lower-case names). */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** Secret key for an access key id, or undefined when the id is unknown. */
  secretFor(accessKeyId: string): string | undefined;
  nowMs: number;
  /** Largest accepted difference between X-Date and now (default 15 minutes). */
  maxSkewMs?: number;
  region?: string;
  service?: string;
}

export type VerifyResult =
  | { ok: true; accessKeyId: string; signedHeaders: string[] }
  | {
      ok: false;
      code:
        | "MissingAuthenticationToken"
        | "MissingSignature"
        | "InvalidTimestamp"
        | "InvalidAccessKey"
        | "SignatureDoesNotMatch"
        | "InvalidCredential";
      message: string;
    };

const AUTH_RE =
  /^HMAC-SHA256\s+Credential=([^/\s]+)\/(\d{8})\/([^/\s]+)\/([^/\s]+)\/request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/i;

/** Verifies a signed request from its raw parts (what the simulator receives). */
export function verifyVolcRequest(input: VerifyInput): VerifyResult {
  const h = (n: string): string | undefined => {
    const v = input.headers[n];
    return Array.isArray(v) ? v.join(",") : v;
  };
  const auth = h("authorization");
  if (!auth) return { ok: false, code: "MissingAuthenticationToken", message: "Request is missing the Authorization header" };
  const m = AUTH_RE.exec(auth.trim());
  if (!m)
    return {
      ok: false,
      code: "MissingSignature",
      message: "Authorization is not 'HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…'",
    };
  const [, ak, shortDate, region, service, signedList, signature] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if ((input.region && region !== input.region) || (input.service && service !== input.service)) {
    return {
      ok: false,
      code: "InvalidCredential",
      message: `Credential scope ${region}/${service} does not match ${input.region}/${input.service}`,
    };
  }
  const signed = signedList.toLowerCase().split(";");
  const stamp = h("x-date");
  if (!stamp || !/^\d{8}T\d{6}Z$/.test(stamp))
    return { ok: false, code: "InvalidTimestamp", message: "X-Date is missing or not YYYYMMDD'T'HHMMSS'Z'" };
  if (!signed.includes("x-date")) return { ok: false, code: "SignatureDoesNotMatch", message: "X-Date must be a signed header" };
  const t = Date.UTC(
    +stamp.slice(0, 4),
    +stamp.slice(4, 6) - 1,
    +stamp.slice(6, 8),
    +stamp.slice(9, 11),
    +stamp.slice(11, 13),
    +stamp.slice(13, 15),
  );
  if (Math.abs(input.nowMs - t) > (input.maxSkewMs ?? 15 * 60_000))
    return { ok: false, code: "InvalidTimestamp", message: "The signature of the request is expired" };
  if (stamp.slice(0, 8) !== shortDate)
    return { ok: false, code: "SignatureDoesNotMatch", message: "Credential date does not match X-Date" };
  const sk = input.secretFor(ak);
  if (sk === undefined) return { ok: false, code: "InvalidAccessKey", message: "The access key is invalid" };
  for (const n of signed)
    if (h(n) === undefined) return { ok: false, code: "SignatureDoesNotMatch", message: `signed header ${n} is not in the request` };
  const bodyHash = sha256Hex(input.body);
  const claimed = h("x-content-sha256");
  if (claimed !== undefined && claimed.trim().toLowerCase() !== bodyHash) {
    return { ok: false, code: "SignatureDoesNotMatch", message: "X-Content-Sha256 does not match the request body" };
  }
  const values: Record<string, string> = {};
  for (const n of signed) values[n] = h(n)!;
  const query = canonicalQueryString(new URLSearchParams(input.rawQuery));
  const canonicalRequest = canonical(input.method, input.path, query, values, signed, bodyHash);
  const stringToSign = [VOLC_ALGORITHM, stamp, `${shortDate}/${region}/${service}/request`, sha256Hex(canonicalRequest)].join("\n");
  const expected = createHmac("sha256", signingKey(sk, shortDate, region, service))
    .update(stringToSign)
    .digest();
  const given = Buffer.from(signature, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      ok: false,
      code: "SignatureDoesNotMatch",
      message: "The request signature we calculated does not match the signature you provided",
    };
  }
  return { ok: true, accessKeyId: ak, signedHeaders: signed };
}

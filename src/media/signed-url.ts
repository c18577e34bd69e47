/**
 * Signed download URLs served by the HTTP transport itself (AIGC_MCP_PUBLIC_URL):
 * `<public>/media/<name>?exp=<unix seconds>&sig=<base64url HMAC-SHA256("media\n<name>\n<exp>")>`
 * under AIGC_MCP_MEDIA_URL_SECRET. Anyone holding the URL can fetch that one file until `exp`;
 * nothing else is reachable with it.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export interface DownloadLink {
  url: string;
  /** ISO 8601. */
  expiresAt: string;
}

/** Where a generated file can be fetched by plain HTTP (a signed URL here, a presigned GET for a bucket). */
export interface MediaLinks {
  link(name: string): Promise<DownloadLink>;
}

export type SignatureCheck = "ok" | "expired" | "bad";

export class SignedMediaUrls implements MediaLinks {
  /** The path every media URL starts with, as the public URL spells it (a proxy may keep its prefix). */
  readonly pathPrefix: string;
  /** `<prefix>/media/<name>` and `/media/<name>` (a proxy may strip the prefix), built once. */
  private readonly mediaPaths: RegExp[];
  /** The public URL's origin, which the links this server gives out have. */
  private readonly origin: string;

  /**
   * @param publicUrl externally reachable base URL of the HTTP server, without a trailing slash
   * @param secret HMAC key, at least 32 characters
   * @param ttlS seconds a URL stays valid
   */
  constructor(
    readonly publicUrl: string,
    private readonly secret: string,
    readonly ttlS: number,
  ) {
    this.pathPrefix = pathPrefixOf(publicUrl);
    this.mediaPaths = publicPaths(publicUrl, "media", "[^/]+");
    this.origin = new URL(publicUrl).origin;
  }

  link(name: string, nowMs = Date.now()): Promise<DownloadLink> {
    const exp = Math.floor(nowMs / 1000) + this.ttlS;
    const url = `${this.publicUrl}/media/${encodeURIComponent(name)}?exp=${exp}&sig=${this.sign(name, exp)}`;
    return Promise.resolve({ url, expiresAt: new Date(exp * 1000).toISOString() });
  }

  /** Checks `sig` for `name` and `exp` (as received, strings) in constant time. */
  verify(name: string, exp: string | null, sig: string | null, nowMs = Date.now()): SignatureCheck {
    if (!exp || !sig || !/^\d{1,12}$/.test(exp)) return "bad";
    if (!sameSignature(sig, this.sign(name, Number(exp)))) return "bad";
    return Number(exp) * 1000 < nowMs ? "expired" : "ok";
  }

  /** The file name a request path asks for, or undefined when the path is not a media path. */
  nameFromPath(pathname: string): string | undefined {
    return nameIn(this.mediaPaths, pathname);
  }

  /**
   * The file name `url` names as a download link of this server's: this public URL's origin and
   * `<its path>/media/<name>`, whatever its query. The signature is not checked: it guards the
   * plain-HTTP download, while a tool caller may name any output by its media:// URI anyway, and
   * a link a model cut short or altered still means that output. Else undefined (any other URL).
   */
  outputOf(url: string): string | undefined {
    const u = URL.canParse(url) ? new URL(url) : undefined;
    // Only the path as links are built (the first pattern, with the public URL's path).
    return u && u.origin === this.origin ? nameIn(this.mediaPaths.slice(0, 1), u.pathname) : undefined;
  }

  private sign(name: string, exp: number): string {
    return hmac(this.secret, `media\n${name}\n${exp}`);
  }
}

/** The file name the first of `patterns` (publicPaths) that matches `pathname` captures, decoded; undefined for none or a bad %-escape. */
function nameIn(patterns: RegExp[], pathname: string): string | undefined {
  const step = stepOf(patterns, pathname);
  if (step === undefined) return undefined;
  try {
    return decodeURIComponent(step);
  } catch {
    return undefined;
  }
}

/** The path a public URL's requests start with, without a trailing slash ("" for none). */
function pathPrefixOf(publicUrl: string): string {
  return new URL(publicUrl).pathname.replace(/\/+$/, "");
}

/**
 * Patterns of `<public path>/<segment>/<step>` and `/<segment>/<step>` (a proxy in front may keep or
 * strip the public URL's path), each capturing the step, which must match `step` (a regex source).
 * Used for the signed download URLs here and the vendor task callbacks (net/task-callbacks.ts).
 */
export function publicPaths(publicUrl: string, segment: string, step: string): RegExp[] {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return [...new Set([pathPrefixOf(publicUrl), ""])].map((base) => new RegExp(`^${escape(base)}/${segment}/(${step})$`));
}

/** The step the first of `patterns` (publicPaths) that matches `pathname` captures, or undefined. */
export function stepOf(patterns: RegExp[], pathname: string): string | undefined {
  for (const pattern of patterns) {
    const m = pattern.exec(pathname);
    if (m) return m[1];
  }
  return undefined;
}

/** base64url of HMAC-SHA256(`secret`, `text`): how this server signs the URLs it hands out. */
export function hmac(secret: string, text: string): string {
  return createHmac("sha256", secret).update(text).digest("base64url");
}

/** Whether a received signature is the expected one, compared in constant time. */
export function sameSignature(received: string, expected: string): boolean {
  const got = Buffer.from(received);
  const want = Buffer.from(expected);
  return got.length === want.length && timingSafeEqual(got, want);
}

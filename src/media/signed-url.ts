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
    this.pathPrefix = new URL(publicUrl).pathname.replace(/\/+$/, "");
    this.mediaPaths = [...new Set([this.pathPrefix, ""])].map((base) => new RegExp(`^${escape(base)}/media/([^/]+)$`));
  }

  link(name: string, nowMs = Date.now()): Promise<DownloadLink> {
    const exp = Math.floor(nowMs / 1000) + this.ttlS;
    const url = `${this.publicUrl}/media/${encodeURIComponent(name)}?exp=${exp}&sig=${this.sign(name, exp)}`;
    return Promise.resolve({ url, expiresAt: new Date(exp * 1000).toISOString() });
  }

  /** Checks `sig` for `name` and `exp` (as received, strings) in constant time. */
  verify(name: string, exp: string | null, sig: string | null, nowMs = Date.now()): SignatureCheck {
    if (!exp || !sig || !/^\d{1,12}$/.test(exp)) return "bad";
    const want = Buffer.from(this.sign(name, Number(exp)));
    const got = Buffer.from(sig);
    if (got.length !== want.length || !timingSafeEqual(got, want)) return "bad";
    return Number(exp) * 1000 < nowMs ? "expired" : "ok";
  }

  /** The file name a request path asks for, or undefined when the path is not a media path. */
  nameFromPath(pathname: string): string | undefined {
    for (const pattern of this.mediaPaths) {
      const m = pattern.exec(pathname);
      if (m) {
        try {
          return decodeURIComponent(m[1]!);
        } catch {
          return undefined;
        }
      }
    }
    return undefined;
  }

  private sign(name: string, exp: number): string {
    return createHmac("sha256", this.secret).update(`media\n${name}\n${exp}`).digest("base64url");
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

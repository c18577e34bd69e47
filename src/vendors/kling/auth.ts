/**
 * Kling API tokens: an HS256 JWT `{iss: AccessKey, exp: now+1800, nbf: now-5}` signed with the
 * SecretKey (by jose), reused until shortly before it expires.
 */
import { SignJWT } from "jose/jwt/sign";

export interface KlingTokenOptions {
  /** Clock in milliseconds (tests). */
  now?: () => number;
  /** Token lifetime in seconds (default 1800, the documented value). */
  ttlS?: number;
  /** Mint a new token this many seconds before the current one expires (default 300). */
  refreshBeforeS?: number;
}

export class KlingTokenSource {
  /** The current token (a promise while it is being signed), shared by concurrent callers. */
  private cached?: { token: Promise<string>; exp: number };
  private readonly secret: Uint8Array;
  private readonly now: () => number;
  private readonly ttlS: number;
  private readonly refreshBeforeS: number;

  constructor(
    private readonly accessKey: string,
    secretKey: string,
    opts: KlingTokenOptions = {},
  ) {
    this.secret = new TextEncoder().encode(secretKey);
    this.now = opts.now ?? Date.now;
    this.ttlS = opts.ttlS ?? 1800;
    this.refreshBeforeS = Math.min(opts.refreshBeforeS ?? 300, Math.floor(this.ttlS / 2));
  }

  token(): Promise<string> {
    const nowS = Math.floor(this.now() / 1000);
    if (this.cached && nowS < this.cached.exp - this.refreshBeforeS) return this.cached.token;
    const exp = nowS + this.ttlS;
    const token = new SignJWT({ iss: this.accessKey, exp, nbf: nowS - 5 })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .sign(this.secret);
    const entry = { token, exp };
    this.cached = entry;
    token.catch(() => {
      if (this.cached === entry) this.cached = undefined;
    });
    return token;
  }
}

/**
 * Kling API tokens: an HS256 JWT `{iss: AccessKey, exp: now+1800, nbf: now-5}` signed with the
 * SecretKey, reused until shortly before it expires.
 */
import { signJwt } from "../shared/jwt.js";

export interface KlingTokenOptions {
  /** Clock in milliseconds (tests). */
  now?: () => number;
  /** Token lifetime in seconds (default 1800, the documented value). */
  ttlS?: number;
  /** Mint a new token this many seconds before the current one expires (default 300). */
  refreshBeforeS?: number;
}

export class KlingTokenSource {
  private cached?: { token: string; exp: number };
  private readonly now: () => number;
  private readonly ttlS: number;
  private readonly refreshBeforeS: number;

  constructor(
    private readonly accessKey: string,
    private readonly secretKey: string,
    opts: KlingTokenOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.ttlS = opts.ttlS ?? 1800;
    this.refreshBeforeS = Math.min(opts.refreshBeforeS ?? 300, Math.floor(this.ttlS / 2));
  }

  token(): string {
    const nowS = Math.floor(this.now() / 1000);
    if (this.cached && nowS < this.cached.exp - this.refreshBeforeS) return this.cached.token;
    const exp = nowS + this.ttlS;
    const token = signJwt({ iss: this.accessKey, exp, nbf: nowS - 5 }, this.secretKey, { alg: "HS256" });
    this.cached = { token, exp };
    return token;
  }
}

/**
 * Kling credentials. An API key (console) is sent as is, `Authorization: Bearer <key>`, and works on
 * both API standards. An AK/SK pair signs an HS256 JWT `{iss: AccessKey, exp: now+1800, nbf: now-5}`
 * with the SecretKey (by jose), reused until shortly before it expires; Kling takes it on the legacy
 * endpoints only (the new standard answers 401/1002 "does not support AK/SK").
 */
import { SignJWT } from "jose/jwt/sign";
import { AigcError } from "../../errors.js";
import type { KlingConfig } from "./config.js";
import { KLING } from "./errors.js";

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

/** The Authorization header for each API standard: the API key when set, else the AK/SK JWT (legacy only). */
export class KlingAuth {
  private readonly tokens?: KlingTokenSource;

  constructor(
    private readonly cfg: Pick<KlingConfig, "apiKey" | "accessKey" | "secretKey">,
    opts: KlingTokenOptions = {},
  ) {
    if (!cfg.apiKey && cfg.accessKey && cfg.secretKey) this.tokens = new KlingTokenSource(cfg.accessKey, cfg.secretKey, opts);
  }

  /** Whether calls of this standard can be authenticated (the new one takes an API key only). */
  supports(standard: "legacy" | "new"): boolean {
    return Boolean(this.cfg.apiKey) || (standard === "legacy" && Boolean(this.tokens));
  }

  /** Throws before any call when the new standard is asked for with an AK/SK pair only. */
  assert(standard: "legacy" | "new", what = "this model"): void {
    if (this.supports(standard)) return;
    throw new AigcError({
      category: "auth",
      code: "ApiKeyRequired",
      vendor: KLING,
      message: `${what} is served by Kling's new API standard, which accepts only an API key; only KLING_ACCESS_KEY/KLING_SECRET_KEY are set (they work on the legacy endpoints only)`,
      hint: "Create an API key in the Kling console (API Keys; global: https://kling.ai/dev/api-key) and set KLING_API_KEY, or pick a legacy model (list_models). Nothing was sent.",
    });
  }

  async header(standard: "legacy" | "new"): Promise<string> {
    this.assert(standard, "this endpoint");
    return `Bearer ${this.cfg.apiKey ?? (await this.tokens!.token())}`;
  }
}

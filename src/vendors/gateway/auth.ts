/**
 * Consumer credentials as real HTTP headers on every request (the original plugin put its JWT
 * headers into the JSON body of chat calls, where no gateway reads them). JWTs are signed by jose.
 */
import { randomUUID } from "node:crypto";
import { SignJWT } from "jose/jwt/sign";
import type { GatewayAuthConfig } from "./config.js";

export class GatewayAuth {
  /** The current header value (a promise while the token is being signed), shared by concurrent callers. */
  private cached?: { value: Promise<string>; exp: number };

  constructor(
    private readonly cfg: GatewayAuthConfig,
    private readonly now: () => number = Date.now,
  ) {}

  async headers(): Promise<Record<string, string>> {
    const cfg = this.cfg;
    if (cfg.mode === "key") return { [cfg.header]: cfg.header === "authorization" ? `Bearer ${cfg.apiKey}` : cfg.apiKey };
    return { [cfg.header]: await this.jwtHeaderValue(cfg) };
  }

  /** Reuses the token until a little before it expires (at most 5 minutes, at least half its life left). */
  private jwtHeaderValue(cfg: Extract<GatewayAuthConfig, { mode: "jwt" }>): Promise<string> {
    const nowS = Math.floor(this.now() / 1000);
    const margin = Math.min(300, Math.floor(cfg.ttlS / 2));
    if (this.cached && nowS < this.cached.exp - margin) return this.cached.value;
    const exp = nowS + cfg.ttlS;
    // nbf is backdated by the gateway's 60 s clock skew, as the gateway's own examples do.
    const payload = { jti: randomUUID(), iat: nowS, nbf: nowS - 60, exp, uid: cfg.uid, ...(cfg.issuer ? { iss: cfg.issuer } : {}) };
    const value = new SignJWT(payload)
      .setProtectedHeader({ alg: cfg.alg, typ: "JWT" })
      .sign(cfg.key)
      .then((token) => (cfg.prefix ? `${cfg.prefix} ${token}` : token));
    const entry = { value, exp };
    this.cached = entry;
    value.catch(() => {
      if (this.cached === entry) this.cached = undefined;
    });
    return value;
  }
}

import { generateKeyPairSync, createPublicKey } from "node:crypto";
import { errors, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config.js";
import { GatewayAuth } from "../../src/vendors/gateway/auth.js";
import { parseGatewayConfig, type GatewayAuthConfig } from "../../src/vendors/gateway/config.js";
import { gatewayError } from "../../src/vendors/gateway/errors.js";

const BASE = "https://gw-test.cn-hangzhou.alicloudapi.com/v1";
const SECRET = Buffer.from("0123456789abcdef0123456789abcdef");
const JWKS = JSON.stringify({ keys: [{ kty: "oct", kid: "k1", alg: "HS256", k: SECRET.toString("base64url") }] });

function configError(env: Record<string, string>): string {
  try {
    parseGatewayConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("AI Gateway configuration", () => {
  it("is off with no variables, and a half configuration names what is missing", () => {
    expect(parseGatewayConfig({})).toBeUndefined();
    expect(configError({ AI_GATEWAY_API_KEY: "key-123456" })).toMatch(/^AI_GATEWAY_BASE_URL: is required/);
    expect(configError({ AI_GATEWAY_BASE_URL: BASE })).toMatch(/^AI_GATEWAY_API_KEY: .*AI_GATEWAY_JWT_KEY with AI_GATEWAY_JWT_UID/);
    expect(configError({ AI_GATEWAY_BASE_URL: BASE, AI_GATEWAY_JWT_KEY: JWKS })).toMatch(/^AI_GATEWAY_JWT_UID: is required/);
    expect(configError({ AI_GATEWAY_BASE_URL: BASE, AI_GATEWAY_API_KEY: "key-123456", AI_GATEWAY_JWT_KEY: JWKS })).toMatch(/not both/);
    expect(configError({ AI_GATEWAY_BASE_URL: "gw.example.com/v1", AI_GATEWAY_API_KEY: "key-123456" })).toMatch(
      /^AI_GATEWAY_BASE_URL: must be an http/,
    );
    expect(configError({ AI_GATEWAY_BASE_URL: BASE, AI_GATEWAY_JWT_KEY: "{not json", AI_GATEWAY_JWT_UID: "u" })).toMatch(/not valid JSON/);
    expect(
      configError({ AI_GATEWAY_BASE_URL: BASE, AI_GATEWAY_JWT_KEY: JWKS, AI_GATEWAY_JWT_UID: "u", AI_GATEWAY_JWT_ALG: "RS256" }),
    ).toMatch(/^AI_GATEWAY_JWT_ALG: RS256 does not fit the shared secret/);
    expect(
      configError({ AI_GATEWAY_BASE_URL: BASE, AI_GATEWAY_JWT_KEY: JWKS, AI_GATEWAY_JWT_UID: "u", AI_GATEWAY_JWT_TTL_S: "9999999" }),
    ).toMatch(/^AI_GATEWAY_JWT_TTL_S: must be at most 604800/);
    expect(configError({ AI_GATEWAY_BASE_URL: BASE, AI_GATEWAY_API_KEY: "key-123456", AI_GATEWAY_API_KEY_HEADER: "bad header" })).toMatch(
      /^AI_GATEWAY_API_KEY_HEADER: must be an HTTP header name/,
    );
  });

  it("reads models, the voice and the key header", async () => {
    const cfg = parseGatewayConfig({
      AI_GATEWAY_BASE_URL: BASE + "/",
      AI_GATEWAY_API_KEY: "key-123456",
      AI_GATEWAY_API_KEY_HEADER: "X-Api-Key",
      AI_GATEWAY_CHAT_MODEL: "qwen-plus",
      AI_GATEWAY_TTS_VOICE: "longxiaochun",
    })!;
    expect(cfg.baseUrl).toBe(BASE);
    expect(cfg.models).toEqual({ chat: "qwen-plus" });
    expect(cfg.voice).toBe("longxiaochun");
    expect(await new GatewayAuth(cfg.auth).headers()).toEqual({ "x-api-key": "key-123456" });
    const bearer = parseGatewayConfig({ AI_GATEWAY_BASE_URL: BASE, AI_GATEWAY_API_KEY: "key-123456" })!;
    expect(await new GatewayAuth(bearer.auth).headers()).toEqual({ authorization: "Bearer key-123456" });
  });
});

describe("AI Gateway JWT auth", () => {
  it("mints the consumer token from a JWKS oct key as a real header, and reuses it until near expiry", async () => {
    const cfg = parseGatewayConfig({
      AI_GATEWAY_BASE_URL: BASE,
      AI_GATEWAY_JWT_KEY: JWKS,
      AI_GATEWAY_JWT_UID: "consumer-1",
      AI_GATEWAY_JWT_ISSUER: "aigc-mcp",
      AI_GATEWAY_JWT_TTL_S: "600",
      AI_GATEWAY_JWT_HEADER: "X-Jwt",
      AI_GATEWAY_JWT_PREFIX: "none",
    })!;
    let now = 1_800_000_000_000;
    const auth = new GatewayAuth(cfg.auth, () => now);
    const [a, b] = await Promise.all([auth.headers(), auth.headers()]); // concurrent callers share one signing
    const first = a["x-jwt"]!;
    expect(b["x-jwt"]).toBe(first);
    expect(first.startsWith("eyJ")).toBe(true);
    const v = await jwtVerify(first, SECRET, { algorithms: ["HS256"], currentDate: new Date(now) });
    expect(v.protectedHeader).toEqual({ alg: "HS256", typ: "JWT" });
    expect(v.payload).toMatchObject({
      uid: "consumer-1",
      iss: "aigc-mcp",
      iat: 1_800_000_000,
      nbf: 1_800_000_000 - 60,
      exp: 1_800_000_600,
    });
    now += 250_000; // still more than 300 s... of a 600 s token: margin is min(300, 300)
    expect((await auth.headers())["x-jwt"]).toBe(first);
    now += 60_000;
    expect((await auth.headers())["x-jwt"]).not.toBe(first);
  });

  it("uses a raw secret and HS512, or an asymmetric private JWK", async () => {
    const raw = parseGatewayConfig({
      AI_GATEWAY_BASE_URL: BASE,
      AI_GATEWAY_JWT_KEY: "plain-shared-secret",
      AI_GATEWAY_JWT_UID: "u1",
      AI_GATEWAY_JWT_ALG: "HS512",
    })!;
    const token = (await new GatewayAuth(raw.auth).headers()).authorization!.replace(/^Bearer /, "");
    const secret = new TextEncoder().encode("plain-shared-secret");
    expect((await jwtVerify(token, secret, { algorithms: ["HS512"] })).protectedHeader).toMatchObject({ alg: "HS512" });
    await expect(jwtVerify(token, secret, { algorithms: ["HS256"] })).rejects.toBeInstanceOf(errors.JOSEAlgNotAllowed);

    for (const [type, alg] of [
      ["ec", "ES256"],
      ["rsa", "PS256"],
      ["ed25519", "EdDSA"],
    ] as const) {
      const { privateKey } =
        type === "ec"
          ? generateKeyPairSync("ec", { namedCurve: "P-256" })
          : type === "rsa"
            ? generateKeyPairSync("rsa", { modulusLength: 2048 })
            : generateKeyPairSync("ed25519");
      const jwk = { ...privateKey.export({ format: "jwk" }), alg };
      const cfg = parseGatewayConfig({
        AI_GATEWAY_BASE_URL: BASE,
        AI_GATEWAY_JWT_KEY: JSON.stringify({ keys: [jwk] }),
        AI_GATEWAY_JWT_UID: "u2",
      })!;
      expect((cfg.auth as Extract<GatewayAuthConfig, { mode: "jwt" }>).alg).toBe(alg);
      const t = (await new GatewayAuth(cfg.auth).headers()).authorization!.slice("Bearer ".length);
      expect((await jwtVerify(t, createPublicKey(privateKey), { algorithms: [alg] })).payload).toMatchObject({ uid: "u2" });
    }
  });
  it("refuses a private key that cannot sign with the algorithm: short RSA, another EC curve, Ed448", () => {
    const env = (privateKey: ReturnType<typeof generateKeyPairSync>["privateKey"], alg: string) => ({
      AI_GATEWAY_BASE_URL: BASE,
      AI_GATEWAY_JWT_KEY: JSON.stringify({ keys: [{ ...privateKey.export({ format: "jwk" }), alg }] }),
      AI_GATEWAY_JWT_UID: "u3",
    });
    expect(configError(env(generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey, "RS256"))).toBe(
      "AI_GATEWAY_JWT_ALG: RS256 needs an RSA key of 2048 bits or more; this one has 1024",
    );
    expect(configError(env(generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey, "ES256"))).toBe(
      "AI_GATEWAY_JWT_ALG: ES256 does not fit the ec key in AI_GATEWAY_JWT_KEY",
    );
    expect(configError(env(generateKeyPairSync("ed448").privateKey, "EdDSA"))).toMatch(
      /^AI_GATEWAY_JWT_ALG: EdDSA does not fit the ed448 key .*Ed25519/,
    );
  });
});

describe("AI Gateway error mapping", () => {
  const keyAuth: GatewayAuthConfig = { mode: "key", apiKey: "k", header: "authorization" };
  const map = (status: number, body: string, extra: Partial<Parameters<typeof gatewayError>[0]> = {}) =>
    gatewayError({
      status,
      headers: { "x-request-id": "rid-1" },
      body,
      path: "chat/completions",
      auth: keyAuth,
      modelVar: "AI_GATEWAY_CHAT_MODEL",
      ...extra,
    });

  it("maps the gateway's plain-text auth and rate-limit answers", () => {
    const missing = map(401, "Request denied by Key Auth check. No Key Authentication information found.");
    expect(missing.info).toMatchObject({ category: "auth", code: "KeyMissing", httpStatus: 401, requestId: "rid-1" });
    expect(missing.info.hint).toMatch(/AI_GATEWAY_API_KEY_HEADER/);
    expect(map(403, "Request denied by Key Auth check. Unauthorized consumer.").info).toMatchObject({
      category: "permission",
      code: "ConsumerUnauthorized",
    });
    const jwtAuth: GatewayAuthConfig = {
      mode: "jwt",
      key: undefined as never,
      alg: "HS256",
      uid: "u9",
      ttlS: 60,
      header: "authorization",
      prefix: "Bearer",
    };
    expect(map(401, "Request denied by JWT Auth check. JWT is expired.", { auth: jwtAuth }).info).toMatchObject({
      category: "auth",
      code: "JwtExpired",
    });
    expect(map(401, "Request denied by JWT Auth check. JWT verification fails", { auth: jwtAuth }).info.hint).toMatch(/AI_GATEWAY_JWT_KEY/);
    expect(map(403, "Request denied by JWT Auth check. Unauthorized consumer.", { auth: jwtAuth }).info.hint).toMatch(/uid "u9"/);
    // A JWT the key-auth check answered: the header or prefix, not the uid, is what to check.
    const keyChecked = map(403, "Request denied by Key Auth check. Unauthorized consumer.", { auth: { ...jwtAuth, prefix: "" } });
    expect(keyChecked.info.code).toBe("ConsumerUnauthorized");
    expect(keyChecked.info.hint).toMatch(
      /checked this request with key auth, not JWT.*AI_GATEWAY_JWT_PREFIX; now "authorization" with prefix "none"/,
    );
    expect(keyChecked.info.hint).not.toMatch(/AI_GATEWAY_JWT_UID/);
    const limited = map(429, "Too many requests", { headers: { "retry-after": "2" } });
    expect(limited.info).toMatchObject({
      category: "rate_limit",
      code: "HTTP429",
      message: "Too many requests",
      retryAfterMs: 2000,
    });
    expect(map(404, "no route").info.hint).toMatch(/ends in \/v1/);
  });

  it("passes OpenAI-style and DashScope-style errors on with their code", () => {
    const nf = map(
      404,
      JSON.stringify({ error: { message: "The model `x` does not exist", type: "invalid_request_error", code: "model_not_found" } }),
    );
    expect(nf.info).toMatchObject({ category: "not_found", code: "model_not_found", message: "The model `x` does not exist" });
    expect(nf.info.hint).toMatch(/AI_GATEWAY_CHAT_MODEL/);
    expect(
      map(400, JSON.stringify({ error: { message: "Input data may contain inappropriate content.", code: "data_inspection_failed" } })).info
        .category,
    ).toBe("content_policy");
    expect(
      map(400, JSON.stringify({ code: "InvalidParameter", message: "temperature out of range", request_id: "ds-1" }), { headers: {} }).info,
    ).toMatchObject({ category: "invalid_input", code: "InvalidParameter", requestId: "ds-1" });
    expect(map(429, JSON.stringify({ error: { message: "You exceeded your quota", code: "insufficient_quota" } })).info.category).toBe(
      "quota",
    );
    expect(map(502, "<html>Bad Gateway</html>").info).toMatchObject({ category: "vendor", code: "HTTP502", message: "Bad Gateway" });
  });
});

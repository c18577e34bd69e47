/**
 * Alibaba Cloud AI Gateway configuration. The gateway is the customer's own (no default host);
 * a consumer authenticates with an API key (Bearer or a custom header) or a JWT minted here from
 * the consumer's JWKS key. Default models per capability let the tools run with no `model` arg.
 */
import { createPrivateKey, createSecretKey, type KeyObject } from "node:crypto";
import { z } from "zod";
import { ConfigError, envValue, zInt, zUrl, type Env, type EnvVar } from "../../config.js";

/** The JWS algorithms the gateway's jwt-auth accepts for consumer tokens (all signed by jose). */
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

/** The vendor id: folder names, plugin id and the vendor part of job ids (never renamed: job ids carry it). */
export const VENDOR_ID = "gateway";

export const GATEWAY_DEFAULT_TIMEOUT_S = 120;
export const GATEWAY_DEFAULT_JWT_TTL_S = 7200;
/** The gateway's own cap on a consumer token's lifetime, as in the original plugin. */
export const GATEWAY_MAX_JWT_TTL_S = 604_800;

export const GATEWAY_MODEL_VARS = {
  chat: "AI_GATEWAY_CHAT_MODEL",
  embed: "AI_GATEWAY_EMBED_MODEL",
  rerank: "AI_GATEWAY_RERANK_MODEL",
  stt: "AI_GATEWAY_STT_MODEL",
  tts: "AI_GATEWAY_TTS_MODEL",
} as const;
export type GatewayCapability = keyof typeof GATEWAY_MODEL_VARS;

/** The OpenAI-compatible path each capability calls, under AI_GATEWAY_BASE_URL (also its endpoint name in list_models). */
export const GATEWAY_PATHS: Record<GatewayCapability, string> = {
  chat: "chat/completions",
  embed: "embeddings",
  rerank: "rerank",
  stt: "audio/transcriptions",
  tts: "audio/speech",
};

/** What a per-capability default model variable does, for `--help` and the README. */
function modelVarHelp(tool: string, example: string): string {
  return `Default model for \`${tool}\` (e.g. \`${example}\`). A call without \`model\` and without this variable fails with a message naming it.`;
}

export const GATEWAY_ENV: EnvVar[] = [
  {
    name: "AI_GATEWAY_BASE_URL",
    description:
      "The gateway's OpenAI-compatible base URL including the `/v1` base path, e.g. `https://gw-xxxx.cn-hangzhou.alicloudapi.com/v1` (paths such as `chat/completions` are appended). Required; with a key or a JWT key it enables the `gateway_*` tools.",
  },
  {
    name: "AI_GATEWAY_API_KEY",
    description:
      "Key auth: the consumer's API key, sent as `Authorization: Bearer <key>` (or raw in `AI_GATEWAY_API_KEY_HEADER`). Set this or `AI_GATEWAY_JWT_KEY`, not both.",
    secret: true,
  },
  {
    name: "AI_GATEWAY_API_KEY_HEADER",
    description: "When the consumer's key source is a custom header (e.g. `x-api-key`), its name; the raw key is sent in it.",
    default: "Authorization",
  },
  {
    name: "AI_GATEWAY_JWT_KEY",
    description:
      'JWT auth: the consumer\'s JWKS as shown by the gateway (`{"keys":[{"kty":"oct","k":"…"}]}`), a single JWK, a private RSA/EC/OKP JWK for your own asymmetric JWKS, or the raw shared secret.',
    secret: true,
  },
  {
    name: "AI_GATEWAY_JWT_UID",
    description: "The consumer id put in the `uid` claim (from the gateway's consumer page; required with a JWT key).",
  },
  {
    name: "AI_GATEWAY_JWT_ALG",
    description: `Signing algorithm, one of ${JWT_ALGS.join(", ")}; must fit the key (RSA of 2048 bits or more, the ES curve, Ed25519 for EdDSA). Default: the JWK's \`alg\`, else HS256.`,
  },
  { name: "AI_GATEWAY_JWT_ISSUER", description: "Optional `iss` claim." },
  {
    name: "AI_GATEWAY_JWT_TTL_S",
    description: `Token lifetime (60–${GATEWAY_MAX_JWT_TTL_S} s). Tokens carry \`jti\`, \`iat\`, \`nbf\` (60 s back, the gateway's skew), \`exp\`, \`uid\`; one is reused until shortly before it expires.`,
    default: String(GATEWAY_DEFAULT_JWT_TTL_S),
  },
  { name: "AI_GATEWAY_JWT_HEADER", description: "Header the gateway reads the JWT from.", default: "Authorization" },
  { name: "AI_GATEWAY_JWT_PREFIX", description: "Prefix before the token in that header; `none` sends the bare token.", default: "Bearer" },
  { name: "AI_GATEWAY_CHAT_MODEL", description: modelVarHelp("gateway_chat", "qwen-plus") },
  { name: "AI_GATEWAY_EMBED_MODEL", description: modelVarHelp("gateway_embed", "text-embedding-v4") },
  { name: "AI_GATEWAY_RERANK_MODEL", description: modelVarHelp("gateway_rerank", "gte-rerank-v2") },
  { name: "AI_GATEWAY_STT_MODEL", description: modelVarHelp("gateway_transcribe", "paraformer-v2") },
  { name: "AI_GATEWAY_TTS_MODEL", description: modelVarHelp("gateway_speech", "cosyvoice-v2") },
  { name: "AI_GATEWAY_TTS_VOICE", description: "Default voice for `gateway_speech` (e.g. `longxiaochun`, `alloy`)." },
  {
    name: "AI_GATEWAY_TIMEOUT_S",
    description:
      "Timeout for one gateway request: to the response headers and between body chunks (a streamed chat answer may take longer overall).",
    default: String(GATEWAY_DEFAULT_TIMEOUT_S),
  },
];

export type GatewayAuthConfig =
  | { mode: "key"; apiKey: string; header: string }
  | { mode: "jwt"; key: KeyObject; alg: JwtAlg; uid: string; issuer?: string; ttlS: number; header: string; prefix: string };

export interface GatewayConfig {
  baseUrl: string;
  auth: GatewayAuthConfig;
  models: Partial<Record<GatewayCapability, string>>;
  voice?: string;
  timeoutMs: number;
}

const zHeaderName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "must be an HTTP header name");

interface Jwk {
  kty?: string;
  k?: string;
  d?: string;
  alg?: string;
}

/** A JWKS (`{"keys":[…]}`), a single JWK, or a raw secret, into a signing key and its JWK alg. */
export function parseJwtKey(raw: string): { key: KeyObject; jwkAlg?: string } {
  const text = raw.trim();
  if (!text.startsWith("{")) return { key: createSecretKey(Buffer.from(text, "utf8")) };
  let parsed: { keys?: Jwk[] } & Jwk;
  try {
    parsed = JSON.parse(text) as { keys?: Jwk[] } & Jwk;
  } catch {
    throw new ConfigError(
      "AI_GATEWAY_JWT_KEY",
      "starts with { but is not valid JSON; paste the JWKS exactly as the gateway shows it, or the raw secret",
    );
  }
  const keys = Array.isArray(parsed.keys) ? parsed.keys : [parsed];
  const jwk = keys.find((k) => k.kty === "oct" && k.k) ?? keys.find((k) => k.d);
  if (!jwk)
    throw new ConfigError(
      "AI_GATEWAY_JWT_KEY",
      "holds no usable key: expected an oct key with k, or a private RSA/EC/OKP key with d (a public key cannot sign)",
    );
  if (jwk.kty === "oct") {
    const secret = Buffer.from(jwk.k!, "base64url");
    if (!secret.length) throw new ConfigError("AI_GATEWAY_JWT_KEY", "the oct key's k is empty");
    return { key: createSecretKey(secret), jwkAlg: jwk.alg };
  }
  try {
    return { key: createPrivateKey({ key: jwk as never, format: "jwk" }), jwkAlg: jwk.alg };
  } catch (err) {
    throw new ConfigError("AI_GATEWAY_JWT_KEY", `the ${jwk.kty} key could not be loaded (${(err as Error).message})`);
  }
}

const EC_CURVES: Record<string, string> = { ES256: "prime256v1", ES384: "secp384r1", ES512: "secp521r1" };

/** Why the key cannot sign with the algorithm (jose refuses these), or undefined when it can. */
function keyMismatch(key: KeyObject, alg: JwtAlg): string | undefined {
  const what = key.type === "secret" ? "shared secret" : `${key.asymmetricKeyType} key`;
  const misfit = `${alg} does not fit the ${what} in AI_GATEWAY_JWT_KEY`;
  if (alg.startsWith("HS")) return key.type === "secret" ? undefined : misfit;
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  if (alg.startsWith("RS") || alg.startsWith("PS")) {
    if (type !== "rsa") return misfit;
    const bits = details.modulusLength ?? 0;
    return bits >= 2048 ? undefined : `${alg} needs an RSA key of 2048 bits or more; this one has ${bits}`;
  }
  if (alg.startsWith("ES")) return type === "ec" && details.namedCurve === EC_CURVES[alg] ? undefined : misfit;
  return type === "ed25519" ? undefined : `${misfit} (EdDSA tokens are signed with Ed25519 keys)`;
}

function parseAuth(env: Env): GatewayAuthConfig | undefined {
  const apiKey = envValue(env, "AI_GATEWAY_API_KEY", z.string().min(4, "looks too short to be a gateway API key").optional());
  const jwtKey = envValue(env, "AI_GATEWAY_JWT_KEY", z.string().optional());
  if (apiKey && jwtKey)
    throw new ConfigError("AI_GATEWAY_JWT_KEY", "set either AI_GATEWAY_API_KEY (key auth) or AI_GATEWAY_JWT_KEY (JWT auth), not both");
  if (apiKey) {
    return {
      mode: "key",
      apiKey,
      header: (envValue(env, "AI_GATEWAY_API_KEY_HEADER", zHeaderName.optional()) ?? "Authorization").toLowerCase(),
    };
  }
  if (!jwtKey) return undefined;
  const { key, jwkAlg } = parseJwtKey(jwtKey);
  const uid = envValue(env, "AI_GATEWAY_JWT_UID", z.string().optional());
  if (!uid)
    throw new ConfigError(
      "AI_GATEWAY_JWT_UID",
      "is required with AI_GATEWAY_JWT_KEY: copy the consumer's uid from the gateway's consumer page",
    );
  const algValue = envValue(env, "AI_GATEWAY_JWT_ALG", z.enum(JWT_ALGS, `must be one of ${JWT_ALGS.join(", ")}`).optional());
  const alg =
    algValue ?? ((JWT_ALGS as readonly string[]).includes(jwkAlg ?? "") ? (jwkAlg as JwtAlg) : key.type === "secret" ? "HS256" : undefined);
  if (!alg) throw new ConfigError("AI_GATEWAY_JWT_ALG", "is required for this key (its JWK names no algorithm)");
  const mismatch = keyMismatch(key, alg);
  if (mismatch) throw new ConfigError("AI_GATEWAY_JWT_ALG", mismatch);
  const prefix = envValue(env, "AI_GATEWAY_JWT_PREFIX", z.string().optional()) ?? "Bearer";
  return {
    mode: "jwt",
    key,
    alg,
    uid,
    issuer: envValue(env, "AI_GATEWAY_JWT_ISSUER", z.string().optional()),
    ttlS: envValue(env, "AI_GATEWAY_JWT_TTL_S", zInt(60, GATEWAY_MAX_JWT_TTL_S).optional()) ?? GATEWAY_DEFAULT_JWT_TTL_S,
    header: (envValue(env, "AI_GATEWAY_JWT_HEADER", zHeaderName.optional()) ?? "Authorization").toLowerCase(),
    prefix: prefix.toLowerCase() === "none" ? "" : prefix,
  };
}

/** Returns undefined when the gateway is not configured at all; a half configuration is an error. */
export function parseGatewayConfig(env: Env): GatewayConfig | undefined {
  const baseUrl = envValue(env, "AI_GATEWAY_BASE_URL", zUrl.optional());
  const auth = parseAuth(env);
  if (!baseUrl && !auth) return undefined;
  if (!baseUrl)
    throw new ConfigError(
      "AI_GATEWAY_BASE_URL",
      "is required with gateway credentials: set your gateway's OpenAI-compatible URL, ending in /v1",
    );
  if (!auth)
    throw new ConfigError(
      "AI_GATEWAY_API_KEY",
      "AI_GATEWAY_BASE_URL is set but no credential: set AI_GATEWAY_API_KEY, or AI_GATEWAY_JWT_KEY with AI_GATEWAY_JWT_UID",
    );
  const models: GatewayConfig["models"] = {};
  for (const [cap, name] of Object.entries(GATEWAY_MODEL_VARS)) {
    const v = envValue(env, name, z.string().optional());
    if (v) models[cap as GatewayCapability] = v.trim();
  }
  const timeoutS = envValue(env, "AI_GATEWAY_TIMEOUT_S", zInt(1, 3600).optional()) ?? GATEWAY_DEFAULT_TIMEOUT_S;
  return { baseUrl, auth, models, voice: envValue(env, "AI_GATEWAY_TTS_VOICE", z.string().optional()), timeoutMs: timeoutS * 1000 };
}

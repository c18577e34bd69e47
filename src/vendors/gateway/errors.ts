/**
 * AI Gateway error mapping. Two sources answer: the gateway itself, in plain text (key-auth and
 * jwt-auth rejections, `Too many requests` from its rate limiter, `no route`), and the model
 * behind it, usually OpenAI-style `{"error": {message, type, code}}` (DashScope's `{code, message}`
 * is read too). Each becomes an AigcError that says which variable or argument to change.
 */
import type { AigcError, ErrorCategory } from "../../errors.js";
import { requestIdOf } from "../../net/http.js";
import { answerWords, httpFailure } from "../kit/errors.js";
import type { GatewayAuthConfig } from "./config.js";

export const GATEWAY = "AI Gateway";

const MODERATION = /data_inspection|inappropriate|content.?(policy|filter)|moderation|sensitive|safety/i;

interface GatewayFacts {
  status: number;
  headers: Record<string, string>;
  body: string;
  requestId?: string;
  /** The path called, relative to AI_GATEWAY_BASE_URL (e.g. `chat/completions`). */
  path: string;
  auth: GatewayAuthConfig;
  /** Env var naming the default model for this call, for model-not-found hints. */
  modelVar?: string;
}

function authHint(f: GatewayFacts, text: string): { code: string; hint: string; category: ErrorCategory } {
  const a = f.auth;
  if (/JWT is missing/i.test(text)) {
    return {
      code: "JwtMissing",
      category: "auth",
      hint:
        a.mode === "jwt"
          ? `The gateway found no token in the header it reads: set AI_GATEWAY_JWT_HEADER / AI_GATEWAY_JWT_PREFIX to match the consumer's JWT settings (now "${a.header}" with prefix "${a.prefix || "none"}").`
          : "This route uses JWT auth: configure AI_GATEWAY_JWT_KEY and AI_GATEWAY_JWT_UID instead of an API key.",
    };
  }
  if (/JWT is expired/i.test(text))
    return {
      code: "JwtExpired",
      category: "auth",
      hint: "The token was already expired when the gateway read it: check this machine's clock (the gateway allows 60 s of skew).",
    };
  if (/JWT verification fail|JWT token/i.test(text)) {
    return {
      code: "JwtInvalid",
      category: "auth",
      hint: "The gateway could not verify the token: check that AI_GATEWAY_JWT_KEY is the consumer's current JWKS and AI_GATEWAY_JWT_ALG matches it.",
    };
  }
  if (/No Key Authentication information|No API key found/i.test(text)) {
    return {
      code: "KeyMissing",
      category: "auth",
      hint:
        a.mode === "key"
          ? `The gateway found no key where it looks: if the consumer's key source is a custom header, set AI_GATEWAY_API_KEY_HEADER to it (now "${a.header}").`
          : "This route uses key auth: set AI_GATEWAY_API_KEY instead of a JWT key.",
    };
  }
  if (/Multi Key Authentication/i.test(text))
    return {
      code: "KeyDuplicated",
      category: "auth",
      hint: "The request carried more than one key; remove extra credentials from the gateway route or consumer configuration.",
    };
  if (/Invalid API key/i.test(text))
    return {
      code: "KeyInvalid",
      category: "auth",
      hint: "AI_GATEWAY_API_KEY is not a key of any consumer of this gateway; copy it again from the consumer page and restart.",
    };
  // The key-auth plugin answered a JWT: it did not find the token where the JWT plugin reads it.
  if (a.mode === "jwt" && /Key Auth/i.test(text))
    return {
      code: /No Key Authentication/i.test(text) ? "KeyMissing" : "ConsumerUnauthorized",
      category: f.status === 401 ? "auth" : "permission",
      hint: `The gateway checked this request with key auth, not JWT: either the route uses key auth (set AI_GATEWAY_API_KEY instead of a JWT key), or the token is not where the consumer's JWT settings read it (set AI_GATEWAY_JWT_HEADER / AI_GATEWAY_JWT_PREFIX; now "${a.header}" with prefix "${a.prefix || "none"}").`,
    };
  if (/Unauthorized consumer|not allow/i.test(text)) {
    return {
      code: "ConsumerUnauthorized",
      category: f.status === 401 ? "auth" : "permission",
      hint:
        a.mode === "key"
          ? "The gateway does not accept this key for this route: check AI_GATEWAY_API_KEY, and that the consumer is authorised for the Model API serving this capability."
          : `The gateway does not accept consumer uid "${a.uid}" for this route: check AI_GATEWAY_JWT_UID and the consumer's authorisation for this Model API.`,
    };
  }
  return {
    code: `HTTP${f.status}`,
    category: f.status === 401 ? "auth" : "permission",
    hint: "Check the consumer credential settings (AI_GATEWAY_API_KEY or AI_GATEWAY_JWT_*) and that the consumer may use this Model API.",
  };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const str = (v: unknown) => (typeof v === "string" && v ? v : typeof v === "number" ? String(v) : undefined);

export function gatewayError(f: GatewayFacts): AigcError {
  const json = parseJson(f.body);
  const nested = json?.error && typeof json.error === "object" ? (json.error as Record<string, unknown>) : undefined;
  const message = str(nested?.message) ?? str(json?.error) ?? str(json?.message) ?? answerWords(f.body, f.status);
  const code = str(nested?.code) ?? str(nested?.type) ?? str(json?.code) ?? str(json?.type);
  const requestId = f.requestId ?? requestIdOf(f.headers) ?? str(json?.request_id) ?? str(json?.requestId);
  if ((f.status === 401 || f.status === 403) && !json)
    return httpFailure(GATEWAY, f.status, f.headers, {
      requestId,
      message,
      ...authHint(f, f.body),
      baseUrlVariable: "AI_GATEWAY_BASE_URL",
    });
  // The gateway's and its models' own wording refines the kit's status ladder.
  let category: ErrorCategory | undefined;
  let hint: string | undefined;
  const both = `${code ?? ""} ${message}`;
  if (f.status === 401) {
    hint = "The model behind the gateway rejected the call's credentials: check the gateway's upstream API key for this Model API.";
  } else if (f.status === 403) {
    category = /quota|balance|arrear/i.test(both) ? "quota" : "permission";
  } else if (f.status === 404) {
    hint = /model/i.test(both)
      ? `The gateway does not serve this model: pass another model${f.modelVar ? ` or change ${f.modelVar}` : ""} (names are the gateway's Model API names).`
      : `The gateway has no route for ${f.path}: check that AI_GATEWAY_BASE_URL ends in /v1 and that your gateway exposes this capability.`;
  } else if (f.status === 429) {
    category = /quota|insufficient/i.test(both) ? "quota" : "rate_limit";
    hint =
      category === "rate_limit"
        ? "The gateway's rate limit for this consumer was hit; wait a little and call again, or ask the gateway owner to raise the limit."
        : undefined;
  } else if (f.status === 413) {
    hint = "The request body was too large for the gateway: send fewer or shorter texts, or a smaller audio file.";
  } else if (f.status === 400 || f.status === 422) {
    category = MODERATION.test(both) ? "content_policy" : "invalid_input";
    if (category === "invalid_input") hint = "Change the argument the message names and call again.";
  }
  return httpFailure(GATEWAY, f.status, f.headers, {
    category,
    code: code ?? `HTTP${f.status}`,
    requestId,
    message,
    hint,
    baseUrlVariable: "AI_GATEWAY_BASE_URL",
  });
}

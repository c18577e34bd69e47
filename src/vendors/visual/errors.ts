/**
 * Volcengine Visual errors: the service envelope's codes (50xxx) and the gateway's
 * `ResponseMetadata.Error`, each mapped to an actionable AigcError.
 */
import { AigcError, type ErrorCategory } from "../../errors.js";
import type { HttpResponse } from "../../net/http.js";
import { httpFailure } from "../kit/errors.js";
import type { VisualEnvelope } from "./client.js";

export const VISUAL = "Volcengine Visual";

export interface GatewayMeta {
  RequestId?: string;
  Action?: string;
  Error?: { Code?: string; Message?: string; CodeN?: number } | null;
}

/** Meaning and handling of the documented service codes. */
const SERVICE_CODES: Record<number, { category: ErrorCategory; meaning: string; hint?: string }> = {
  50200: {
    category: "invalid_input",
    meaning: "invalid argument (ECReqInvalidArgs)",
    hint: "Check the parameters against the model's documented ranges.",
  },
  50201: { category: "invalid_input", meaning: "missing argument (ECReqMissingArgs)", hint: "Add the parameter the message names." },
  50204: { category: "invalid_input", meaning: "arguments could not be parsed (ECParseArgs)" },
  50205: {
    category: "invalid_input",
    meaning: "image too large (ECImageSizeLimited)",
    hint: "Use a smaller image (JPEG/PNG, at most 4096x4096 and 15 MB; 4.7 MB for video frames).",
  },
  50206: {
    category: "invalid_input",
    meaning: "image empty (ECImageEmpty)",
    hint: "The image could not be read; pass a reachable URL or a valid JPEG/PNG file.",
  },
  50400: {
    category: "permission",
    meaning: "the model is not enabled for this account",
    hint: "Enable the model (即梦AI / 视觉智能) for this account in the Volcengine console, or use another req_key.",
  },
  50411: {
    category: "content_policy",
    meaning: "input image rejected by moderation (Pre Img Risk Not Pass)",
    hint: "Replace the input image.",
  },
  50412: { category: "content_policy", meaning: "input text rejected by moderation (Text Risk Not Pass)", hint: "Rephrase the prompt." },
  50413: {
    category: "content_policy",
    meaning: "input text contains sensitive or copyrighted words (Post Text Risk Not Pass)",
    hint: "Remove sensitive words, brand or character names from the prompt.",
  },
  50511: {
    category: "content_policy",
    meaning: "generated image rejected by moderation (Post Img Risk Not Pass)",
    hint: "Generating again (another seed or a slightly changed prompt) often passes.",
  },
  50512: {
    category: "content_policy",
    meaning: "generated text rejected by moderation (Post Text Risk Not Pass)",
    hint: "Rephrase the prompt.",
  },
  50516: { category: "content_policy", meaning: "generated video rejected by moderation" },
  50517: { category: "content_policy", meaning: "generated audio rejected by moderation" },
  50518: { category: "content_policy", meaning: "input image rejected as copyrighted", hint: "Use an image you own." },
  50519: {
    category: "content_policy",
    meaning: "generated image rejected as copyrighted",
    hint: "Change the prompt so it does not imitate a protected work.",
  },
  50429: {
    category: "rate_limit",
    meaning: "request rate limit reached (QPS)",
    hint: "Wait a few seconds and try again; the rejected request was not billed.",
  },
  50430: {
    category: "rate_limit",
    meaning: "concurrency limit reached (too many tasks at once)",
    hint: "Wait until a running Jimeng task finishes (free accounts run 1 video at a time, paid 2), then try again; the rejected request was not billed.",
  },
  50500: { category: "vendor", meaning: "internal error" },
  50501: { category: "vendor", meaning: "internal RPC error" },
};

export function describeServiceCode(code: number | undefined): string {
  return (code !== undefined && SERVICE_CODES[code]?.meaning) || "request failed";
}

/** 50200 naming the req_key: the vendor does not know the model (or not for this action). */
const UNKNOWN_REQ_KEY = /req_key\b.*\bnot supported/i;

/** Maps a non-10000 service envelope to an actionable error. */
export function serviceError(env: VisualEnvelope, httpStatus?: number): AigcError {
  if (env.code === 50200 && UNKNOWN_REQ_KEY.test(env.message ?? ""))
    return new AigcError({
      category: "not_found",
      code: "50200",
      vendor: VISUAL,
      httpStatus,
      requestId: env.request_id,
      message: `unknown model: ${env.message ?? "req_key not supported"}`,
      hint: "Check the req_key against the vendor's documentation and the console (list_models shows the known ones). A key that is called with another action (CVProcess, CVSubmitTask) is also refused this way: pass volc_visual_call's mode.",
    });
  const info = env.code !== undefined ? SERVICE_CODES[env.code] : undefined;
  return new AigcError({
    category: info?.category ?? (httpStatus && httpStatus >= 500 ? "vendor" : httpStatus === 400 ? "invalid_input" : "vendor"),
    code: String(env.code ?? `HTTP${httpStatus}`),
    vendor: VISUAL,
    httpStatus,
    requestId: env.request_id,
    message: `${info?.meaning ?? "request failed"}: ${env.message ?? "no message"}`,
    hint: info?.hint,
  });
}

export const isRateLimited = (err: unknown): err is AigcError => err instanceof AigcError && (err.code === "50429" || err.code === "50430");

/** Gateway (signature/permission) errors, with what to do about each. */
export function gatewayError(res: HttpResponse, meta: GatewayMeta, now: Date): AigcError {
  const code = meta.Error?.Code ?? `HTTP${res.status}`;
  const message = meta.Error?.Message ?? `HTTP ${res.status}`;
  let category: ErrorCategory | undefined;
  let hint: string | undefined;
  switch (code) {
    case "SignatureDoesNotMatch":
      category = "auth";
      hint =
        "VOLC_SECRETKEY does not belong to VOLC_ACCESSKEY (copy both again from the console's 访问控制 > 密钥管理 page, with no spaces), or a proxy changed the request. Run `aigc-mcp check`.";
      break;
    case "InvalidAccessKey":
    case "MissingAuthenticationToken":
    case "MissingSignature":
    case "InvalidCredential":
      category = "auth";
      hint =
        "VOLC_ACCESSKEY is unknown or disabled: create or enable an access key in the Volcengine console (访问控制 > 密钥管理) and restart the server.";
      break;
    case "InvalidSecurityToken":
    case "InvalidSecurityTokenExpired":
      category = "auth";
      hint = "VOLC_SESSION_TOKEN is invalid or expired: fetch new STS credentials, or unset it when using a permanent key.";
      break;
    case "InvalidTimestamp": {
      category = "auth";
      const server = Date.parse(res.headers.date ?? "");
      const skew = Number.isFinite(server) ? Math.round((now.getTime() - server) / 1000) : undefined;
      hint = `This machine's clock is wrong${skew !== undefined && Math.abs(skew) > 60 ? ` (about ${Math.abs(skew)} s ${skew > 0 ? "ahead of" : "behind"} the vendor)` : ""}: requests are signed with the current UTC time and stale signatures are refused. Synchronise the clock (NTP) and try again.`;
      break;
    }
    case "AccessDenied":
    case "LackPolicy":
      category = "permission";
      hint =
        "The key may not call the Visual service: open 即梦AI / 视觉智能 (Visual) in the Volcengine console and enable the model, and give an IAM sub-user the cv policy (e.g. CVFullAccess).";
      break;
    case "ServiceNotFound":
    case "InvalidActionOrVersion":
      category = "not_found";
      hint = "Check VOLC_VISUAL_BASE_URL (default https://visual.volcengineapi.com).";
      break;
    case "RequestLimitExceeded":
    case "FlowLimitExceeded":
      category = "rate_limit";
      break;
    default:
      category = undefined; // the kit's status ladder
  }
  return httpFailure(VISUAL, res.status, res.headers, {
    category,
    code,
    requestId: meta.RequestId ?? res.requestId,
    message,
    hint,
    baseUrlVariable: "VOLC_VISUAL_BASE_URL",
  });
}

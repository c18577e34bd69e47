/**
 * Volcengine Visual API client: V4-signed POSTs to `/?Action=…&Version=…`, the service envelope
 * (`code` 10000 = success) and the gateway envelope (`ResponseMetadata.Error`), mapped to
 * actionable errors. No MCP types here.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { AigcError, isAbortError, type ErrorCategory } from "../../errors.js";
import { cancelled, httpRequest, RETRY_SAFE, type HttpResponse, type RetryPolicy } from "../../net/http.js";
import type { VisualConfig } from "./config.js";
import { signVolcRequest } from "./sign.js";

export const VISUAL = "Volcengine Visual";
export const VISUAL_VERSION = "2022-08-31";
export const CANCEL_VERSION = "2024-06-06";
export const SUCCESS = 10000;

export interface VisualData {
  task_id?: string;
  status?: string;
  image_urls?: string[] | null;
  binary_data_base64?: string[] | null;
  video_url?: string;
  [k: string]: unknown;
}

export interface VisualEnvelope {
  code?: number;
  status?: number;
  message?: string;
  request_id?: string;
  time_elapsed?: string;
  data?: VisualData | null;
}

interface GatewayMeta {
  RequestId?: string;
  Action?: string;
  Error?: { Code?: string; Message?: string; CodeN?: number } | null;
}

/** Only connections that never got through are retried on a billable call. */
const RETRY_UNSENT: RetryPolicy = {
  attempts: 3,
  shouldRetry: (_res, err) => !!err && /ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(err.message),
};

export class VisualClient {
  constructor(
    private readonly cfg: VisualConfig,
    private readonly timeoutMs: number,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  get baseUrl(): string {
    return this.cfg.baseUrl;
  }

  /** One signed call. Throws gateway errors and unreadable answers; returns the service envelope whatever its code. */
  async call(
    action: string,
    version: string,
    body: Record<string, unknown>,
    opts: { signal?: AbortSignal; retry?: RetryPolicy; timeoutMs?: number } = {},
  ): Promise<{ env: VisualEnvelope; res: HttpResponse }> {
    const json = JSON.stringify(body);
    const url = new URL(this.cfg.baseUrl + "/");
    url.searchParams.set("Action", action);
    url.searchParams.set("Version", version);
    const base = { "Content-Type": "application/json", Host: url.host };
    const signed = signVolcRequest({
      method: "POST",
      path: url.pathname,
      query: { Action: action, Version: version },
      headers: base,
      body: json,
      credentials: { accessKeyId: this.cfg.accessKeyId, secretKey: this.cfg.secretKey, sessionToken: this.cfg.sessionToken },
      region: this.cfg.region,
      service: this.cfg.service,
      date: this.clock(),
      style: "python",
    });
    // Host is signed (as the signing document asks) and set by the HTTP client from the URL.
    const res = await httpRequest(url.toString(), {
      vendor: VISUAL,
      method: "POST",
      headers: { "content-type": "application/json", ...lower(signed.headers) },
      body: json,
      signal: opts.signal,
      timeoutMs: opts.timeoutMs ?? this.timeoutMs,
      maxBytes: 256 * 1024 * 1024,
      retry: opts.retry,
    });
    const parsed = res.json() as (VisualEnvelope & { ResponseMetadata?: GatewayMeta }) | undefined;
    if (parsed?.ResponseMetadata?.Error) throw gatewayError(res, parsed.ResponseMetadata, this.clock());
    if (!parsed || typeof parsed !== "object" || (parsed.code === undefined && res.status >= 300)) {
      throw new AigcError({
        category: res.status >= 500 ? "vendor" : "bad_response",
        code: res.status >= 300 ? `HTTP${res.status}` : "MalformedResponse",
        vendor: VISUAL,
        httpStatus: res.status,
        requestId: res.requestId,
        message: `${VISUAL} answered ${action} with ${res.status >= 300 ? `HTTP ${res.status}: ${res.text().slice(0, 200)}` : "a body that is not the JSON envelope"}`,
      });
    }
    return { env: parsed, res };
  }

  /** CVSync2AsyncSubmitTask: creates a task (billable) and returns its id. */
  async submit(body: Record<string, unknown>, signal?: AbortSignal): Promise<string> {
    const { env, res } = await this.call("CVSync2AsyncSubmitTask", VISUAL_VERSION, body, {
      signal,
      retry: RETRY_UNSENT,
      timeoutMs: 60_000,
    });
    if (env.code !== SUCCESS) throw serviceError(env, res.status);
    const id = env.data?.task_id;
    if (!id)
      throw new AigcError({
        category: "bad_response",
        code: "MalformedResponse",
        vendor: VISUAL,
        requestId: env.request_id,
        message: "the task was accepted but no task_id came back",
      });
    return String(id);
  }

  /** CVSync2AsyncGetResult: free; safe to repeat. The envelope is returned whatever its code. */
  async getResult(reqKey: string, taskId: string, reqJson?: string, signal?: AbortSignal): Promise<VisualEnvelope> {
    const body = { req_key: reqKey, task_id: taskId, ...(reqJson ? { req_json: reqJson } : {}) };
    return (await this.call("CVSync2AsyncGetResult", VISUAL_VERSION, body, { signal, retry: RETRY_SAFE, timeoutMs: 60_000 })).env;
  }

  /** CVProcess: synchronous generation (billable); throws on a non-10000 code. */
  async process(body: Record<string, unknown>, signal?: AbortSignal): Promise<VisualEnvelope> {
    const { env, res } = await this.call("CVProcess", VISUAL_VERSION, body, {
      signal,
      retry: RETRY_UNSENT,
      timeoutMs: Math.max(this.timeoutMs, 120_000),
    });
    if (env.code !== SUCCESS) throw serviceError(env, res.status);
    return env;
  }

  /** CVCancelTask (Version 2024-06-06). Returns the envelope so the caller can report the vendor's answer. */
  async cancel(reqKey: string, taskId: string, signal?: AbortSignal): Promise<VisualEnvelope> {
    return (await this.call("CVCancelTask", CANCEL_VERSION, { req_key: reqKey, task_id: taskId }, { signal, timeoutMs: 30_000 })).env;
  }
}

function lower(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Meaning and handling of the documented service codes. */
const SERVICE_CODES: Record<number, { category: ErrorCategory; meaning: string; hint?: string; retryable?: boolean }> = {
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
    retryable: true,
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
    retryable: true,
  },
  50430: {
    category: "rate_limit",
    meaning: "concurrency limit reached (too many tasks at once)",
    hint: "Wait until a running Jimeng task finishes (free accounts run 1 video at a time, paid 2), then try again; the rejected request was not billed.",
    retryable: true,
  },
  50500: { category: "vendor", meaning: "internal error", retryable: true },
  50501: { category: "vendor", meaning: "internal RPC error", retryable: true },
};

export function describeServiceCode(code: number | undefined): string {
  return (code !== undefined && SERVICE_CODES[code]?.meaning) || "request failed";
}

/** Maps a non-10000 service envelope to an actionable error. */
export function serviceError(env: VisualEnvelope, httpStatus?: number): AigcError {
  const info = env.code !== undefined ? SERVICE_CODES[env.code] : undefined;
  return new AigcError({
    category: info?.category ?? (httpStatus && httpStatus >= 500 ? "vendor" : httpStatus === 400 ? "invalid_input" : "vendor"),
    code: String(env.code ?? `HTTP${httpStatus}`),
    vendor: VISUAL,
    httpStatus,
    requestId: env.request_id,
    message: `${info?.meaning ?? "request failed"}: ${env.message ?? "no message"}`,
    hint: info?.hint,
    retryable: info?.retryable,
  });
}

export const isRateLimited = (err: unknown): err is AigcError => err instanceof AigcError && (err.code === "50429" || err.code === "50430");

/** Gateway (signature/permission) errors, with what to do about each. */
export function gatewayError(res: HttpResponse, meta: GatewayMeta, now: Date): AigcError {
  const code = meta.Error?.Code ?? `HTTP${res.status}`;
  const message = meta.Error?.Message ?? `HTTP ${res.status}`;
  let category: ErrorCategory;
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
      category =
        res.status === 401
          ? "auth"
          : res.status === 403
            ? "permission"
            : res.status === 429
              ? "rate_limit"
              : res.status >= 500
                ? "vendor"
                : "invalid_input";
  }
  return new AigcError({
    category,
    code,
    vendor: VISUAL,
    httpStatus: res.status,
    requestId: meta.RequestId ?? res.requestId,
    message,
    hint,
    retryable: category === "rate_limit",
  });
}

/**
 * Repeats a billable call the vendor rejected with 50429/50430 (rejected requests are not billed),
 * backing off, while the caller's budget lasts. Progress lines say what is happening.
 */
export async function withRateLimitBackoff<T>(
  fn: () => Promise<T>,
  opts: { budgetMs: number; signal?: AbortSignal; onRetry?: (message: string) => void; baseDelayMs?: number; maxDelayMs?: number },
): Promise<T> {
  const deadline = Date.now() + opts.budgetMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isRateLimited(err)) throw err;
      const delay = Math.min(opts.maxDelayMs ?? 15_000, (opts.baseDelayMs ?? 1000) * 2 ** attempt);
      if (Date.now() + delay > deadline) {
        err.info.message += ` (still refused after ${attempt + 1} attempt(s) within the wait budget)`;
        throw err;
      }
      opts.onRetry?.(
        `${VISUAL} is busy (${err.code}: ${err.info.message.split(":")[0]}); retrying in ${Math.round(delay / 1000)} s (attempt ${attempt + 2})`,
      );
      try {
        await sleep(delay, undefined, { signal: opts.signal });
      } catch (e) {
        if (isAbortError(e)) throw cancelled(VISUAL);
        throw e;
      }
    }
  }
}

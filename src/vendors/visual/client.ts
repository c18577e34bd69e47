/**
 * Volcengine Visual API client: V4-signed POSTs to `/?Action=…&Version=…`, the service envelope
 * (`code` 10000 = success) and the gateway envelope (`ResponseMetadata.Error`), mapped to
 * actionable errors. No MCP types here.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { AigcError, isAbortError } from "../../errors.js";
import { cancelled, httpRequest, RETRY_SAFE, type HttpResponse, type RetryPolicy } from "../../net/http.js";
import type { VisualConfig } from "./config.js";
import { gatewayError, isRateLimited, serviceError, VISUAL, type GatewayMeta } from "./errors.js";
import { signVolcRequest } from "./sign.js";
import { answerWords, httpFailure, malformedResponse, RETRY_UNSENT } from "../kit/errors.js";

export const VISUAL_VERSION = "2022-08-31";
export const CANCEL_VERSION = "2024-06-06";
export const SUCCESS = 10000;

/**
 * The two task action families: CVSync2Async* (most Jimeng models) and the older CVSubmitTask /
 * CVGetResult pair (e.g. OmniHuman 1.5). A job records its family so any process polls it right.
 */
export type TaskFamily = "sync2async" | "task";
export const TASK_ACTIONS: Record<TaskFamily, { submit: string; get: string }> = {
  sync2async: { submit: "CVSync2AsyncSubmitTask", get: "CVSync2AsyncGetResult" },
  task: { submit: "CVSubmitTask", get: "CVGetResult" },
};

export interface VisualData {
  task_id?: string;
  status?: string;
  image_urls?: string[] | null;
  binary_data_base64?: string[] | null;
  video_url?: string;
  /** CVGetResult's non-media answer (a JSON string), e.g. a subject-recognition verdict. */
  resp_data?: string;
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

/** Only connections that never got through are retried on a billable call. */

export class VisualClient {
  constructor(
    private readonly cfg: VisualConfig,
    private readonly timeoutMs: number,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** One signed call. Throws gateway errors and unreadable answers; returns the service envelope whatever its code. */
  async call(
    action: string,
    version: string,
    body: Record<string, unknown>,
    opts: { signal?: AbortSignal; retry?: RetryPolicy; timeoutMs?: number; onAnswer?: () => void } = {},
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
      baseUrlVariable: "VOLC_VISUAL_BASE_URL",
      // Only the configured timeout is the variable's: a call with its own (a poll, a list) is not.
      ...(opts.timeoutMs === undefined ? { timeoutVariable: "AIGC_MCP_VENDOR_TIMEOUT_S" } : {}),
      method: "POST",
      headers: { "content-type": "application/json", ...lower(signed.headers) },
      body: json,
      signal: opts.signal,
      timeoutMs: opts.timeoutMs ?? this.timeoutMs,
      maxBytes: 256 * 1024 * 1024,
      retry: opts.retry,
      onAnswer: opts.onAnswer,
    });
    const parsed = res.json() as (VisualEnvelope & { ResponseMetadata?: GatewayMeta }) | undefined;
    if (parsed?.ResponseMetadata?.Error) throw gatewayError(res, parsed.ResponseMetadata, this.clock());
    if (!parsed || typeof parsed !== "object" || (parsed.code === undefined && res.status >= 300)) {
      const answered = `${VISUAL} answered ${action} with HTTP ${res.status}${res.body.length ? `: ${answerWords(res.text(), res.status)}` : " and an empty body"}`;
      // An error status is an answer (nothing was created), whatever its body: a web page says to check the URL.
      if (res.status >= 400)
        throw httpFailure(VISUAL, res.status, res.headers, {
          code: `HTTP${res.status}`,
          requestId: res.requestId,
          message: answered,
          baseUrlVariable: "VOLC_VISUAL_BASE_URL",
        });
      throw new AigcError({
        category: res.status >= 500 ? "vendor" : "bad_response",
        code: res.status >= 300 ? `HTTP${res.status}` : "MalformedResponse",
        vendor: VISUAL,
        httpStatus: res.status,
        requestId: res.requestId,
        message: res.status >= 300 ? answered : `${VISUAL} answered ${action} with a body that is not the JSON envelope`,
      });
    }
    return { env: parsed, res };
  }

  /** Submits a task (billable): CVSync2AsyncSubmitTask, or CVSubmitTask for the `task` family. Returns its id. */
  async submit(body: Record<string, unknown>, signal?: AbortSignal, family: TaskFamily = "sync2async"): Promise<string> {
    const { env, res } = await this.call(TASK_ACTIONS[family].submit, VISUAL_VERSION, body, {
      signal,
      retry: RETRY_UNSENT,
      timeoutMs: 60_000,
    });
    if (env.code !== SUCCESS) throw serviceError(env, res.status);
    const id = env.data?.task_id;
    if (!id) throw malformedResponse(VISUAL, "the task was accepted but no task_id came back", { requestId: env.request_id });
    return String(id);
  }

  /** Looks a task up (CVSync2AsyncGetResult, or CVGetResult for the `task` family): free; safe to repeat. The envelope is returned whatever its code. */
  async getResult(
    reqKey: string,
    taskId: string,
    reqJson?: string,
    signal?: AbortSignal,
    family: TaskFamily = "sync2async",
  ): Promise<VisualEnvelope> {
    const body = { req_key: reqKey, task_id: taskId, ...(reqJson ? { req_json: reqJson } : {}) };
    return (await this.call(TASK_ACTIONS[family].get, VISUAL_VERSION, body, { signal, retry: RETRY_SAFE, timeoutMs: 60_000 })).env;
  }

  /**
   * CVProcess: synchronous generation (billable); throws on a non-10000 code. `onAnswer` is called
   * when the 2xx answer begins (billed from then; its images may be megabytes of base64: net/http.ts).
   */
  async process(body: Record<string, unknown>, signal?: AbortSignal, onAnswer?: () => void): Promise<VisualEnvelope> {
    const { env, res } = await this.call("CVProcess", VISUAL_VERSION, body, {
      signal,
      onAnswer,
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

/**
 * Repeats a billable call the vendor rejected with 50429/50430 (rejected requests are not billed),
 * backing off, while the caller's budget lasts. Progress lines say what is happening.
 */
export async function withRateLimitBackoff<T>(
  fn: () => Promise<T>,
  opts: { deadlineMs: number; signal?: AbortSignal; onRetry?: (message: string) => void; baseDelayMs?: number; maxDelayMs?: number },
): Promise<T> {
  const deadline = opts.deadlineMs;
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
        if (isAbortError(e)) throw cancelled(VISUAL, opts.signal);
        throw e;
      }
    }
  }
}

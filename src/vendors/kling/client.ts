/**
 * Kling HTTP client: JWT auth, the `{code,message,request_id,data}` envelope, task create (with
 * an `external_task_id` so a lost answer never leads to a second billed task, and local back-off
 * on 1302/1303), task get/list, and the custom-element (主体) endpoints.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { AigcError, isAbortError } from "../../errors.js";
import { httpRequest, RETRY_SAFE, type RetryPolicy, retryAfterMs } from "../../net/http.js";
import { KlingTokenSource } from "./auth.js";
import type { KlingConfig } from "./config.js";
import { isRejectedForLoad, KLING, klingError } from "./errors.js";
import type { KlingFamily } from "./models.js";

export interface KlingMedia {
  id?: string;
  index?: number;
  url?: string;
  watermark_url?: string;
  /** Seconds, as a string (e.g. "5.1"). */
  duration?: string;
}

export interface KlingTask {
  task_id: string;
  /** "submitted", "processing", "succeed" or "failed" (kept open: Kling adds states). */
  task_status: string;
  task_status_msg?: string;
  task_info?: { external_task_id?: string };
  task_result?: { videos?: KlingMedia[]; images?: KlingMedia[]; series_images?: KlingMedia[] };
  watermark_info?: { enabled?: boolean };
  final_unit_deduction?: string;
  /** Milliseconds. */
  created_at?: number;
  updated_at?: number;
}

export interface KlingElement {
  element_id: string;
  element_name?: string;
  element_description?: string;
  element_frontal_image?: string;
  element_refer_list?: Array<{ image_url?: string }>;
  tag_list?: Array<{ tag_id?: string; tag_name?: string }>;
  owned_by?: string;
  status?: string;
  [k: string]: unknown;
}

export interface KlingClientOptions {
  timeoutMs: number;
  /** First back-off after a 1302/1303 (doubles, capped by backoffMaxMs). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Create attempts after answers lost in transit (each preceded by a lookup). */
  createAttempts?: number;
  /** Time to wait for a create answer before treating it as lost (default 60 s). */
  createTimeoutMs?: number;
}

export interface CreateOptions {
  signal?: AbortSignal;
  /** Epoch ms until which 1302/1303 rejections are retried locally. */
  deadlineMs?: number;
  /** Told when the request waits locally for a parallel-task slot. */
  onQueued?: (message: string) => void;
}

export interface CreatedTask {
  taskId: string;
  externalTaskId: string;
  /** True when Kling's answer was lost and could not be looked up yet: poll by external id. */
  byExternalId?: boolean;
}

/** Long numeric ids (element ids) lose precision as JS numbers: read them as strings. */
export function parseKlingJson(text: string): unknown {
  return JSON.parse(text.replace(/("[A-Za-z_]*_id"\s*:\s*)(-?\d{16,})(?=\s*[,}\]])/g, '$1"$2"'));
}

/** Element ids are sent as JSON numbers without going through a lossy JS number. */
export function stringifyKling(body: unknown): string {
  return JSON.stringify(body).replace(/"element_id":"(\d{1,30})"/g, '"element_id":$1');
}

const NOT_SENT = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN/;

export class KlingClient {
  private readonly tokens: KlingTokenSource;
  private readonly opts: Required<KlingClientOptions>;

  constructor(
    private readonly cfg: KlingConfig,
    opts: KlingClientOptions,
  ) {
    this.tokens = new KlingTokenSource(cfg.accessKey, cfg.secretKey);
    this.opts = { backoffBaseMs: 1000, backoffMaxMs: 15_000, createAttempts: 3, createTimeoutMs: 60_000, ...opts };
  }

  private async call<T>(
    method: "GET" | "POST",
    path: string,
    o: { body?: unknown; signal?: AbortSignal; retry?: RetryPolicy; timeoutMs?: number } = {},
  ): Promise<T> {
    const res = await httpRequest(this.cfg.baseUrl + path, {
      vendor: KLING,
      method,
      headers: {
        authorization: `Bearer ${await this.tokens.token()}`,
        ...(o.body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: o.body !== undefined ? stringifyKling(o.body) : undefined,
      signal: o.signal,
      timeoutMs: o.timeoutMs ?? this.opts.timeoutMs,
      maxBytes: 16 * 1024 * 1024,
      retry: o.retry,
    });
    let parsed: { code?: unknown; message?: unknown; request_id?: unknown; data?: unknown } | undefined;
    try {
      parsed = res.body.length ? (parseKlingJson(res.text()) as typeof parsed) : undefined;
    } catch {
      parsed = undefined;
    }
    if (res.status < 200 || res.status >= 300 || (parsed && typeof parsed.code === "number" && parsed.code !== 0)) {
      throw klingError(res.status, parsed, res.requestId, res.text(), retryAfterMs(res.headers));
    }
    if (!parsed || typeof parsed !== "object" || parsed.code !== 0) {
      throw new AigcError({
        category: "bad_response",
        code: "MalformedResponse",
        vendor: KLING,
        httpStatus: res.status,
        requestId: res.requestId,
        message: `Kling answered ${method} ${path.split("?")[0]} with a body that is not the expected JSON envelope`,
      });
    }
    return parsed.data as T;
  }

  /**
   * Creates a task. Sends a fresh `external_task_id`; when the answer is lost (timeout, reset,
   * 5xx, garbled body) it looks the task up by that id before sending again, so one call never
   * bills twice. 1302/1303 rejections wait locally (exponential back-off) until `deadlineMs`.
   */
  async createTask(family: KlingFamily, body: Record<string, unknown>, o: CreateOptions = {}): Promise<CreatedTask> {
    const externalTaskId = `aigc-${randomUUID()}`;
    const full = { ...body, external_task_id: externalTaskId };
    let backoff = this.opts.backoffBaseMs;
    let lost = 0;
    for (;;) {
      try {
        const task = await this.call<KlingTask>("POST", `/v1/${family}`, {
          body: full,
          signal: o.signal,
          timeoutMs: this.opts.createTimeoutMs,
        });
        if (!task?.task_id)
          throw new AigcError({
            category: "bad_response",
            code: "MalformedResponse",
            vendor: KLING,
            message: "Kling accepted the task but returned no task_id",
          });
        return { taskId: task.task_id, externalTaskId };
      } catch (err) {
        if (!(err instanceof AigcError) || err.category === "cancelled") throw err;
        if (isRejectedForLoad(err)) {
          const wait = Math.min(backoff, this.opts.backoffMaxMs);
          backoff *= 2;
          if (Date.now() + wait > (o.deadlineMs ?? 0)) {
            throw new AigcError({
              ...err.info,
              message: `${err.message} (waited within this call's budget; nothing was created or billed)`,
            });
          }
          o.onQueued?.(
            `Kling is at its ${err.code === "1303" ? "parallel-task limit (1303)" : "rate limit (1302)"}; queued locally, retrying in ${Math.round(wait / 100) / 10} s`,
          );
          await this.pause(wait, o.signal);
          continue;
        }
        const duplicate = lost > 0 && err.code === "1201" && /external_task_id/i.test(err.message);
        const inTransit =
          ["network", "timeout", "bad_response"].includes(err.category) || (err.category === "vendor" && (err.info.httpStatus ?? 0) >= 500);
        if (!duplicate && (!inTransit || NOT_SENT.test(err.message))) throw err;
        lost++;
        const found = await this.lookup(family, externalTaskId, o.signal);
        if (found === "unknown") return { taskId: externalTaskId, externalTaskId, byExternalId: true };
        if (found) return { taskId: found.task_id, externalTaskId };
        if (lost >= this.opts.createAttempts) throw err;
        // Kling has no such task: the request never got through, so sending it again is safe.
      }
    }
  }

  /** The task with this external id, null when Kling has none, "unknown" when Kling cannot be asked. */
  private async lookup(family: KlingFamily, externalTaskId: string, signal?: AbortSignal): Promise<KlingTask | null | "unknown"> {
    try {
      return await this.getTask(family, externalTaskId, signal);
    } catch (err) {
      if (err instanceof AigcError && err.category === "not_found") return null;
      if (err instanceof AigcError && err.category === "cancelled") throw err;
      return "unknown";
    }
  }

  private async pause(ms: number, signal?: AbortSignal): Promise<void> {
    try {
      await sleep(ms, undefined, { signal });
    } catch (e) {
      if (isAbortError(e))
        throw new AigcError({
          category: "cancelled",
          code: "Cancelled",
          vendor: KLING,
          message: "the request was cancelled by the client while waiting for a Kling task slot",
        });
      throw e;
    }
  }

  /** Looks a task up by `task_id` or `external_task_id` (the same path slot). */
  getTask(family: KlingFamily, id: string, signal?: AbortSignal): Promise<KlingTask> {
    return this.call<KlingTask>("GET", `/v1/${family}/${encodeURIComponent(id)}`, { signal, retry: RETRY_SAFE, timeoutMs: 30_000 });
  }

  async listTasks(family: KlingFamily, page: { pageNum?: number; pageSize?: number } = {}, signal?: AbortSignal): Promise<KlingTask[]> {
    const q = new URLSearchParams({ pageNum: String(page.pageNum ?? 1), pageSize: String(page.pageSize ?? 30) });
    return (await this.call<KlingTask[]>("GET", `/v1/${family}?${q.toString()}`, { signal, retry: RETRY_SAFE, timeoutMs: 30_000 })) ?? [];
  }

  createElement(body: Record<string, unknown>, signal?: AbortSignal): Promise<KlingElement> {
    return this.call<KlingElement>("POST", "/v1/general/custom-elements", { body, signal, timeoutMs: 60_000 });
  }

  async listElements(
    source: "custom" | "official",
    page: { pageNum?: number; pageSize?: number } = {},
    signal?: AbortSignal,
  ): Promise<KlingElement[]> {
    const q = new URLSearchParams({ pageNum: String(page.pageNum ?? 1), pageSize: String(page.pageSize ?? 30) });
    const path = source === "custom" ? "/v1/general/custom-elements" : "/v1/general/presets-elements";
    return (await this.call<KlingElement[]>("GET", `${path}?${q.toString()}`, { signal, retry: RETRY_SAFE, timeoutMs: 30_000 })) ?? [];
  }

  deleteElement(elementId: string, signal?: AbortSignal): Promise<{ task_id?: string; task_status?: string }> {
    return this.call("POST", "/v1/general/delete-elements", { body: { element_id: elementId }, signal, timeoutMs: 30_000 });
  }
}

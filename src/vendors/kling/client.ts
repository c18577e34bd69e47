/**
 * Kling HTTP client: auth for both API standards (API key, or the AK/SK JWT on legacy endpoints),
 * the `{code,message,request_id,data}` envelope, task create (with an `external_task_id` by which a
 * create whose answer was lost is found, never sent twice; local back-off on 1302/1303) and task lookup:
 * legacy `GET /v1/<family>/{id}`, new standard `GET /tasks?task_ids=` (answers normalised to the
 * legacy task shape, so one poll result serves both).
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { AigcError, isAbortError } from "../../errors.js";
import { malformedResponse } from "../kit/errors.js";
import { cancelled, httpRequest, RETRY_SAFE, type RetryPolicy } from "../../net/http.js";
import { KlingAuth } from "./auth.js";
import type { KlingConfig } from "./config.js";
import { isRejectedForLoad, KLING, klingError } from "./errors.js";
import type { KlingFamily, KlingRoute } from "./families.js";
import { fromNewTask, type KlingNewTask } from "./standard.js";

export interface KlingMedia {
  id?: string;
  index?: number;
  url?: string;
  watermark_url?: string;
  /** Seconds, as a string (e.g. "5.1"). */
  duration?: string;
}

/** One part of what a new-standard task took: cash (with its currency) or resource-pack units. */
export interface KlingBilling {
  /** `cash` (balance) or `unit` (resource pack). */
  charge_type?: string;
  /** `balance` or `test_balance` (trial money), for cash. */
  cash_type?: string;
  /** Decimal string: cash at the account's discount, or units. */
  amount?: string;
  /** `CNY` or `USD`, for cash. */
  currency?: string;
  package_type?: string;
  list_price?: string;
}

/** A task in the legacy shape (new-standard tasks are converted to it by `fromNewTask`). */
export interface KlingTask {
  task_id: string;
  /** "submitted", "processing", "succeed" or "failed" (kept open: Kling adds states). */
  task_status: string;
  task_status_msg?: string;
  task_info?: { external_task_id?: string };
  task_result?: { videos?: KlingMedia[]; images?: KlingMedia[]; series_images?: KlingMedia[]; elements?: unknown[] };
  watermark_info?: { enabled?: boolean };
  /** Resource-pack units the task took (legacy answers; a decimal string). */
  final_unit_deduction?: string;
  /** Cash the task took (legacy answers): `quota` at the account's discount, `list_price` before it; currency by region. */
  final_balance_deduction?: { quota?: string; list_price?: string };
  /** What the task took (new-standard answers, carried over by `fromNewTask`). */
  billing?: KlingBilling[];
  /** Milliseconds. */
  created_at?: number;
  updated_at?: number;
  /** Not Kling's task field: the request id of the answer that carried this task, set by `getTask`/`getNewTask`. */
  answerRequestId?: string;
}

export interface KlingClientOptions {
  timeoutMs: number;
  /** First back-off after a 1302/1303 (doubles, capped by backoffMaxMs). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Time to wait for a create answer before treating it as lost (default 60 s). */
  createTimeoutMs?: number;
}

export interface CreateOptions {
  signal?: AbortSignal;
  /** Epoch ms until which 1302/1303 rejections are retried locally. */
  deadlineMs?: number;
  /** Told when the request waits locally for a parallel-task slot. */
  onQueued?: (message: string) => void;
  /** The `external_task_id` to send (kept by the caller to find the task if the answer is lost). */
  externalTaskId?: string;
}

export interface CreatedTask {
  taskId: string;
  externalTaskId: string;
}

/** Where a create goes: a legacy path (`/v1/…`, tasks at `<path>/{id}`) or a new-standard path (tasks at `/tasks`). */
export interface CreateTarget {
  standard: "legacy" | "new";
  path: string;
}

const targetOf = (t: KlingFamily | KlingRoute | CreateTarget): CreateTarget =>
  typeof t === "string"
    ? { standard: "legacy", path: `/v1/${t}` }
    : "path" in t
      ? t
      : t.standard === "legacy"
        ? { standard: "legacy", path: `/v1/${t.family}` }
        : { standard: "new", path: `/${t.product}/${encodeURIComponent(t.model)}` };

/** Long numeric ids (element ids) lose precision as JS numbers: read them as strings. */
export function parseKlingJson(text: string): unknown {
  return JSON.parse(text.replace(/("[A-Za-z_]*_id"\s*:\s*)(-?\d{16,})(?=\s*[,}\]])/g, '$1"$2"'));
}

/** Element ids are sent as JSON numbers (the legacy docs type them long) without going through a lossy JS number. */
export function stringifyKling(body: unknown): string {
  return JSON.stringify(body).replace(/"element_id":"(\d{1,30})"/g, '"element_id":$1');
}

/** A fresh `external_task_id`: the job keeps it, so a create whose answer is lost is found by it. */
export function newExternalTaskId(): string {
  return `aigc-${randomUUID()}`;
}
const LOOKUP = { retry: RETRY_SAFE, timeoutMs: 30_000 } as const;

export class KlingClient {
  readonly auth: KlingAuth;
  private readonly opts: Required<KlingClientOptions>;

  /**
   * @param callbackUrl sent as `callback_url` with every task create (Kling POSTs the task there at
   *   each status change [OFF KL-CN `callback-protocol.md`]); undefined: none is sent
   */
  constructor(
    private readonly cfg: KlingConfig,
    opts: KlingClientOptions,
    private readonly callbackUrl?: string,
  ) {
    this.auth = new KlingAuth(cfg);
    this.opts = { backoffBaseMs: 1000, backoffMaxMs: 15_000, createTimeoutMs: 60_000, ...opts };
  }

  /** One call: the standard picks the credential; a non-zero `code` or HTTP error becomes an AigcError. */
  async request<T>(
    method: "GET" | "POST",
    path: string,
    o: { body?: unknown; signal?: AbortSignal; retry?: RetryPolicy; timeoutMs?: number; standard?: "legacy" | "new"; json?: boolean } = {},
  ): Promise<T> {
    return (await this.answer<T>(method, path, o)).data;
  }

  /** `request`, with the answer's request id (the envelope's `request_id`, else the header's). */
  private async answer<T>(
    method: "GET" | "POST",
    path: string,
    o: { body?: unknown; signal?: AbortSignal; retry?: RetryPolicy; timeoutMs?: number; standard?: "legacy" | "new"; json?: boolean } = {},
  ): Promise<{ data: T; requestId?: string }> {
    const authorization = await this.auth.header(o.standard ?? "legacy");
    const res = await httpRequest(this.cfg.baseUrl + path, {
      vendor: KLING,
      baseUrlVariable: "KLING_BASE_URL",
      ...(o.timeoutMs === undefined ? { timeoutVariable: "AIGC_MCP_VENDOR_TIMEOUT_S" } : {}),
      method,
      headers: { authorization, ...(o.body !== undefined ? { "content-type": "application/json" } : {}) },
      body: o.body !== undefined ? (o.json ? JSON.stringify(o.body) : stringifyKling(o.body)) : undefined,
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
    if (res.status < 200 || res.status >= 300 || (parsed && typeof parsed.code === "number" && parsed.code !== 0))
      throw klingError(res, parsed);
    if (!parsed || typeof parsed !== "object" || parsed.code !== 0) {
      throw malformedResponse(KLING, `Kling answered ${method} ${path.split("?")[0]} with a body that is not the expected JSON envelope`, {
        httpStatus: res.status,
        requestId: res.requestId,
      });
    }
    const requestId = typeof parsed.request_id === "string" && parsed.request_id ? parsed.request_id : res.requestId;
    return { data: parsed.data as T, requestId };
  }

  /**
   * Creates a task under `o.externalTaskId` (a fresh one when absent): legacy in the body, new
   * standard in `options`. 1302/1303 rejections (nothing created) wait locally (exponential
   * back-off) until `deadlineMs`. Any other failure is thrown as it is: a create whose answer was
   * lost is never sent again here; the job engine's one lost-answer path (kinds/submitting.ts)
   * finds the task by its external id (`lookupExternal`, the Kling driver's `findLost`).
   */
  async createTask(
    target: KlingFamily | KlingRoute | CreateTarget,
    body: Record<string, unknown>,
    o: CreateOptions = {},
  ): Promise<CreatedTask> {
    const t = targetOf(target);
    const externalTaskId = o.externalTaskId ?? newExternalTaskId();
    const callback = this.callbackUrl ? { callback_url: this.callbackUrl } : {};
    const full =
      t.standard === "new"
        ? { ...body, options: { ...callback, ...(body.options as object | undefined), external_task_id: externalTaskId } }
        : { ...callback, ...body, external_task_id: externalTaskId };
    let backoff = this.opts.backoffBaseMs;
    for (;;) {
      try {
        const data = await this.request<{ task_id?: string; id?: string }>("POST", t.path, {
          body: full,
          signal: o.signal,
          timeoutMs: this.opts.createTimeoutMs,
          standard: t.standard,
          json: t.standard === "new",
        });
        const taskId = t.standard === "new" ? data?.id : data?.task_id;
        if (!taskId) throw malformedResponse(KLING, "Kling accepted the task but returned no task id");
        return { taskId: String(taskId), externalTaskId };
      } catch (err) {
        if (!(err instanceof AigcError) || !isRejectedForLoad(err)) throw err;
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
      }
    }
  }

  /** The task created under this external id, null when Kling has none (a failure to ask is thrown). */
  async lookupExternal(
    t: KlingFamily | KlingRoute | CreateTarget,
    externalTaskId: string,
    signal?: AbortSignal,
  ): Promise<KlingTask | null> {
    const target = targetOf(t);
    try {
      return target.standard === "new"
        ? await this.getNewTask(externalTaskId, { external: true, signal })
        : await this.request<KlingTask>("GET", `${target.path}/${encodeURIComponent(externalTaskId)}`, { signal, ...LOOKUP });
    } catch (err) {
      if (err instanceof AigcError && err.category === "not_found") return null;
      throw err;
    }
  }

  private async pause(ms: number, signal?: AbortSignal): Promise<void> {
    try {
      await sleep(ms, undefined, { signal });
    } catch (e) {
      if (isAbortError(e)) throw cancelled(KLING, signal);
      throw e;
    }
  }

  /** Looks a legacy task up by `task_id` or `external_task_id` (the same path slot). */
  async getTask(family: KlingFamily, id: string, signal?: AbortSignal): Promise<KlingTask> {
    const { data, requestId } = await this.answer<KlingTask>("GET", `/v1/${family}/${encodeURIComponent(id)}`, { signal, ...LOOKUP });
    return requestId && data ? { ...data, answerRequestId: requestId } : data;
  }

  /** Looks a new-standard task up (`GET /tasks`), by task id or external id; an empty answer is not_found. */
  async getNewTask(id: string, o: { external?: boolean; signal?: AbortSignal } = {}): Promise<KlingTask> {
    const q = new URLSearchParams({ [o.external ? "external_task_ids" : "task_ids"]: id });
    const { data: list, requestId } = await this.answer<KlingNewTask[]>("GET", `/tasks?${q.toString()}`, {
      signal: o.signal,
      standard: "new",
      ...LOOKUP,
    });
    const found = (list ?? []).find((t) => (o.external ? t.external_id === id : String(t.id) === id));
    if (!found)
      throw new AigcError({
        category: "not_found",
        code: "TaskNotFound",
        vendor: KLING,
        message: `Kling has no task with ${o.external ? "external_task_id" : "task id"} ${id}`,
      });
    const task = fromNewTask({ ...found, id: String(found.id) });
    return requestId ? { ...task, answerRequestId: requestId } : task;
  }

  async listTasks(family: KlingFamily, page: { pageNum?: number; pageSize?: number } = {}, signal?: AbortSignal): Promise<KlingTask[]> {
    const q = new URLSearchParams({ pageNum: String(page.pageNum ?? 1), pageSize: String(page.pageSize ?? 30) });
    return (await this.request<KlingTask[]>("GET", `/v1/${family}?${q.toString()}`, { signal, ...LOOKUP })) ?? [];
  }

  /** The newest new-standard tasks (`POST /tasks`, a free cursor query). */
  async listNewTasks(limit: number, signal?: AbortSignal): Promise<KlingNewTask[]> {
    const data = await this.request<{ result?: KlingNewTask[] }>("POST", "/tasks", {
      body: { limit },
      signal,
      standard: "new",
      json: true,
      ...LOOKUP,
    });
    return data?.result ?? [];
  }
}

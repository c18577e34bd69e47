/**
 * Volcengine Ark HTTP client: Bearer auth, request building, response parsing and error mapping
 * for Seedream (images/generations), Seedance (contents/generations/tasks) and the model list (models).
 */
import { httpRequest, RETRY_SAFE, type HttpResponse, type RetryPolicy } from "../../net/http.js";
import type { ArkConfig } from "./config.js";
import { ARK, arkError } from "./errors.js";
import { malformedResponse, retryRejected } from "../kit/errors.js";

export interface ArkImageData {
  url?: string;
  b64_json?: string;
  size?: string;
  error?: { code?: string; message?: string };
}
export interface ArkImagesResponse {
  model?: string;
  created?: number;
  data?: ArkImageData[];
  usage?: { generated_images?: number; output_tokens?: number; total_tokens?: number };
  error?: { code?: string; message?: string };
  /** Not Ark's: the request id of this answer, set by `generateImages`. */
  answerRequestId?: string;
}

export interface ArkVideoTask {
  id: string;
  model?: string;
  status: string;
  content?: { video_url?: string; last_frame_url?: string; file_url?: string };
  error?: { code?: string; message?: string } | null;
  created_at?: number;
  updated_at?: number;
  duration?: number;
  resolution?: string;
  ratio?: string;
  execution_expires_after?: number;
  /** On a finished task: `completion_tokens` is what Ark bills. */
  usage?: { completion_tokens?: number; total_tokens?: number };
  framespersecond?: number;
  /** Not Ark's: the request id of the answer that carried this task, set by `getVideoTask`. */
  answerRequestId?: string;
}

/** Ark's own media references, passed to it unchanged: `asset://<id>` (the trusted-asset library, e.g. for real-person faces). */
export const ARK_REFERENCES = ["asset"];

/** Creates are sent again only when rejected before anything was created (the kit's rule); an Ark quota 429 is final. */
const RETRY_REJECTED = retryRejected((res) => /Quota/i.test(res.text()));

/** A model as Ark's model list shows it. */
export interface ArkListedModel {
  id: string;
  /** Ark's status word (e.g. "Shutdown"), when it gives one. */
  status?: string;
}

export class ArkClient {
  /**
   * @param callbackUrl sent as `callback_url` with each video task create that has none (Ark POSTs
   *   the task there as it changes [OFF ARK-DOC-VID §Webhook]); undefined: none is sent
   */
  constructor(
    private readonly cfg: Pick<ArkConfig, "apiKey" | "baseUrl">,
    private readonly timeoutMs: number,
    private readonly callbackUrl?: string,
  ) {}

  private async call<T>(
    method: "GET" | "POST" | "DELETE",
    path: string,
    opts: { body?: unknown; signal?: AbortSignal; retry?: RetryPolicy; timeoutMs?: number; onAnswer?: () => void } = {},
  ): Promise<{ data: T; res: HttpResponse }> {
    const res = await httpRequest(this.cfg.baseUrl + path, {
      vendor: ARK,
      baseUrlVariable: "ARK_BASE_URL",
      // Only the configured timeout is the variable's: a call with its own (a poll, a list) is not.
      ...(opts.timeoutMs === undefined ? { timeoutVariable: "AIGC_MCP_VENDOR_TIMEOUT_S" } : {}),
      method,
      headers: { authorization: `Bearer ${this.cfg.apiKey}`, ...(opts.body !== undefined ? { "content-type": "application/json" } : {}) },
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      signal: opts.signal,
      timeoutMs: opts.timeoutMs ?? this.timeoutMs,
      maxBytes: 64 * 1024 * 1024,
      retry: opts.retry,
      onAnswer: opts.onAnswer,
    });
    if (res.status < 200 || res.status >= 300) throw arkError(res);
    const data = res.json();
    if (data === undefined || typeof data !== "object" || data === null) {
      throw malformedResponse(ARK, `Ark answered ${method} ${path.split("?")[0]} with a body that is not JSON`, {
        httpStatus: res.status,
        requestId: res.requestId,
      });
    }
    return { data: data as T, res };
  }

  /**
   * Seedream generation is synchronous: one request, images in the answer. `onAnswer` is called when
   * Ark's 2xx answer begins (billed from then; net/http.ts).
   */
  async generateImages(body: Record<string, unknown>, signal?: AbortSignal, onAnswer?: () => void): Promise<ArkImagesResponse> {
    const { data, res } = await this.call<ArkImagesResponse>("POST", "/images/generations", {
      body,
      signal,
      retry: RETRY_REJECTED,
      onAnswer,
    });
    return res.requestId ? { ...data, answerRequestId: res.requestId } : data;
  }

  async createVideoTask(body: Record<string, unknown>, signal?: AbortSignal): Promise<string> {
    const { data, res } = await this.call<{ id?: string }>("POST", "/contents/generations/tasks", {
      body: this.callbackUrl && body.callback_url === undefined ? { ...body, callback_url: this.callbackUrl } : body,
      signal,
      retry: RETRY_REJECTED,
      // A create answers in seconds; one that has not after a minute (or the configured vendor timeout) is treated as lost.
      timeoutMs: Math.min(60_000, this.timeoutMs),
    });
    if (!data.id) throw malformedResponse(ARK, "Ark created a task but returned no id", { requestId: res.requestId });
    return data.id;
  }

  async getVideoTask(id: string, signal?: AbortSignal): Promise<ArkVideoTask> {
    const { data, res } = await this.call<ArkVideoTask>("GET", `/contents/generations/tasks/${encodeURIComponent(id)}`, {
      signal,
      retry: RETRY_SAFE,
      timeoutMs: 30_000,
    });
    return res.requestId ? { ...data, answerRequestId: res.requestId } : data;
  }

  async deleteVideoTask(id: string, signal?: AbortSignal): Promise<void> {
    await this.call("DELETE", `/contents/generations/tasks/${encodeURIComponent(id)}`, { signal, timeoutMs: 30_000 });
  }

  /**
   * Ark's model list, `GET /models` (free). No official shape was found: the OpenAI-style
   * `{"data":[{"id", "status"?}]}` that third-party clients read is accepted; anything else is a bad response.
   */
  async listModels(signal?: AbortSignal): Promise<ArkListedModel[]> {
    const { data, res } = await this.call<{ data?: unknown }>("GET", "/models", { signal, retry: RETRY_SAFE, timeoutMs: 30_000 });
    if (!Array.isArray(data.data)) {
      throw malformedResponse(ARK, 'Ark answered GET /models without a "data" list', { requestId: res.requestId });
    }
    return data.data.flatMap((m: unknown) => {
      const item = m as { id?: unknown; status?: unknown } | null;
      if (typeof item?.id !== "string") return [];
      return [{ id: item.id, ...(typeof item.status === "string" ? { status: item.status } : {}) }];
    });
  }

  async listVideoTasks(
    query: { page_size?: number; page_num?: number; status?: string; model?: string },
    signal?: AbortSignal,
  ): Promise<{ total: number; items: ArkVideoTask[] }> {
    const q = new URLSearchParams();
    if (query.page_num) q.set("page_num", String(query.page_num));
    if (query.page_size) q.set("page_size", String(query.page_size));
    if (query.status) q.set("filter.status", query.status);
    if (query.model) q.set("filter.model", query.model);
    const { data } = await this.call<{ total?: number; items?: ArkVideoTask[] }>("GET", `/contents/generations/tasks?${q.toString()}`, {
      signal,
      retry: RETRY_SAFE,
      timeoutMs: 30_000,
    });
    return { total: data.total ?? 0, items: data.items ?? [] };
  }
}

/** Expiry of a TOS-signed URL (X-Tos-Date + X-Tos-Expires), else `fallback`. */
export function tosUrlExpiry(url: string, fallbackMs: number): string {
  try {
    const q = new URL(url).searchParams;
    const date = q.get("X-Tos-Date");
    const expires = Number(q.get("X-Tos-Expires"));
    if (date && Number.isFinite(expires)) {
      const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
      if (m) return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) + expires * 1000).toISOString();
    }
  } catch {
    // fall through
  }
  return new Date(fallbackMs).toISOString();
}

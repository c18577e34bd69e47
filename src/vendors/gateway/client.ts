/**
 * AI Gateway HTTP client: OpenAI-compatible paths under AI_GATEWAY_BASE_URL, consumer auth
 * headers on every call, errors mapped. Only a 429 or an unreachable gateway is retried: those
 * were refused before any model ran, so a repeat cannot bill twice.
 */
import type { Readable } from "node:stream";
import type { FormData } from "undici";
import { loadUndici } from "../../net/undici.js";
import { AigcError } from "../../errors.js";
import { setTimeout as sleep } from "node:timers/promises";
import {
  cancelled,
  httpOpen,
  httpRequest,
  readPreview,
  requestIdOf,
  retryAfterMs,
  RETRY_SAFE,
  safeUrl,
  type HttpResponse,
} from "../../net/http.js";
import { GatewayAuth } from "./auth.js";
import type { GatewayConfig } from "./config.js";
import { GATEWAY, gatewayError } from "./errors.js";
import { malformedResponse, retryRejected } from "../kit/errors.js";
import { clip } from "../../log.js";

const RETRY_REJECTED = retryRejected();

export interface CallOptions {
  signal?: AbortSignal;
  /** Env var of the default model for this capability (named in model-not-found hints). */
  modelVar?: string;
  maxBytes?: number;
}

export interface OpenedStream {
  status: number;
  headers: Record<string, string>;
  body: Readable;
  requestId?: string;
  mime: string;
}

export class GatewayClient {
  readonly auth: GatewayAuth;

  constructor(
    readonly cfg: GatewayConfig,
    auth?: GatewayAuth,
  ) {
    this.auth = auth ?? new GatewayAuth(cfg.auth);
  }

  url(path: string): string {
    return `${this.cfg.baseUrl}/${path}`;
  }

  private fail(path: string, status: number, headers: Record<string, string>, body: string, opts: CallOptions): AigcError {
    return gatewayError({ status, headers, body, path, auth: this.cfg.auth, modelVar: opts.modelVar });
  }

  private notJson(path: string, status: number, text: string, requestId?: string): AigcError {
    const preview = clip(text.replace(/\s+/g, " ").trim(), 160);
    return malformedResponse(
      GATEWAY,
      `${safeUrl(this.url(path))} answered HTTP ${status} with something that is not JSON${preview ? `: "${preview}"` : ""}`,
      {
        code: "NotJson",
        httpStatus: status,
        requestId,
        hint: "Check that AI_GATEWAY_BASE_URL is the gateway's OpenAI-compatible base (ending in /v1), not a console or docs page.",
      },
    );
  }

  /** The JSON object of a 2xx answer; any other answer becomes the mapped error. */
  private jsonAnswer(path: string, res: HttpResponse, opts: CallOptions): { data: Record<string, unknown>; requestId?: string } {
    if (res.status < 200 || res.status >= 300) throw this.fail(path, res.status, res.headers, res.text(), opts);
    const data = res.json();
    if (!data || typeof data !== "object" || Array.isArray(data)) throw this.notJson(path, res.status, res.text(), res.requestId);
    return { data: data as Record<string, unknown>, requestId: res.requestId };
  }

  /** POSTs a JSON body (or a multipart form) and returns the parsed JSON answer. */
  async postJson(
    path: string,
    body: Record<string, unknown> | FormData,
    opts: CallOptions = {},
  ): Promise<{ data: Record<string, unknown>; requestId?: string }> {
    const form = body instanceof (await loadUndici()).FormData;
    const res = await httpRequest(this.url(path), {
      vendor: GATEWAY,
      baseUrlVariable: "AI_GATEWAY_BASE_URL",
      timeoutVariable: "AI_GATEWAY_TIMEOUT_S",
      method: "POST",
      headers: { ...(await this.auth.headers()), accept: "application/json", ...(form ? {} : { "content-type": "application/json" }) },
      body: form ? body : JSON.stringify(body),
      signal: opts.signal,
      timeoutMs: this.cfg.timeoutMs,
      maxBytes: opts.maxBytes ?? 64 * 1024 * 1024,
      retry: RETRY_REJECTED,
    });
    return this.jsonAnswer(path, res, opts);
  }

  /** GET of a free endpoint (the credential check reads `models`). */
  async get(path: string, opts: CallOptions = {}): Promise<{ data: Record<string, unknown>; requestId?: string }> {
    const res = await httpRequest(this.url(path), {
      vendor: GATEWAY,
      baseUrlVariable: "AI_GATEWAY_BASE_URL",
      headers: { ...(await this.auth.headers()), accept: "application/json" },
      signal: opts.signal,
      timeoutMs: Math.min(this.cfg.timeoutMs, 30_000),
      maxBytes: 8 * 1024 * 1024,
      retry: RETRY_SAFE,
    });
    return this.jsonAnswer(path, res, opts);
  }

  /**
   * POSTs JSON and hands back the unread 2xx body (SSE chat, speech audio). Sent once: a stream
   * that failed midway may already have been billed.
   */
  async open(path: string, body: Record<string, unknown>, accept: string, opts: CallOptions = {}): Promise<OpenedStream> {
    const payload = JSON.stringify(body);
    for (let attempt = 1; ; attempt++) {
      const res = await httpOpen(this.url(path), {
        vendor: GATEWAY,
        timeoutVariable: "AI_GATEWAY_TIMEOUT_S",
        method: "POST",
        headers: { ...(await this.auth.headers()), accept, "content-type": "application/json" },
        body: payload,
        signal: opts.signal,
        timeoutMs: this.cfg.timeoutMs,
      });
      if (res.status >= 200 && res.status < 300) return this.opened(res);
      const text = await readPreview(res.body, 64 * 1024);
      // A 429 was refused before any model ran, so it alone is retried (Retry-After honoured).
      if (res.status !== 429 || attempt >= 3) throw this.fail(path, res.status, res.headers, text, opts);
      await sleep(Math.min(30_000, retryAfterMs(res.headers) ?? 500 * 2 ** (attempt - 1)), undefined, { signal: opts.signal }).catch(() => {
        throw cancelled(GATEWAY, opts.signal);
      });
    }
  }

  private opened(res: { status: number; headers: Record<string, string>; body: Readable }): OpenedStream {
    const requestId = requestIdOf(res.headers);
    const mime = (res.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    return { status: res.status, headers: res.headers, body: res.body, requestId, mime };
  }
}

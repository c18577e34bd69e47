/**
 * The one outbound HTTP client (undici). Every call has connect/headers/body timeouts, an overall
 * deadline, a response size cap and the caller's AbortSignal. Retries happen only when the caller
 * passes a policy, because only the caller knows whether a repeat could bill twice.
 */
import type { Dispatcher, FormData } from "undici";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { AigcError, isAbortError } from "../errors.js";
import { withDeadline } from "./deadline.js";
import { allowedLookup } from "./lookups.js";
import { pool } from "./pools.js";
import { loadUndici } from "./undici.js";
import { pageInsteadOfApi } from "./web-page.js";
import { whileSending } from "./outbound-bodies.js";
import { cancelled, transportError } from "./transport-errors.js";

export { cancelled };

export interface RetryPolicy {
  attempts: number;
  /** Decide from the response (or the transport error) whether another attempt is safe and useful. */
  shouldRetry(res: HttpResponse | undefined, err: AigcError | undefined): boolean;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface HttpOptions {
  vendor: string;
  method?: Dispatcher.HttpMethod;
  headers?: Record<string, string>;
  body?: string | Buffer | FormData;
  signal?: AbortSignal;
  /** Time to the response headers, and the longest pause between body chunks. */
  timeoutMs?: number;
  /** The variable that sets `timeoutMs`, named by a timeout's error (e.g. `AI_GATEWAY_TIMEOUT_S`). */
  timeoutVariable?: string;
  /** Deadline for the whole exchange including the body. */
  totalTimeoutMs?: number;
  /** Response body cap; a larger body fails with `too_large`. */
  maxBytes?: number;
  retry?: RetryPolicy;
  /** Connection pool to use (the URL fetch policy's checked one); default: the shared agent. */
  dispatcher?: Dispatcher;
  /**
   * The variable holding the vendor API's base URL: a fully read success answered as a web page
   * (text/html, and markup, not JSON under that label) is then refused as `NotVendorApi` naming it
   * (net/web-page.ts). Streams (httpOpen) are their callers' to judge.
   */
  baseUrlVariable?: string;
  /**
   * For a billable request: called once when a 2xx status arrives, before the body is read. The
   * vendor has then done (and billed) the work the body holds, so its caller should stop treating a
   * cancel as able to prevent it and read the body to the end (jobs/kinds/local-call.ts).
   */
  onAnswer?: () => void;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  text(): string;
  /** Parsed JSON, or undefined when the body is not JSON. */
  json(): unknown;
  requestId?: string;
}

// Every vendor's request-id header, in order of preference (x-request-id is the common one).
const REQUEST_ID_HEADERS = [
  "x-request-id",
  "x-tt-logid",
  "x-kling-request-id",
  "x-acs-request-id",
  "x-ca-request-id",
  "request-id",
  "req-id",
  "x-correlation-id",
  "x-amzn-requestid",
  "cf-ray",
];

export const requestIdOf = (headers: Record<string, string>): string | undefined => REQUEST_ID_HEADERS.map((h) => headers[h]).find(Boolean);

export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

export function retryAfterMs(headers: Record<string, string>): number | undefined {
  const v = headers["retry-after"];
  if (!v) return undefined;
  const s = Number(v);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const t = Date.parse(v);
  return Number.isFinite(t) ? Math.max(0, t - Date.now()) : undefined;
}

/** A request body's size (characters or bytes; a multipart form's fields and files together). */
function bodyChars(body: HttpOptions["body"]): number {
  if (typeof body === "string" || Buffer.isBuffer(body)) return body.length;
  let size = 0;
  for (const [, value] of body ?? []) size += typeof value === "string" ? value.length : value.size;
  return size;
}

export interface OpenedResponse {
  status: number;
  headers: Record<string, string>;
  body: Readable & Dispatcher.BodyMixin;
  signal: AbortSignal;
  done: () => void;
}

/**
 * Opens a request and returns the status, headers and the unread body stream. A large body is
 * counted as in flight until the answer's headers come (net/outbound-bodies.ts).
 */
export function httpOpen(url: string, opts: HttpOptions): Promise<OpenedResponse> {
  return whileSending(bodyChars(opts.body), () => open(url, opts));
}

/** httpOpen without counting the body (httpRequest counts it across its retries). */
async function open(url: string, opts: HttpOptions): Promise<OpenedResponse> {
  const limit = opts.totalTimeoutMs ? withDeadline(opts.signal, opts.totalTimeoutMs) : undefined;
  const signal = limit?.signal ?? opts.signal ?? new AbortController().signal;
  if (opts.signal?.aborted) throw cancelled(opts.vendor, opts.signal);
  try {
    const { Agent, request } = await loadUndici();
    // Vendor endpoints and allow-listed hosts: any address but a metadata one (lookups.ts).
    const agent = pool("shared", (o) => new Agent({ connect: { timeout: 10_000, lookup: allowedLookup }, ...o }));
    const res = await request(url, {
      dispatcher: opts.dispatcher ?? agent,
      method: opts.method ?? "GET",
      headers: opts.headers,
      body: opts.body as Dispatcher.DispatchOptions["body"],
      signal,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
    });
    // The deadline's timer lives until the body is read or dropped (and the signal with it).
    if (limit) res.body.once("close", limit.clear);
    if (res.statusCode >= 200 && res.statusCode < 300) opts.onAnswer?.();
    return { status: res.statusCode, headers: flattenHeaders(res.headers), body: res.body, signal, done: () => {} };
  } catch (err) {
    limit?.clear();
    if (opts.signal?.aborted) throw cancelled(opts.vendor, opts.signal, true);
    throw transportError(err, opts, safeUrl(url), Boolean(limit?.signal.aborted));
  }
}

/** Drops a response body we will not read (destroying it without a listener would throw). */
export function discard(body: Readable): void {
  body.on("error", () => undefined);
  body.destroy();
}

/** Reads at most `limit` bytes of a body wanted only for an error message, then drops the rest. */
export async function readPreview(body: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= limit) break;
    }
  } catch {
    // keep what arrived
  } finally {
    discard(body);
  }
  return Buffer.concat(chunks).subarray(0, limit).toString("utf8");
}

/** Reads a body into memory, refusing more than `maxBytes`. */
export async function readCapped(body: Readable, maxBytes: number, vendor: string, url: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      discard(body);
      throw new AigcError({
        category: "too_large",
        code: "ResponseTooLarge",
        vendor,
        message: `${safeUrl(url)} sent more than ${maxBytes} bytes`,
      });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size);
}

async function once(url: string, opts: HttpOptions): Promise<HttpResponse> {
  const opened = await open(url, opts);
  let body: Buffer;
  try {
    body = await readCapped(opened.body, opts.maxBytes ?? 16 * 1024 * 1024, opts.vendor, url);
  } catch (err) {
    if (err instanceof AigcError) throw err;
    if (opts.signal?.aborted) throw cancelled(opts.vendor, opts.signal, true);
    throw transportError(err, opts, safeUrl(url), opened.signal.aborted && !opts.signal?.aborted);
  }
  const headers = opened.headers;
  const page =
    opts.baseUrlVariable && pageInsteadOfApi(opts.vendor, opts.baseUrlVariable, safeUrl(url), { status: opened.status, headers, body });
  if (page) throw page;
  let parsed: { done: boolean; value: unknown } = { done: false, value: undefined };
  return {
    status: opened.status,
    headers,
    body,
    requestId: requestIdOf(headers),
    text: () => body.toString("utf8"),
    json: () => {
      if (!parsed.done) {
        try {
          parsed = { done: true, value: body.length ? JSON.parse(body.toString("utf8")) : undefined };
        } catch {
          parsed = { done: true, value: undefined };
        }
      }
      return parsed.value;
    },
  };
}

/** A request whose body is read fully (JSON APIs). Non-2xx statuses are returned, not thrown. */
export function httpRequest(url: string, opts: HttpOptions): Promise<HttpResponse> {
  // Counted from the first send to the last answer: the body stays in memory while a retry waits.
  return whileSending(bodyChars(opts.body), () => withRetries(url, opts));
}

async function withRetries(url: string, opts: HttpOptions): Promise<HttpResponse> {
  const policy = opts.retry;
  const attempts = Math.max(1, policy?.attempts ?? 1);
  for (let attempt = 1; ; attempt++) {
    let res: HttpResponse | undefined;
    let err: AigcError | undefined;
    try {
      res = await once(url, opts);
    } catch (e) {
      if (!(e instanceof AigcError) || e.category === "cancelled" || e.category === "too_large") throw e;
      err = e;
    }
    if (attempt >= attempts || !policy || !policy.shouldRetry(res, err)) {
      if (err) throw err;
      return res!;
    }
    const base = policy.baseDelayMs ?? 500;
    const backoff = Math.min(policy.maxDelayMs ?? 8000, base * 2 ** (attempt - 1));
    const wait = Math.min(30_000, (res && retryAfterMs(res.headers)) ?? backoff);
    try {
      await sleep(wait, undefined, { signal: opts.signal });
    } catch (e) {
      if (isAbortError(e)) throw cancelled(opts.vendor, opts.signal);
      throw e;
    }
  }
}

/** Polls, lookups and downloads: safe to repeat on transport errors, 408, 429 and 5xx. */
export const RETRY_SAFE: RetryPolicy = {
  attempts: 3,
  shouldRetry: (res, err) =>
    err ? err.category === "network" || err.category === "timeout" : res!.status === 408 || res!.status === 429 || res!.status >= 500,
};

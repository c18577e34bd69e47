/**
 * How many bytes of HTTP request bodies the server holds at once. A tool call's arguments live
 * until its answer is sent, and one with inline media (data: URIs) costs several times its body
 * once parsed, decoded and sent on to the vendor (measured: ~8× for a 3.9 MB body), so large
 * bodies wait their turn here instead of all being taken at once. Small bodies never wait: a
 * cancel, a get_job or a tools/list is not held behind uploads.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { plain } from "./reply.js";

/** Bodies up to this many bytes are not counted (most calls are a few KB). */
export const SMALL_BODY_BYTES = 64 * 1024;

export class BodyBudget {
  private held = 0;
  private readonly queue: Array<{ bytes: number; grant: () => void }> = [];

  /** `capacity`: most counted bytes held at once; a body larger than it is taken when it can run alone. */
  constructor(readonly capacity: number) {}

  /**
   * Resolves with a release function once `bytes` fit (at once for a small body), or with
   * undefined when `waitMs` passes or `signal` aborts first. Waiters are served in order.
   */
  acquire(bytes: number, waitMs: number, signal?: AbortSignal): Promise<(() => void) | undefined> {
    if (bytes <= SMALL_BODY_BYTES) return Promise.resolve(() => undefined);
    const charge = Math.min(bytes, this.capacity);
    if (!this.queue.length && this.held + charge <= this.capacity) return Promise.resolve(this.take(charge));
    if (signal?.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const entry = {
        bytes: charge,
        grant: () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", give);
          resolve(this.take(charge));
        },
      };
      const give = () => {
        clearTimeout(timer);
        const i = this.queue.indexOf(entry);
        if (i >= 0) this.queue.splice(i, 1);
        resolve(undefined);
        // A large waiter at the head may have held back smaller ones behind it.
        this.grantWaiting();
      };
      const timer = setTimeout(give, waitMs);
      signal?.addEventListener("abort", give, { once: true });
      this.queue.push(entry);
    });
  }

  /** Bytes held now (for /healthz and tests). */
  get inUse(): number {
    return this.held;
  }

  /** Requests waiting for room now. */
  get waiting(): number {
    return this.queue.length;
  }

  private take(bytes: number): () => void {
    this.held += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held -= bytes;
      this.grantWaiting();
    };
  }

  private grantWaiting(): void {
    while (this.queue.length && this.held + this.queue[0]!.bytes <= this.capacity) this.queue.shift()!.grant();
  }
}

/**
 * Waits for room in `budget` for a body of `bytes`, held until the answer ends or `release` is
 * called. "answered": it answered 503 instead (no room within `waitMs`, Retry-After 5 s), or the
 * client left while waiting; "stopped": `stop` aborted first (a shutdown), nothing answered.
 */
export async function roomForBody(
  budget: BodyBudget,
  bytes: number,
  waitMs: number,
  req: IncomingMessage,
  res: ServerResponse,
  stop: AbortSignal,
): Promise<{ release: () => void } | "answered" | "stopped"> {
  const left = new AbortController();
  const onClose = () => left.abort();
  res.once("close", onClose);
  const release = await budget.acquire(bytes, waitMs, AbortSignal.any([left.signal, stop]));
  res.off("close", onClose);
  if (release && !res.destroyed) {
    res.once("close", release);
    return { release };
  }
  release?.();
  if (res.destroyed) return "answered";
  if (stop.aborted) return "stopped";
  res.on("finish", () => req.destroy());
  plain(
    res,
    503,
    `Busy: the server already holds ${budget.inUse} bytes of large request bodies (AIGC_MCP_MAX_BODY_BYTES_IN_FLIGHT, ${budget.capacity}) and this one waited ${waitMs / 1000} s for room. Send it again later, or pass media as file paths or URLs instead of inline data.`,
    { connection: "close", "retry-after": "5" },
  );
  return "answered";
}

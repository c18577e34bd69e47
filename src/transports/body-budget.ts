/**
 * How many bytes of HTTP request bodies the server holds at once. A tool call's arguments live
 * until its answer is sent, and one with inline media (data: URIs) costs several times its body
 * once parsed, decoded and sent on to the vendor (measured: ~8× for a 3.9 MB body), so large
 * bodies wait their turn here instead of all being taken at once. Small bodies never wait: a
 * cancel, a get_job or a tools/list is not held behind uploads.
 *
 * The server's own large requests to vendors are counted beside them, until answered
 * (net/outbound-bodies.ts): a call that answers at once (`wait_seconds: 0`) gives back its body's
 * room while its job still sends the same media on. A new body waits until it fits in both counts,
 * so while calls wait for their vendor answers the media they hold is counted once, not twice, and
 * a burst of quick answers cannot pile up inline media in creates. The outbound count never waits
 * (its bodies are in memory already), so it can pass the capacity, and media the server loads
 * itself (paths, URLs) come in small bodies that never wait: those are not bounded here.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { plain } from "./reply.js";

/** Bodies up to this many bytes are not counted (most calls are a few KB). */
export const SMALL_BODY_BYTES = 64 * 1024;

export class BodyBudget {
  private held = 0;
  private sending = 0;
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
    if (!this.queue.length && this.fits(charge)) return Promise.resolve(this.take(charge));
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

  /**
   * Counts an outbound body of `bytes` (a request of this process to a vendor, in memory already:
   * net/outbound-bodies.ts) at once, even past the capacity; returns its release.
   */
  holdSending(bytes: number): () => void {
    if (bytes <= SMALL_BODY_BYTES) return () => undefined;
    const charge = Math.min(bytes, this.capacity);
    this.sending += charge;
    return this.releaser(() => (this.sending -= charge));
  }

  /** Bytes of request bodies held now (for /healthz and tests). */
  get inUse(): number {
    return this.held;
  }

  /** Bytes of this process's own requests to vendors counted now. */
  get inSending(): number {
    return this.sending;
  }

  /** Requests waiting for room now. */
  get waiting(): number {
    return this.queue.length;
  }

  private fits(bytes: number): boolean {
    return this.held + bytes <= this.capacity && this.sending + bytes <= this.capacity;
  }

  private take(bytes: number): () => void {
    this.held += bytes;
    return this.releaser(() => (this.held -= bytes));
  }

  private releaser(give: () => void): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      give();
      this.grantWaiting();
    };
  }

  private grantWaiting(): void {
    while (this.queue.length && this.fits(this.queue[0]!.bytes)) this.queue.shift()!.grant();
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
    `Busy: the server already holds ${budget.inUse} bytes of large request bodies and ${budget.inSending} of its own requests to vendors (AIGC_MCP_MAX_BODY_BYTES_IN_FLIGHT, ${budget.capacity} each), and this one waited ${waitMs / 1000} s for room. Send it again later, or pass media as file paths or URLs instead of inline data.`,
    { connection: "close", "retry-after": "5" },
  );
  return "answered";
}

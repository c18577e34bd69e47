/**
 * How many bytes of HTTP request bodies the server holds at once. A tool call's arguments live
 * until its answer is sent, and one with inline media (data: URIs) costs several times its body
 * once parsed, decoded and sent on (measured: ~8× for a 3.9 MB body), so large bodies wait their
 * turn here instead of all being taken at once. Small bodies never wait: a cancel, a get_job or a
 * tools/list is not held behind uploads.
 *
 * Counted apart, each against the same capacity, for the whole process (net/outbound-bodies.ts):
 * - the server's own large requests to vendors, until answered. A call that answers at once
 *   (`wait_seconds: 0`) gives back its body's room while its job still sends the same media on. A
 *   new body waits until it fits in this count too, so a burst of quick answers cannot pile up
 *   inline media in creates. This count never waits (its bodies are in memory already), so it can
 *   pass the capacity.
 * - media calls load themselves (file paths, media:// URIs, downloads: net/loaded-media.ts), which
 *   come in small bodies: a load waits until it fits in this count and the vendor-bound one.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ProcessCount } from "../net/outbound-bodies.js";
import { plain } from "./reply.js";

/** Bodies up to this many bytes are not counted (most calls are a few KB). */
export const SMALL_BODY_BYTES = 64 * 1024;

export class BodyBudget implements ProcessCount {
  private held = 0;
  private sending = 0;
  private loaded = 0;
  private readonly queue: Waiter[] = [];
  private readonly loads: Waiter[] = [];

  /**
   * `capacity`: most counted bytes held at once in each count; a body or load larger than it is
   * taken when it can run alone. `loadWaitMs`: the least time a load waits for room (acquireLoaded).
   */
  constructor(
    readonly capacity: number,
    private readonly loadWaitMs = 30_000,
  ) {}

  /**
   * Resolves with a release function once `bytes` fit (at once for a small body), or with
   * undefined when `waitMs` passes or `signal` aborts first. Waiters are served in order.
   */
  acquire(bytes: number, waitMs: number, signal?: AbortSignal): Promise<(() => void) | undefined> {
    return this.enqueue(this.queue, bytes, waitMs, signal);
  }

  /** Like acquire, for media a call loads itself (net/loaded-media.ts), waiting up to the budget's load wait. */
  acquireLoaded(bytes: number, signal?: AbortSignal, waitMs?: number): Promise<(() => void) | undefined> {
    return this.enqueue(this.loads, bytes, this.loadWait(waitMs), signal);
  }

  /** Counts more media of a call that holds room already, at once; returns its release. */
  holdLoaded(bytes: number): () => void {
    return this.count(bytes, (b) => (this.loaded += b));
  }

  /** Why a load of `bytes` found no room (the Busy error's reason). */
  busyReason(bytes: number, waitMs?: number): string {
    return `the server already holds ${this.loaded} bytes of media loaded for calls and ${this.sending} of its own requests to vendors (AIGC_MCP_MAX_BODY_BYTES_IN_FLIGHT, ${this.capacity} each), and no room for ${bytes} more came within ${Math.round(this.loadWait(waitMs) / 100) / 10} s`;
  }

  /** A load waits the longer of the budget's own wait and the call's (its wait_seconds). */
  private loadWait(waitMs = 0): number {
    return Math.max(this.loadWaitMs, waitMs);
  }

  /**
   * Counts an outbound body of `bytes` (a request of this process to a vendor, in memory already:
   * net/outbound-bodies.ts) at once, even past the capacity; returns its release.
   */
  holdSending(bytes: number): () => void {
    return this.count(bytes, (b) => (this.sending += b));
  }

  /** Bytes of request bodies held now (for /healthz and tests). */
  get inUse(): number {
    return this.held;
  }

  /** Bytes of this process's own requests to vendors counted now. */
  get inSending(): number {
    return this.sending;
  }

  /** Bytes of media loaded for calls counted now. */
  get inLoading(): number {
    return this.loaded;
  }

  /** Requests and loads waiting for room now. */
  get waiting(): number {
    return this.queue.length + this.loads.length;
  }

  private enqueue(queue: Waiter[], bytes: number, waitMs: number, signal?: AbortSignal): Promise<(() => void) | undefined> {
    if (bytes <= SMALL_BODY_BYTES) return Promise.resolve(() => undefined);
    const charge = Math.min(bytes, this.capacity);
    if (!queue.length && this.fits(queue, charge)) return Promise.resolve(this.take(queue, charge));
    if (signal?.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const entry = {
        bytes: charge,
        grant: () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", give);
          resolve(this.take(queue, charge));
        },
      };
      const give = () => {
        clearTimeout(timer);
        const i = queue.indexOf(entry);
        if (i >= 0) queue.splice(i, 1);
        resolve(undefined);
        // A large waiter at the head may have held back smaller ones behind it.
        this.grantWaiting();
      };
      const timer = setTimeout(give, waitMs);
      signal?.addEventListener("abort", give, { once: true });
      queue.push(entry);
    });
  }

  /** A body fits beside the bodies held, a load beside the loads; either beside the requests to vendors. */
  private fits(queue: Waiter[], bytes: number): boolean {
    const mine = queue === this.loads ? this.loaded : this.held;
    return mine + bytes <= this.capacity && this.sending + bytes <= this.capacity;
  }

  private take(queue: Waiter[], bytes: number): () => void {
    return queue === this.loads ? this.count(bytes, (b) => (this.loaded += b)) : this.count(bytes, (b) => (this.held += b));
  }

  /** Adds `bytes` (capped at the capacity; nothing for a small one) with `add`, and returns the release that takes them off. */
  private count(bytes: number, add: (b: number) => void): () => void {
    if (bytes <= SMALL_BODY_BYTES) return () => undefined;
    const charge = Math.min(bytes, this.capacity);
    add(charge);
    return this.releaser(() => add(-charge));
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
    for (const queue of [this.queue, this.loads]) while (queue.length && this.fits(queue, queue[0]!.bytes)) queue.shift()!.grant();
  }
}

interface Waiter {
  bytes: number;
  grant: () => void;
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

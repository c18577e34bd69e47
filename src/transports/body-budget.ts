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
import type { LoadWait, ProcessCount } from "../net/outbound-bodies.js";
import { plain } from "./reply.js";

/** Bodies up to this many bytes are not counted (most calls are a few KB). */
export const SMALL_BODY_BYTES = 64 * 1024;

export class BodyBudget implements ProcessCount {
  private held = 0;
  private sending = 0;
  private loaded = 0;
  /** Bodies and loads waiting, served in arrival order (a waiting load holds back bodies behind it, and the other way round). */
  private readonly queue: Waiter[] = [];
  /** Bytes of loads counted per call's room (net/loaded-media.ts): a call's load never waits on its own call's. */
  private readonly rooms = new WeakMap<object, number>();
  /** The counts when the last load gave up waiting (for its Busy reason, before the next waiter moved in). */
  private refusedAt?: { loaded: number; sending: number };

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
    return this.enqueue({ kind: "body" }, bytes, waitMs, signal);
  }

  /** Like acquire, for media a call loads itself (net/loaded-media.ts); see ProcessCount.acquireLoaded. */
  acquireLoaded(bytes: number, opts: LoadWait): Promise<(() => void) | undefined> {
    return this.enqueue({ kind: "load", room: opts.room }, bytes, this.loadWait(opts.waitMs), opts.signal);
  }

  /** Why a load of `bytes` found no room after its wait (the Busy error's reason). */
  busyReason(bytes: number, waitMs?: number): string {
    const { loaded, sending } = this.refusedAt ?? { loaded: this.loaded, sending: this.sending };
    const charge =
      bytes > this.capacity ? `, counted as ${this.capacity} (the whole limit: it is read when no other media are loaded or being sent)` : "";
    return `the server already holds ${loaded} bytes of media loaded for calls and ${sending} of its own requests to vendors (AIGC_MCP_MAX_BODY_BYTES_IN_FLIGHT, ${this.capacity} each), and no room for ${bytes} more${charge} came within ${Math.round(this.loadWait(waitMs) / 100) / 10} s`;
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
    return this.queue.length;
  }

  private enqueue(what: Want, bytes: number, waitMs: number, signal?: AbortSignal): Promise<(() => void) | undefined> {
    if (bytes <= SMALL_BODY_BYTES) return Promise.resolve(() => undefined);
    const entry: Waiter = { ...what, bytes: Math.min(bytes, this.capacity), grant: () => undefined };
    if (!this.queue.length && this.fits(entry)) return Promise.resolve(this.take(entry));
    if (signal?.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      entry.grant = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", give);
        resolve(this.take(entry));
      };
      const give = () => {
        clearTimeout(timer);
        const i = this.queue.indexOf(entry);
        if (i >= 0) this.queue.splice(i, 1);
        if (entry.kind === "load") this.refusedAt = { loaded: this.loaded, sending: this.sending };
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
   * A body fits beside the bodies held, a load beside the loads of other calls (its own call's do
   * not count: a call never waits on itself); either beside the requests to vendors.
   */
  private fits(w: Waiter): boolean {
    const mine = w.kind === "load" ? this.loaded - (w.room ? (this.rooms.get(w.room) ?? 0) : 0) : this.held;
    return mine + w.bytes <= this.capacity && this.sending + w.bytes <= this.capacity;
  }

  private take(w: Waiter): () => void {
    if (w.kind === "body") return this.count(w.bytes, (b) => (this.held += b));
    const room = w.room;
    return this.count(w.bytes, (b) => {
      this.loaded += b;
      if (room) this.rooms.set(room, (this.rooms.get(room) ?? 0) + b);
    });
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
    while (this.queue.length && this.fits(this.queue[0]!)) this.queue.shift()!.grant();
  }
}

type Want = { kind: "body" } | { kind: "load"; room?: object };
type Waiter = Want & { bytes: number; grant: () => void };

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

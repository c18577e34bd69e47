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
 *   come in small bodies, each load counted whatever its size. Loads wait in a queue of their own
 *   (a body never waits behind a load, nor a load behind a body: a call may hold one and want the
 *   other), until they fit beside the other calls' loads and the requests to vendors leave room.
 *   A call's own loads never count against it, and a load of a call that holds room already goes
 *   ahead of the calls that hold none (it finishes its call, which then gives its room back); when
 *   every call holding room waits for more (while the requests to vendors leave room), the oldest
 *   such load goes in past the limit, one call at a time, so calls never wait on each other for
 *   ever. The loads pass the limit only by reads of calls that hold room already: the call let past
 *   it, and a call whose own reads no other call's room kept out (about two calls' reads at most).
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
  /** Bodies waiting, served in order. */
  private readonly bodies: Waiter[] = [];
  /** Loads waiting, in order (see the file's comment for who goes first). */
  private readonly loads: Waiter[] = [];
  /** Bytes of loads counted per call (its LoadRoom): a call's load never waits on its own call's. */
  private readonly rooms = new Map<object, number>();
  /** The call whose loads went in past the limit to end a wait of every call on another (breakDeadlock). */
  private forced?: object;
  /** The other calls' loads and the requests to vendors when the last load gave up waiting (its Busy reason). */
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
    if (bytes <= SMALL_BODY_BYTES) return Promise.resolve(() => undefined);
    return this.enqueue(this.bodies, { bytes: Math.min(bytes, this.capacity) }, waitMs, signal);
  }

  /** Like acquire, for media a call loads itself (net/loaded-media.ts), of any size; see ProcessCount.acquireLoaded. */
  acquireLoaded(bytes: number, opts: LoadWait): Promise<(() => void) | undefined> {
    const room = opts.room ?? {};
    return this.enqueue(this.loads, { bytes: Math.min(bytes, this.capacity), room }, this.loadWait(opts.waitMs), opts.signal);
  }

  /** Why a load of `bytes` found no room after its wait (the Busy error's reason). */
  busyReason(bytes: number, waitMs?: number): string {
    const { loaded, sending } = this.refusedAt ?? { loaded: this.loaded, sending: this.sending };
    const charge =
      bytes > this.capacity ? `, counted as ${this.capacity} (the whole limit: it is read when no other media are loaded)` : "";
    return `other calls and reads hold ${loaded} bytes of media loaded and the server ${sending} of its own requests to vendors (each up to AIGC_MCP_MAX_BODY_BYTES_IN_FLIGHT, ${this.capacity}), and no room for ${bytes} more${charge} came within ${Math.round(this.loadWait(waitMs) / 100) / 10} s`;
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

  /** Bytes of media loaded for calls counted now. */
  get inLoading(): number {
    return this.loaded;
  }

  /** Requests and loads waiting for room now. */
  get waiting(): number {
    return this.bodies.length + this.loads.length;
  }

  private enqueue(queue: Waiter[], want: Omit<Waiter, "grant">, waitMs: number, signal?: AbortSignal): Promise<(() => void) | undefined> {
    if (signal?.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const entry: Waiter = {
        ...want,
        grant: () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", give);
          resolve(this.take(entry));
        },
      };
      const give = () => {
        clearTimeout(timer);
        const i = queue.indexOf(entry);
        if (i >= 0) queue.splice(i, 1);
        if (entry.room) this.refusedAt = { loaded: this.loaded - this.own(entry), sending: this.sending };
        resolve(undefined);
        // A large waiter at the head may have held back smaller ones behind it.
        this.grantWaiting();
      };
      const timer = setTimeout(give, waitMs);
      signal?.addEventListener("abort", give, { once: true });
      queue.push(entry);
      this.grantWaiting();
    });
  }

  /** What `w`'s call holds of the loads already. */
  private own(w: Waiter): number {
    return w.room ? (this.rooms.get(w.room) ?? 0) : 0;
  }

  /**
   * A body fits beside the bodies held and the requests to vendors; a load beside the other calls'
   * loads, while the requests to vendors leave any room (a load over the capacity would otherwise
   * wait for none to be under way, which steady traffic never allows).
   */
  private fits(w: Waiter): boolean {
    if (!w.room) return this.held + w.bytes <= this.capacity && this.sending + w.bytes <= this.capacity;
    return this.loaded - this.own(w) + w.bytes <= this.capacity && this.sending < this.capacity;
  }

  private take(w: Waiter): () => void {
    const { bytes, room } = w;
    if (!room) {
      this.held += bytes;
      return this.releaser(() => (this.held -= bytes));
    }
    const add = (b: number) => {
      this.loaded += b;
      const left = (this.rooms.get(room) ?? 0) + b;
      if (left > 0) this.rooms.set(room, left);
      else this.rooms.delete(room);
    };
    add(bytes);
    return this.releaser(() => add(-bytes));
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
    while (this.bodies.length && this.fits(this.bodies[0]!)) this.bodies.shift()!.grant();
    for (;;) {
      // In order; a load of a call that holds room goes ahead of the ones that hold none.
      const next = this.loads.find((w, i) => (i === 0 || this.own(w) > 0) && this.fits(w)) ?? this.breakDeadlock();
      if (!next) return;
      this.loads.splice(this.loads.indexOf(next), 1);
      next.grant();
    }
  }

  /**
   * When every call that holds loaded room waits for more (none of them will give any back) and the
   * requests to vendors leave room, the oldest of their loads, to go in past the limit; else undefined.
   */
  private breakDeadlock(): Waiter | undefined {
    if (this.forced && !this.rooms.has(this.forced)) this.forced = undefined;
    // Requests to vendors filling the limit end by themselves: waiting for them is no deadlock.
    if (this.sending >= this.capacity) return undefined;
    const waitingRooms = new Set(this.loads.map((w) => w.room));
    if (!this.rooms.size || [...this.rooms.keys()].some((room) => !waitingRooms.has(room))) return undefined;
    // One call at a time goes past the limit, until it gives its room back.
    const next = this.loads.find((w) => this.own(w) > 0 && (!this.forced || w.room === this.forced));
    if (next) this.forced = next.room;
    return next;
  }
}

interface Waiter {
  bytes: number;
  /** The call a load is for; none for a body. */
  room?: object;
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
    `Busy: the server already holds ${budget.inUse} bytes of large request bodies and ${budget.inSending} of its own requests to vendors (each up to AIGC_MCP_MAX_BODY_BYTES_IN_FLIGHT, ${budget.capacity}), and this one waited ${waitMs / 1000} s for room. Send it again later, or pass media as file paths or URLs instead of inline data.`,
    { connection: "close", "retry-after": "5" },
  );
  return "answered";
}

/**
 * Room for the media a call loads itself: a local file, an output's `media://` URI, a URL
 * downloaded here. Such a call comes in a small body that never waits (transports/body-budget.ts),
 * yet reads megabytes and sends them on (40 calls naming a 2.9 MB file sent 155 MB of creates at
 * once). Each load now waits, before it reads, until its size fits in the process's counts
 * (net/outbound-bodies.ts: the HTTP transport's budget; over stdio there is none and nothing
 * waits), and the call keeps the room until its vendor request settles or the call ends.
 *
 * Every load of a call waits, whatever its size, but never on the room its own call holds, and
 * calls never wait on each other for ever (transports/body-budget.ts says who goes first).
 */
import { AigcError } from "../errors.js";
import { processCounts } from "./outbound-bodies.js";
import { cancelled } from "./transport-errors.js";

export class LoadRoom {
  private releases: Array<() => void> = [];
  /** Aborted by release(): a read still waiting then is dropped from the queue and holds nothing. */
  private ended = new AbortController();
  private closed = false;

  /**
   * Resolves once `bytes` (a load's size, read before its bytes are) are counted. Throws a `Busy`
   * AigcError (rate_limit) when no room came in time (by the call's `deadlineMs`, epoch ms, or the
   * budget's own wait when that is longer), naming `field`, or a cancellation when `signal` aborts,
   * the room is released while it waits, or the call has ended (close); nothing was sent to a
   * vendor either way. `sizeNote` follows the size in the message (why it is what it is).
   */
  async take(bytes: number, field: string, signal?: AbortSignal, deadlineMs = 0, sizeNote = ""): Promise<void> {
    const counts = processCounts();
    if (!counts.length) return;
    const ended = this.ended.signal;
    const until = signal ? AbortSignal.any([signal, ended]) : ended;
    if (this.closed) throw cancelled("input", signal);
    // As long as the call's own wait (its wait_seconds; none for a task call), at least the budget's.
    const waitMs = Number.isFinite(deadlineMs) ? Math.max(0, deadlineMs - Date.now()) : 0;
    const granted: Array<() => void> = [];
    try {
      for (const count of counts) {
        const release = await count.acquireLoaded(bytes, { signal: until, waitMs, room: this });
        if (release) granted.push(release);
        if (until.aborted) throw cancelled("input", signal);
        if (!release)
          throw new AigcError({
            category: "rate_limit",
            code: "Busy",
            message: `${field} (${bytes} bytes${sizeNote}) was not read: ${count.busyReason(bytes, waitMs)}`,
            hint: "Nothing was sent to the vendor: call again in a few seconds, or with fewer large inputs at once.",
          });
      }
      this.releases.push(...granted.splice(0));
    } finally {
      for (const release of granted) release();
    }
  }

  /** Gives back all the room the call holds (what it read is no longer needed); its later loads wait again. Idempotent. */
  release(): void {
    const releases = this.releases;
    this.releases = [];
    this.ended.abort();
    this.ended = new AbortController();
    for (const release of releases) release();
  }

  /** The call ended: gives back its room, and a load of it still running gets none (it stops, cancelled). */
  close(): void {
    this.closed = true;
    this.release();
  }
}

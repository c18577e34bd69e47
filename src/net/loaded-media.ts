/**
 * Room for the media a call loads itself: a local file, an output's `media://` URI, a URL
 * downloaded here. Such a call comes in a small body that never waits (transports/body-budget.ts),
 * yet reads megabytes and sends them on (40 calls naming a 2.9 MB file sent 155 MB of creates at
 * once). Each load now waits, before it reads, until its size fits in the process's counts
 * (net/outbound-bodies.ts: the HTTP transport's budget; over stdio there is none and nothing
 * waits), and the call keeps the room until its vendor request settles or the call ends.
 *
 * A call waits once, for its first load: the others it makes while it holds room are counted
 * without waiting, so a call never waits on room it holds itself.
 */
import { AigcError } from "../errors.js";
import { processCounts } from "./outbound-bodies.js";
import { cancelled } from "./transport-errors.js";

export class LoadRoom {
  private releases: Array<() => void> = [];
  private first: Promise<void> | undefined;
  /** Aborted by release(): a read still waiting then is dropped from the queue and holds nothing. */
  private ended = new AbortController();

  /**
   * Resolves once `bytes` (a load's size, read before its bytes are) are counted. Throws a `Busy`
   * AigcError (rate_limit) when the first load of the call found no room in time (by the call's
   * `deadlineMs`, epoch ms, or the budget's own wait when that is longer), naming `field`,
   * or a cancellation when `signal` aborts (or the room is released) while it waits; nothing was
   * sent to a vendor either way.
   */
  async take(bytes: number, field: string, signal?: AbortSignal, deadlineMs = 0): Promise<void> {
    const counts = processCounts();
    if (!counts.length) return;
    const ended = this.ended.signal;
    if (this.first) {
      await this.first;
      if (!ended.aborted) for (const count of counts) this.releases.push(count.holdLoaded(bytes));
      return;
    }
    // As long as the call's own wait (its wait_seconds; none for a task call), at least the budget's.
    const waitMs = Number.isFinite(deadlineMs) ? Math.max(0, deadlineMs - Date.now()) : 0;
    this.first = this.wait(bytes, field, ended, signal, waitMs);
    // A failed wait leaves no room held: the call's next load waits again.
    await this.first.catch((err: unknown) => {
      this.first = undefined;
      throw err;
    });
  }

  /** Gives back all the room the call holds (once its vendor request settled, or the call ended); idempotent. */
  release(): void {
    const releases = this.releases;
    this.releases = [];
    this.first = undefined;
    this.ended.abort();
    this.ended = new AbortController();
    for (const release of releases) release();
  }

  private async wait(bytes: number, field: string, ended: AbortSignal, signal: AbortSignal | undefined, waitMs: number): Promise<void> {
    const until = signal ? AbortSignal.any([signal, ended]) : ended;
    const granted: Array<() => void> = [];
    try {
      for (const count of processCounts()) {
        const release = await count.acquireLoaded(bytes, until, waitMs);
        if (release) granted.push(release);
        if (until.aborted) throw cancelled("input", signal);
        if (!release)
          throw new AigcError({
            category: "rate_limit",
            code: "Busy",
            message: `${field} (${bytes} bytes) was not read: ${count.busyReason(bytes, waitMs)}`,
            hint: "Nothing was sent to the vendor: call again in a few seconds, or with fewer large inputs at once.",
          });
      }
      this.releases.push(...granted.splice(0));
    } finally {
      for (const release of granted) release();
    }
  }
}

/**
 * A local call that another live server process runs (both share the output folder). This process
 * cannot reach the call, so it re-reads the job's record until the job ends or its owner dies.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { JobStore } from "../store.js";
import type { Tracker } from "../tracker.js";
import type { CancelOutcome } from "../types.js";
import type { JobKind } from "./kind.js";
import { ownerGoneError } from "../record.js";

const REREAD_MS = 1000;

export class Followed implements JobKind {
  readonly abortsWithOriginatingCall = false;

  constructor(
    private readonly store: JobStore,
    private readonly trackIdleMs: number,
  ) {}

  /** Another process runs it: this one only reads its record. */
  resumableElsewhere(): boolean {
    return true;
  }

  /** The owner's record is current already; there is no poll to wait for. */
  firstPollPending(): boolean {
    return false;
  }

  /** Re-reads the record every second; fails the job if its owner process is gone. */
  async drive(tr: Tracker): Promise<void> {
    while (!tr.ended && !tr.signal.aborted && Date.now() - tr.lastInterest < this.trackIdleMs) {
      // A store that cannot be read now (Redis down) is read again next time.
      const fresh = await this.store.load(tr.record.job_id).catch(() => undefined);
      if (fresh) tr.adopt(fresh);
      const owner = tr.record.owner;
      if (!tr.ended && owner && !(await this.store.ownerAlive(owner).catch(() => true))) {
        await tr.update({ status: "failed", error: ownerGoneError() });
        return;
      }
      await sleep(REREAD_MS, undefined, { signal: tr.signal }).catch(() => undefined);
    }
  }

  canCancel(): boolean {
    return false;
  }

  /** Refuses: only the owner process holds the call. */
  cancel(): Promise<CancelOutcome> {
    return Promise.resolve({
      cancelled: false,
      message: "This job runs in another server process; cancel it from there (or let it finish).",
    });
  }
}

/**
 * A job another live server process runs (a local call, or a create it sent that has not answered;
 * both processes share the job store). This process cannot reach the call, so it re-reads the job's
 * record until the job ends or its owner dies. Then a synchronous call fails `Interrupted`; a create
 * is taken over by `successor` (the task lookup of kinds/submitting.ts), since its task may exist.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { JobStore } from "../store.js";
import type { Tracker } from "../tracker.js";
import type { CancelOutcome } from "../types.js";
import type { JobKind } from "./kind.js";
import { ownerGoneError } from "../record.js";

const REREAD_MS = 1000;

export class Followed implements JobKind {
  /** The job goes on without the call that started it. */
  originatingCallCancelled(): void {}

  /** The kind that carries the job on once its owner is gone (set then, from `successor`). */
  private next?: JobKind;

  constructor(
    private readonly store: JobStore,
    private readonly trackIdleMs: number,
    private readonly successor?: () => JobKind,
  ) {}

  /** Another process runs it: this one only reads its record. */
  resumableElsewhere(): boolean {
    return this.next?.resumableElsewhere() ?? true;
  }

  /** The owner's record is current already; there is no poll to wait for. */
  firstPollPending(): boolean {
    return this.next?.firstPollPending() ?? false;
  }

  /** Re-reads the record every second; fails the job if its owner process is gone. */
  async drive(tr: Tracker): Promise<void> {
    if (this.next) return this.next.drive(tr);
    while (!tr.ended && !tr.signal.aborted && Date.now() - tr.lastInterest < this.trackIdleMs) {
      // A store that cannot be read now (Redis down) is read again next time.
      const fresh = await this.store.load(tr.record.job_id).catch(() => undefined);
      if (fresh) tr.adopt(fresh);
      const owner = tr.record.owner;
      if (!tr.ended && owner && !(await this.store.ownerAlive(owner).catch(() => true))) {
        if (!this.successor) return void (await tr.update({ status: "failed", error: ownerGoneError() }));
        this.next = this.successor();
        return this.next.drive(tr);
      }
      await sleep(REREAD_MS, undefined, { signal: tr.signal }).catch(() => undefined);
    }
  }

  canCancel(tr: Tracker): boolean {
    return this.next?.canCancel(tr) ?? false;
  }

  /** Refuses: only the owner process holds the call. */
  cancel(tr: Tracker, signal?: AbortSignal): Promise<CancelOutcome> {
    if (this.next) return this.next.cancel(tr, signal);
    return Promise.resolve({
      cancelled: false,
      message: "This job runs in another server process; cancel it from there (or let it finish).",
    });
  }
}

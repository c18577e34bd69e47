/**
 * The kinds of job, told apart by who drives the job rather than by how its outputs arrive:
 * - `VendorTask` (vendor-task.ts): a vendor task, polled by id; any process can resume it.
 * - `LocalCall` (local-call.ts): a synchronous vendor call run in the background by this process.
 *   Its answer carries URLs, decoded bytes or a streamed body; outputs.ts saves all three alike.
 * - `Followed` (followed.ts): a local call that another live process runs; we re-read its record.
 */
import type { Tracker } from "../tracker.js";
import type { CancelOutcome } from "../types.js";

export interface JobKind {
  /**
   * Drives the job until it ends, goes idle or `tr.signal` aborts. The engine calls it again when
   * someone waits on an unfinished job whose work has stopped.
   */
  drive(tr: Tracker): Promise<void>;
  /** Cancels an unfinished job as far as this kind allows and says plainly what happened. */
  cancel(tr: Tracker, signal?: AbortSignal): Promise<CancelOutcome>;
  /** Whether cancel_job can stop this unfinished job now (the viewer offers Cancel only then). */
  canCancel(tr: Tracker): boolean;
  /** True until the job's first poll has landed; a wait holds for it past a zero budget. */
  firstPollPending(): boolean;
  /**
   * Whether another server process can carry the job on from its stored record now, so this one
   * may stop waiting on it when it shuts down: a vendor task, yes; a synchronous call, never.
   */
  resumableElsewhere(): boolean;
  /**
   * The client cancelled the tool call that started the job. A synchronous call is aborted and
   * reads cancelled at once, unless the vendor has answered (its billed output is kept); a vendor
   * task goes on.
   */
  originatingCallCancelled(tr: Tracker): void;
}

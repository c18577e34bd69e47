/** How a caller waits on a live job: within its budget, told every heartbeat that it is still waiting. */
import { AigcError } from "../errors.js";
import { connectionClosed, stoppedByServer } from "../open-calls.js";
import type { Tracker } from "./tracker.js";
import type { JobRecord } from "./types.js";

export interface WaitOptions {
  budgetMs: number;
  signal?: AbortSignal;
  onProgress?: (record: JobRecord) => void;
  /**
   * The call that started the job: cancelling it cancels a synchronous job
   * (JobKind.originatingCallCancelled), and the wait does not read the job's record first (nothing
   * another process stored can be newer yet than this process's own polls, which see any end too).
   */
  originating?: boolean;
  /** Aborted when the server starts shutting down: the wait then ends as soon as another process can resume the job. */
  drain?: AbortSignal;
}

/** What a wait ended by a shutdown says in the record it returns (the job itself is unchanged). */
export const DRAINED_DETAIL = "this server is shutting down; wait_for_job resumes the job on any server sharing its job store";

/** The same for --sandbox, whose simulated vendors stop with it (README, Sandbox). */
export const SANDBOX_DRAINED_DETAIL =
  "this --sandbox server is shutting down, and its simulated vendors with it: no other process can finish a job still running (their simulators never saw its task)";

/** How long a wait, even with a zero budget, holds for the first poll of a resumed vendor task. */
const FIRST_POLL_GRACE_MS = 10_000;

/**
 * Waits until the job ends, the budget is spent or the job's work stops without ending it, and
 * returns its record. The caller's signal ends the wait (and, for the originating call of a local
 * job, the job) with a `cancelled` error; when a shutdown stopped the call (src/open-calls.ts),
 * with the job's record as it stands.
 */
export async function waitOn(tr: Tracker, opts: WaitOptions, heartbeatMs: number): Promise<JobRecord> {
  const deadline = Date.now() + opts.budgetMs;
  const firstPollDeadline = Date.now() + FIRST_POLL_GRACE_MS;
  const onAbort = () => {
    // A shutdown, or a connection that closed, is no cancellation: the job goes on.
    if (stoppedByServer(opts.signal) || connectionClosed(opts.signal)) return;
    if (opts.originating && !tr.ended) tr.kind.originatingCallCancelled(tr);
  };
  // Cancelled before this wait began (the job's request already sent): an abort listener would never hear it.
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for (;;) {
      if (tr.ended) return tr.flushed().then(() => tr.record);
      if (opts.drain?.aborted && tr.kind.resumableElsewhere()) return drained(tr, opts.drain);
      // The work stopped short of an end (a refused status poll, repeated failed polls, a task the
      // vendor does not know with this server's credentials, outputs the disk refused): nothing
      // changes before the next wait restarts it, and the detail says why.
      if (!tr.running) return tr.record;
      const now = Date.now();
      const needFirstPoll = tr.kind.firstPollPending() && now < firstPollDeadline;
      if (now >= deadline && !needFirstPoll) return tr.record;
      if (opts.signal?.aborted) return ended(tr, opts.signal, opts.drain);
      const until = needFirstPoll && now >= deadline ? firstPollDeadline : deadline;
      await tr.nextChange(Math.min(heartbeatMs, Math.max(1, until - now)), opts.signal, opts.drain);
      if (opts.signal?.aborted) return ended(tr, opts.signal, opts.drain);
      tr.lastInterest = Date.now();
      if (!tr.ended) opts.onProgress?.(tr.record);
    }
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
  }
}

/** A wait its call's signal ended: the job as it stands when a shutdown stopped the call, else a cancellation. */
function ended(tr: Tracker, signal: AbortSignal, drain?: AbortSignal): JobRecord {
  if (stoppedByServer(signal)) return tr.ended || !tr.kind.resumableElsewhere() ? tr.record : drained(tr, drain);
  throw cancelledWait();
}

/** The record a wait a shutdown ended returns for a job another process can resume (the job itself is unchanged). */
const drained = (tr: Tracker, drain?: AbortSignal): JobRecord => ({
  ...tr.record,
  detail: typeof drain?.reason === "string" ? drain.reason : DRAINED_DETAIL,
});

function cancelledWait(): AigcError {
  return new AigcError({
    category: "cancelled",
    code: "Cancelled",
    message: "the client cancelled the call; the job keeps its state (see list_jobs)",
  });
}

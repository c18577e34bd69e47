/**
 * A synchronous vendor call run in the background by this process. It has no vendor task to poll
 * again, so it runs once; if this process stops first, the job is lost (see followed.ts). An answer
 * lost after the request may have reached the vendor fails the job saying it may have been billed
 * (the kit's lost-answer rule), and the request is never sent again.
 */
import { AigcError, isAbortError, toErrorShape, vendorDisplayName } from "../../errors.js";
import type { MediaStore } from "../../media/store.js";
import { lostAnswerError, mayHaveReachedVendor } from "../../vendors/kit/lost-answer.js";
import { applyResult, type OutputKind } from "../outputs.js";
import { DOWNLOADING, interruptedError, interruptedSavingError, vendorAnswered } from "../record.js";
import type { Tracker } from "../tracker.js";
import type { CancelOutcome, PollResult } from "../types.js";
import type { JobKind } from "./kind.js";

/**
 * The vendor call; it must stop when `signal` aborts, and call `answered` when the vendor's success
 * answer begins to arrive (HttpOptions.onAnswer) if it reads that answer's body before it returns.
 * From then the call is billed: a cancel no longer aborts it, so the body is read and its outputs
 * saved. (A call that returns the body as a stream needs no such call: saving it marks the same.)
 */
export type LocalRun = (signal: AbortSignal, answered: () => void) => Promise<PollResult>;

export class LocalCall implements JobKind {
  private pending: LocalRun | undefined;

  constructor(
    run: LocalRun,
    private readonly outputKind: OutputKind,
    private readonly media: MediaStore,
  ) {
    this.pending = run;
  }

  /** Its answer comes to this process only. */
  resumableElsewhere(): boolean {
    return false;
  }

  /** A local call has no polls to wait for. */
  firstPollPending(): boolean {
    return false;
  }

  /**
   * Makes the call (only the first time) and saves its outputs; an abort ends the job as cancelled.
   * After a local disk fault the next drive (the next wait_for_job or get_job) saves the same
   * answer again.
   */
  async drive(tr: Tracker): Promise<void> {
    const run = this.pending;
    this.pending = undefined;
    if (!run) return;
    try {
      const result = await run(tr.signal, () => tr.note({ status: "running", detail: DOWNLOADING }));
      // Outputs the local disk or the fetch policy refused are saved again on the next wait: the vendor is not called again.
      if ((await applyResult(tr, result, this.outputKind, this.media, true)) !== undefined) this.pending = () => Promise.resolve(result);
      // Stopped while saving: no other process has the answer, so the job ends here, with the vendor's URLs.
      if (tr.stopping && !tr.ended) await tr.update({ status: "failed", error: interruptedSavingError(tr.record.vendor, result) });
    } catch (err) {
      // An answer that began but failed is no longer "downloading results".
      const detail = tr.record.detail === DOWNLOADING ? { detail: undefined } : {};
      if (tr.stopping) {
        const error = vendorAnswered(tr.record) ? interruptedSavingError(tr.record.vendor) : interruptedError(tr.record.vendor);
        if (!tr.ended) await tr.update({ status: "failed", error, ...detail });
        return;
      }
      if (tr.signal.aborted || isAbortError(err) || (err instanceof AigcError && err.category === "cancelled")) {
        if (!tr.ended) await tr.update({ status: "cancelled", detail: "cancelled before the vendor answered" });
        return;
      }
      // No answer came back though the request may have been billed: say so, never "unreachable",
      // and never send it again. (An answer that came but is not the output keeps its own code.)
      const lost = mayHaveReachedVendor(err) && err instanceof AigcError && err.category !== "bad_response";
      const vendor = vendorDisplayName(tr.record.vendor);
      const error = lost
        ? lostAnswerError(
            vendor,
            err,
            `This is a synchronous ${vendor} call: there is no task to look up, so check the ${vendor} console's billing or usage history.`,
            { sync: true },
          )
        : err;
      await tr.update({ status: "failed", error: toErrorShape(error), errorCause: error, ...detail });
    }
  }

  originatingCallCancelled(tr: Tracker): void {
    void this.stop(tr, "cancelled before the vendor answered");
  }

  /**
   * Aborts the call and ends the job as cancelled in memory at once (a get_job right after reads
   * it); undefined, leaving it be, once the vendor has answered (its answer being read, its output
   * saved, or waiting to be saved again after a disk fault): the output is billed, and kept.
   */
  private stop(tr: Tracker, detail: string): Promise<void> | undefined {
    if (tr.ended || vendorAnswered(tr.record)) return undefined;
    tr.controller.abort();
    return tr.update({ status: "cancelled", detail });
  }

  /** The vendor has no cancel API for a synchronous call: cancel_job only stops waiting. */
  canCancel(): boolean {
    return false;
  }

  /**
   * Aborts the call; the vendor, which has no cancel API for it, may still finish and bill it. A call
   * the vendor has answered (its answer is being read or its output saved) is billed already: it is
   * left to finish, so the output is kept, as a task found done is.
   */
  async cancel(tr: Tracker): Promise<CancelOutcome> {
    const vendor = vendorDisplayName(tr.record.vendor);
    const stopping = this.stop(tr, "cancelled by cancel_job");
    if (!stopping)
      return {
        cancelled: false,
        status: "succeeded",
        message: `${vendor} has already answered, so the request is billed: its output is kept rather than thrown away (the job below says where it stands).`,
      };
    await stopping;
    return {
      cancelled: true,
      status: "cancelled",
      message: `Stopped waiting for ${vendor}'s answer. This is a synchronous ${vendor} call with no cancel API: the vendor may still finish and bill the request, but nothing will be downloaded.`,
    };
  }
}

/** A vendor task, polled by id through the driver registered for its vendor and operation. */
import { AigcError, joinSentences, toErrorShape, vendorDisplayName, type ErrorCategory } from "../../errors.js";
import { log } from "../../log.js";
import type { MediaStore } from "../../media/store.js";
import { applyResult, type SaveOutcome } from "../outputs.js";
import type { Tracker } from "../tracker.js";
import { TERMINAL, type CancelOutcome, type PollResult, type TaskDriver } from "../types.js";
import type { JobKind } from "./kind.js";

/** Poll failures worth retrying: the task itself is fine, we could not read it this time. */
const TRANSIENT: ReadonlySet<ErrorCategory> = new Set(["network", "timeout", "rate_limit", "vendor", "bad_response"]);
/** The longest pause a vendor's poll hint or Retry-After can impose between two polls. */
const MAX_VENDOR_WAIT_MS = 5 * 60_000;
/** Consecutive failed polls after which the tracker stops; the next wait resumes it. */
const MAX_FAILED_POLLS = 20;
/**
 * Poll refusals the operator can fix (a rotated key, a proxy's 401/403 page, an account's rights; a
 * web page where the API should be, other than a proxy's 5xx page: a base URL changed since the
 * create): the task exists and may finish, so the job waits for the fix rather than end and lose its output.
 */
const FIXABLE: ReadonlySet<ErrorCategory> = new Set(["auth", "permission"]);
/**
 * Vendors keep their tasks a day or more (Ark 24 h, Kling 30 days; Jimeng 12 h: TaskDriver.taskRetentionMs;
 * vendor-apis.md), so "no such task" for a job still running that long after it was created is the
 * vendor's word. Before that, it more likely means this process asks with another account
 * (replicas with different keys, or --sandbox in another process) and is not written: writing it
 * would end the job for every replica and lose its billed output.
 */
const TRUSTED_EXPIRY_AFTER_MS = 24 * 3600_000;

export interface PollTiming {
  /** First poll delay; later polls back off towards the driver's interval. */
  pollMinMs: number;
  /** Polling stops after this long without anyone asking about the job. */
  trackIdleMs: number;
}

export class VendorTask implements JobKind {
  /** The job goes on without the call that started it. */
  originatingCallCancelled(): void {}
  private polls = 0;
  /** Set while the outputs of a succeeded task are being saved. */
  private saving = false;
  /** Set while the vendor's latest answer here was that it does not know the task (explainUnknownTask). */
  private unknownHere = false;

  constructor(
    private readonly driver: TaskDriver,
    private readonly media: MediaStore,
    private readonly timing: PollTiming,
  ) {}

  /**
   * Any process can poll the task again, except while this one saves its outputs: a download cut
   * short would be made again elsewhere, so it is let finish.
   */
  resumableElsewhere(): boolean {
    return !this.saving;
  }

  /** True until a poll has answered or failed for good. */
  firstPollPending(): boolean {
    return this.polls === 0;
  }

  /** Polls with backoff (or the vendor's hint) until the task ends, goes idle or fails too often. */
  async drive(tr: Tracker): Promise<void> {
    const maxInterval = this.driver.pollIntervalMs ?? 5000;
    let interval = Math.min(this.timing.pollMinMs, maxInterval);
    let failures = 0;
    while (!tr.ended && !tr.signal.aborted) {
      if (Date.now() - tr.lastInterest > this.timing.trackIdleMs) {
        log.info("job tracker idle; will resume on the next get_job/wait_for_job", { task: tr.handle.task });
        return;
      }
      let result: PollResult | undefined;
      let vendorWaitMs: number | undefined;
      try {
        result = await this.driver.poll(tr.handle, { signal: tr.signal });
        failures = 0;
      } catch (err) {
        if (tr.signal.aborted) return;
        this.polls++;
        if (err instanceof AigcError && (FIXABLE.has(err.category) || (err.info.webPage && (err.info.httpStatus ?? 0) < 500))) {
          const shape = toErrorShape(err);
          const why = `${shape.code}${shape.http_status ? `, HTTP ${shape.http_status}` : ""}: ${shape.message.slice(0, 200)}`;
          await tr.update({
            detail: joinSentences(
              FIXABLE.has(err.category)
                ? `${vendorDisplayName(tr.record.vendor)} refused to show the task's status (${why})`
                : `A web page answered this server's request for the task's status, not ${vendorDisplayName(tr.record.vendor)}'s API (${why})`,
              "The task may still finish and be billed",
              shape.hint ?? "Fix the credentials and restart the server",
              "Then call wait_for_job with this job_id: it resumes the job and saves the output",
            ),
          });
          log.warn("vendor refused a task's status poll; the job waits for a fix", { vendor: tr.record.vendor, code: err.code });
          return;
        }
        if (!(err instanceof AigcError && TRANSIENT.has(err.category))) {
          // Only the task's status could not be read: the task exists, and the vendor bills it if it finishes.
          await tr.update({ status: "failed", error: toErrorShape(err), errorCause: err, notBilled: false });
          return;
        }
        failures++;
        vendorWaitMs = err.info.retryAfterMs;
        await tr.update({ detail: `could not reach ${vendorDisplayName(tr.record.vendor)} (${err.code}); retrying` });
        if (failures >= MAX_FAILED_POLLS) {
          log.warn("job tracker giving up after repeated failures; a later wait_for_job resumes it", { task: tr.handle.task });
          return;
        }
      }
      this.unknownHere = Boolean(result?.unknownTask && this.youngRunning(tr));
      if (this.unknownHere) {
        this.polls++;
        // Another server (other credentials) runs it: its record says when it ends.
        const fresh = await tr.stored();
        if (fresh && TERMINAL.has(fresh.status)) return void tr.adopt(fresh);
        // Polling stops short of an end: asking again changes nothing here, so a wait answers at once
        // with why (wait.ts), and the next wait asks the vendor and reads the record again.
        return this.explainUnknownTask(tr);
      }
      if (result) {
        this.polls++;
        // The vendor knows the task (one it no longer knows answers `expired`): the job gets a record.
        if (result.status !== "expired") tr.confirm();
        this.saving = result.status === "succeeded";
        let saved: SaveOutcome;
        try {
          saved = await applyResult(tr, result, this.driver.outputKind, this.media);
        } finally {
          this.saving = false;
        }
        // Outputs the fetch policy refused: polling on changes nothing until it allows the host; the next wait tries again.
        if (tr.ended || saved === "refused") return;
      }
      const delay = Math.min(MAX_VENDOR_WAIT_MS, result?.pollAfterMs ?? vendorWaitMs ?? interval);
      interval = Math.min(maxInterval, Math.ceil(interval * 1.5));
      try {
        await tr.pause(delay);
      } catch {
        return;
      }
    }
  }

  /** A stored job still queued or running and younger than TRUSTED_EXPIRY_AFTER_MS. */
  private youngRunning(tr: Tracker): boolean {
    const age = Date.now() - Date.parse(tr.record.created_at);
    const trustedAfter = Math.min(TRUSTED_EXPIRY_AFTER_MS, this.driver.taskRetentionMs ?? Infinity);
    return !tr.unconfirmed && !tr.ended && tr.record.status !== "submitting" && age < trustedAfter;
  }

  /** Says, in this process only, why the job stays running although the vendor does not know its task. */
  private async explainUnknownTask(tr: Tracker): Promise<void> {
    // The record's own status (queued or running): the text around the detail says it too ("still queued (…)").
    const vendor = vendorDisplayName(tr.record.vendor);
    log.warn("vendor does not know a running job's task; record left unchanged", { vendor: tr.record.vendor, task: tr.handle.task });
    tr.holdWrites = true;
    try {
      await tr.update({
        detail: `${vendor} answers that it does not know task ${tr.handle.task ?? "?"} when this server asks, although the job record says it is ${tr.record.status} (created ${tr.record.created_at}). Another server with other ${vendor} credentials (a replica with different keys, or --sandbox in another process, whose simulators are its own) may have created it: ask that server, or give every replica the same credentials. (If the task was deleted at the vendor, the job ends as expired a day after it started.) The record is left as it is, and this server asks the vendor again only at the next wait_for_job or get_job.`,
      });
    } finally {
      tr.holdWrites = false;
    }
  }

  canCancel(tr: Tracker): boolean {
    return this.driver.cancel !== undefined && (this.driver.cancelWhile?.includes(tr.record.status) ?? true);
  }

  /** Asks the vendor to cancel, when the driver can; a confirmed or final answer ends the job here too. */
  async cancel(tr: Tracker, signal?: AbortSignal): Promise<CancelOutcome> {
    if (!this.driver.cancel) {
      const vendor = vendorDisplayName(tr.record.vendor);
      // Not "downloaded here when it finishes": this server cannot follow a task its vendor account does not know.
      if (this.unknownHere)
        return {
          cancelled: false,
          message: `${vendor} has no cancel endpoint, and it does not know task ${tr.handle.task} with this server's credentials, though the job record says it is ${tr.record.status}: another server with other ${vendor} credentials may have created it, and only that server follows it to its end.`,
        };
      return {
        cancelled: false,
        message:
          this.driver.noCancel ??
          `${vendor} has no cancel endpoint for this kind of task; it keeps running and its result will be downloaded when it finishes.`,
      };
    }
    let outcome: CancelOutcome;
    try {
      outcome = await this.driver.cancel(tr.handle, { signal: signal ?? new AbortController().signal });
    } catch (err) {
      if (!(err instanceof AigcError) || err.category !== "not_found") throw err;
      const vendor = vendorDisplayName(tr.record.vendor);
      // A young running job's task unknown here is another server's (other credentials), as its polls say too.
      if (this.youngRunning(tr))
        return {
          cancelled: false,
          message: `${vendor} does not know task ${tr.handle.task} (${err.code}) with this server's credentials, though the job record says it is ${tr.record.status}: another server with other ${vendor} credentials may have created it, and only that server can cancel it.`,
        };
      // As a poll would find it (unknownTaskResult): ended; the job's next poll says so, with the vendor's code.
      return {
        cancelled: false,
        status: "expired",
        message: `${vendor} does not know task ${tr.handle.task} (${err.code}): there is nothing to cancel.`,
      };
    }
    const status = outcome.cancelled ? (outcome.status ?? "cancelled") : outcome.status;
    if (status && TERMINAL.has(status) && status !== "succeeded") {
      // A task the vendor removed or reports failed/cancelled did not finish: vendors bill only finished work.
      await tr.update({ status, detail: outcome.message, notBilled: status === "cancelled" || status === "failed" ? true : undefined });
      tr.controller.abort();
    } else if (status && !TERMINAL.has(status) && status !== tr.record.status) {
      // What the vendor said while refusing (the task runs now) is the job's state too: the result says one thing.
      await tr.update({ status, detail: undefined });
    }
    // A task found succeeded is left to the polls, which save its outputs: ending the job here would lose them.
    return outcome;
  }
}

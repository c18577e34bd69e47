/**
 * A vendor task whose job id was minted before the create answered, so a caller's wait budget
 * bounds the create too. The job is `submitting` until the create answers; then it is polled like
 * any vendor task (vendor-task.ts). A create whose answer is lost is never sent again: the task is
 * looked up where the vendor allows (the driver's `findLost`) and attached to the same job, and
 * otherwise the job fails saying plainly that a task may have been created and billed. A process
 * that finds such a job after its sender died runs the same lookup.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { toErrorShape, vendorDisplayName } from "../../errors.js";
import { log } from "../../log.js";
import type { MediaStore } from "../../media/store.js";
import { lostAnswerError, mayHaveReachedVendor } from "../../vendors/kit/lost-answer.js";
import type { Tracker } from "../tracker.js";
import type { CancelOutcome, TaskDriver } from "../types.js";
import type { JobKind } from "./kind.js";
import { VendorTask, type PollTiming } from "./vendor-task.js";

export interface Created {
  task: string;
  model?: string;
  x?: Record<string, string>;
}
/** The create call; `signal` aborts only when this server stops. */
export type SubmitFn = (signal: AbortSignal) => Promise<Created>;

/** How often the task list is read for a lost create (it may show the task a little late). */
const LOOKUP_ATTEMPTS = 3;

export class Submitting implements JobKind {
  /** The job goes on without the call that started it. */
  originatingCallCancelled(): void {}
  private pending: SubmitFn | undefined;
  private readonly poller: VendorTask;
  /** Settles once the create has an outcome: undefined when it created a task, else its error. */
  readonly outcome: Promise<unknown>;
  private settle: (err: unknown) => void = () => undefined;
  /** Set once the job has its vendor task (created, found, or read from the record). */
  private hasTask = false;

  constructor(
    submit: SubmitFn | undefined,
    private readonly driver: TaskDriver,
    media: MediaStore,
    private readonly timing: PollTiming,
    /** Task ids already attached to other jobs (a lookup must not take one of them). */
    private readonly taken: () => Promise<Set<string>>,
  ) {
    this.pending = submit;
    this.poller = new VendorTask(driver, media, timing);
    this.outcome = new Promise((resolve) => (this.settle = resolve));
  }

  /** Once the create has answered (before that only this process has the answer coming), as its task. */
  resumableElsewhere(): boolean {
    return this.hasTask && this.poller.resumableElsewhere();
  }

  /** A wait does not hold for a create: only for the first poll of the task it made. */
  firstPollPending(): boolean {
    return this.hasTask && this.poller.firstPollPending();
  }

  async drive(tr: Tracker): Promise<void> {
    if (!tr.handle.task) {
      const run = this.pending;
      this.pending = undefined;
      if (run) await this.submit(tr, run);
      else if (tr.record.vendor_task_id) this.attachHandle(tr, { task: tr.record.vendor_task_id, x: tr.record.task_x });
      else await this.recover(tr, undefined);
      if (!tr.handle.task || tr.ended) return;
    }
    await this.poller.drive(tr);
  }

  private async submit(tr: Tracker, run: SubmitFn): Promise<void> {
    let created: Created;
    try {
      created = await run(tr.signal);
    } catch (err) {
      this.settle(err);
      // This server is stopping: the record stays `submitting`, and the next process looks the task up.
      if (tr.stopping) return;
      if (!mayHaveReachedVendor(err)) {
        await tr.update({ status: "failed", error: toErrorShape(err), errorCause: err });
        return;
      }
      await this.recover(tr, err);
      return;
    }
    await this.attach(tr, created, undefined);
    this.settle(undefined);
  }

  private attachHandle(tr: Tracker, created: { task: string; x?: Record<string, string> }): void {
    tr.handle.task = created.task;
    this.hasTask = true;
    if (created.x) tr.handle.x = { ...tr.handle.x, ...created.x };
  }

  private async attach(tr: Tracker, created: Created, detail: string | undefined): Promise<void> {
    this.attachHandle(tr, created);
    await tr.update({
      status: "queued",
      vendor_task_id: created.task,
      ...(created.x ? { task_x: created.x } : {}),
      ...(created.model ? { model: created.model } : {}),
      detail,
    });
    log.info("job created", { vendor: tr.record.vendor, op: tr.record.op, task: created.task });
  }

  /** Looks the task up (when the vendor allows) and attaches it, or fails the job saying what may have happened. */
  private async recover(tr: Tracker, err: unknown): Promise<void> {
    const vendor = vendorDisplayName(tr.record.vendor);
    const cause = err ?? `the server process that sent the create stopped before ${vendor} answered`;
    if (!this.driver.findLost) {
      const error = lostAnswerError(
        vendor,
        cause,
        `${vendor} offers no way to look a task up by its request, so this job cannot be resumed.`,
      );
      await tr.update({ status: "failed", error: toErrorShape(error), errorCause: error });
      return;
    }
    // Says what happened: the answer was lost, or the process that sent the create stopped before it came.
    const what = err === undefined ? `the server that sent the create stopped before ${vendor} answered` : "the create answer was lost";
    await tr.update({ detail: `${what}; looking the task up in ${vendor}'s task list` });
    const { sub, ...facts } = tr.handle.x ?? {};
    const query = {
      ...(tr.handle.model ? { model: tr.handle.model } : {}),
      sentAtMs: Number(sub) || tr.handle.t * 1000,
      lostAtMs: Date.now(),
      facts,
      taken: await this.taken(),
    };
    let note = `No matching task is in ${vendor}'s task list.`;
    for (let attempt = 1; attempt <= LOOKUP_ATTEMPTS && !tr.signal.aborted; attempt++) {
      try {
        const found = await this.driver.findLost(query, { signal: tr.signal });
        if (found && "task" in found) {
          await this.attach(tr, found, `${what}; ${found.how ?? `found task ${found.task} in ${vendor}'s task list`}`);
          return;
        }
        if (found) {
          note = `Several tasks in ${vendor}'s task list match (${found.ambiguous.join(", ")}); none was attached.`;
          break;
        }
      } catch (lookupErr) {
        note = `Looking the task up failed too (${toErrorShape(lookupErr).code}).`;
      }
      await sleep(this.timing.pollMinMs * 2 * attempt, undefined, { signal: tr.signal }).catch(() => undefined);
    }
    if (tr.stopping) return;
    const error = lostAnswerError(vendor, cause, note);
    await tr.update({ status: "failed", error: toErrorShape(error), errorCause: error });
  }

  canCancel(tr: Tracker): boolean {
    return tr.handle.task !== undefined && this.poller.canCancel(tr);
  }

  /** Before the task exists there is nothing to cancel: the create cannot be taken back. */
  async cancel(tr: Tracker, signal?: AbortSignal): Promise<CancelOutcome> {
    if (tr.handle.task) return this.poller.cancel(tr, signal);
    return {
      cancelled: false,
      message: `The create request was sent and ${vendorDisplayName(tr.record.vendor)} has not answered yet; it cannot be taken back. Call cancel_job again once the job is queued.`,
    };
  }
}

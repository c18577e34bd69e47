/**
 * The job coordinator. A generation starts a job, and callers wait on it for a bounded time. A
 * tracker per job keeps driving it after the caller has gone, so outputs are downloaded as soon as
 * they exist (vendor URLs expire), and any later call, from any connection or a restarted process,
 * resumes by job id. How a job is driven depends on its kind (see kinds/kind.ts).
 */
import { setMaxListeners } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { unknownOperation, vendorNotConfigured } from "./engine-errors.js";
import { log } from "../log.js";
import type { MediaStore } from "../media/store.js";
import { mayHaveReachedVendor } from "../vendors/kit/lost-answer.js";
import { SUBMIT_GRACE_MS } from "./budget.js";
import { mintJobId, newLocalHandle, newSubmitHandle, newTaskHandle } from "./handle.js";
import type { JobKind } from "./kinds/kind.js";
import { LocalCall } from "./kinds/local-call.js";
import { Submitting } from "./kinds/submitting.js";
import { VendorTask, type PollTiming } from "./kinds/vendor-task.js";
import { ownRecord } from "./record.js";
import type { JobStore } from "./store.js";
import { Tracker } from "./tracker.js";
import { TrackedJobs } from "./tracked.js";
import { type CancelOutcome, type JobHandle, type JobRecord, type TaskDriver } from "./types.js";
import { DRAINED_DETAIL, waitOn, type WaitOptions } from "./wait.js";
import { resumeJob, type JobLookup, type Resuming } from "./resume.js";
import { lostRecord, unsave } from "./lost-record.js";
import { releasing, type EngineOptions, type StartLocalOptions, type StartTaskOptions } from "./engine-options.js";

export type { WaitOptions, EngineOptions };

const PENDING = Symbol("pending");

export class JobEngine {
  private readonly drivers = new Map<string, TaskDriver>();
  private readonly trackers = new TrackedJobs();
  /** Lookups of jobs not tracked here, under way (store reads), by job id. */
  private readonly lookups = new Map<string, Promise<JobLookup>>();
  private readonly timing: PollTiming;
  /** How often a waiting caller is told that it is still waiting. */
  readonly heartbeatMs: number;
  private readonly leaseMs: number;
  private closed = false;
  /** Aborted by `drain`, when this process starts shutting down. */
  private readonly draining = new AbortController();
  private readonly resuming: Resuming;

  constructor(
    readonly store: JobStore,
    private readonly media: MediaStore,
    opts: EngineOptions = {},
  ) {
    this.timing = { pollMinMs: opts.pollMinMs ?? 1000, trackIdleMs: opts.trackIdleMs ?? 2 * 3600_000 };
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.heartbeatMs = opts.heartbeatMs ?? 2500;
    // Every waiting call listens on it while it waits: past 10 at once, Node would log a "possible memory leak".
    setMaxListeners(0, this.draining.signal);
    this.resuming = {
      store,
      media,
      timing: this.timing,
      driverFor: (vendor, op) => this.driverFor(vendor, op),
      takenTasks: () => this.takenTasks(),
      track: (handle, record, kind, unconfirmed) => this.track(handle, record, kind, unconfirmed),
    };
  }

  /** Makes jobs of `driver.vendor` + `driver.op` pollable, including ones resumed by id. */
  registerDriver(driver: TaskDriver): void {
    this.drivers.set(`${driver.vendor}:${driver.op}`, driver);
  }

  /**
   * Sends a vendor create and tracks the task it makes. The create gets what is left of `budget`
   * (at least SUBMIT_GRACE_MS): a create that answers in time returns as before (a refusal is
   * thrown), one still pending returns the job id of a `submitting` job that later calls resolve,
   * never with a second create (kinds/submitting.ts). `facts` are request fields the vendor echoes
   * in its task list, to find the task if the create answer is lost.
   */
  async startTask(opts: StartTaskOptions): Promise<string> {
    const driver = this.driverFor(opts.vendor, opts.op);
    const handle = newSubmitHandle(opts.vendor, opts.op, opts.model, opts.facts);
    const { jobId } = mintJobId(handle);
    const { scope, record } = ownRecord(this.store.owner(), jobId, handle, "submitting", opts.label);
    const kind = new Submitting(releasing(opts.submit, opts.loads), driver, this.media, this.timing, () => this.takenTasks());
    const tr = this.tracker(handle, record, kind);
    // Written before the create is sent, so a process killed while it is pending leaves a job any
    // process resumes (kinds/submitting.ts finds the task); a create refused at once removes it.
    await this.store.save(tr.record).catch(unsave(this.store, jobId));
    tr.holdWrites = true;
    this.trackers.set(jobId, tr);
    this.drive(tr);
    // Without a budget the caller waits for the create's answer (its own vendor timeout bounds it).
    const limitMs = opts.budget ? Math.max(SUBMIT_GRACE_MS, opts.budget.remainingMs()) : 2 ** 31 - 1;
    const gaveUp = new AbortController();
    const onAbort = () => gaveUp.abort();
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    const outcome = await Promise.race([
      kind.outcome,
      sleep(limitMs, PENDING, { ref: false, signal: gaveUp.signal }).catch(() => PENDING),
    ]).finally(() => {
      opts.signal?.removeEventListener("abort", onAbort);
      gaveUp.abort();
    });
    if (outcome !== PENDING && outcome !== undefined && !mayHaveReachedVendor(outcome)) {
      this.trackers.delete(jobId);
      await this.store.remove(jobId).catch((err) => log.warn("could not remove a refused create's job record", { error: String(err) }));
      throw outcome instanceof Error ? outcome : new Error("the create failed");
    }
    if (outcome === undefined && tr.handle.task) {
      // Created in time: the job id carries the task itself, so any process resumes it from the id alone.
      tr.controller.abort();
      this.trackers.delete(jobId);
      const full = newTaskHandle(opts.vendor, opts.op, tr.handle.task, tr.record.model, tr.record.task_x);
      const { jobId: fullId, keyed } = mintJobId(full);
      const { task_x: _x, handle: _h, ...rest } = tr.record;
      const created = this.track(
        full,
        { ...rest, job_id: fullId, ...(keyed ? { handle: full } : {}) },
        new VendorTask(driver, this.media, this.timing),
      );
      // A keyed id works only through its record: if the store cannot take it, the call fails naming
      // the store and the task, so the billed task is never lost.
      await this.store.save(created.record).catch((err) => {
        if (!keyed) return log.error("could not save job record; the job id still works", { error: String(err) });
        throw lostRecord(err, opts.vendor, tr.handle.task, fullId);
      });
      // The task's own record replaces the submit's (left, a resume would find its task taken).
      await this.store.remove(jobId).catch((err) => log.warn("could not remove a submit's job record", { error: String(err) }));
      scope?.onJob?.(fullId);
      return fullId;
    }
    tr.holdWrites = false;
    // The task may exist (and be billed) now: the record is what the keyed id resumes from, so a
    // failed write fails the call, naming the store (the tracker here keeps the job going).
    await this.store.save(tr.record).catch((err) => {
      throw lostRecord(err, opts.vendor, tr.record.vendor_task_id, jobId);
    });
    scope?.onJob?.(jobId);
    return jobId;
  }

  /** Task ids already attached to a job, so a lost-answer lookup cannot take another job's task. */
  private async takenTasks(): Promise<Set<string>> {
    const records = [...(await this.store.list(10_000).catch(() => [])), ...[...this.trackers.values()].map((tr) => tr.record)];
    return new Set(records.flatMap((r) => (r.vendor_task_id ? [r.vendor_task_id] : [])));
  }

  /** Runs a synchronous vendor call in the background as a job of this process. */
  async startLocal(opts: StartLocalOptions): Promise<string> {
    const handle = newLocalHandle(opts.vendor, opts.op, opts.model);
    const { jobId } = mintJobId(handle);
    const { scope, record } = ownRecord(this.store.owner(), jobId, handle, "running", opts.label);
    // Nothing was sent yet: a store that cannot take the record fails the call before any billing.
    await this.store.save(record).catch(unsave(this.store, jobId));
    scope?.onJob?.(jobId);
    this.track(handle, record, new LocalCall(releasing(opts.run, opts.loads), opts.outputKind, this.media));
    return jobId;
  }

  /** Waits up to `budgetMs` for the job to end, reporting progress; returns its record either way. */
  async wait(jobId: string, opts: WaitOptions): Promise<JobRecord> {
    const job = await this.lookup(jobId);
    if (job.state === "finished") return job.record;
    const tr = job.tracker;
    tr.lastInterest = Date.now();
    // Another process may have ended the job since this one last polled: its stored end wins (a job
    // not polled yet is left to its first poll, which a wait holds for: reading first raced it). Not
    // read for the call that started the job, nor for a job no other process can carry on (a
    // synchronous call, ended only here while this process lives): a burst of calls read each
    // record back as it was written, and this process's next poll sees an end made elsewhere anyway.
    if (!opts.originating && !tr.ended && tr.kind.resumableElsewhere() && !tr.kind.firstPollPending()) tr.takeEnd(await tr.stored());
    if (!tr.running && !tr.ended) this.drive(tr);
    return waitOn(tr, { ...opts, drain: this.draining.signal }, this.heartbeatMs);
  }

  /**
   * Starts shutting down: every wait, now or later, on a job another process can carry on from its
   * record (a vendor task, not one whose outputs this process is saving) ends at once with the job's
   * record, saying `detail`, so its caller gets the job id to resume anywhere. Waits on the others (a
   * synchronous call, a create not answered yet) go on until the job ends or `close` stops it.
   */
  drain(detail = DRAINED_DETAIL): void {
    this.draining.abort(detail);
  }

  /** Cancels an unfinished job as far as its kind allows; the outcome says plainly what happened. */
  async cancel(jobId: string, signal?: AbortSignal): Promise<{ record: JobRecord; outcome: CancelOutcome }> {
    const job = await this.lookup(jobId);
    if (job.state === "finished" || job.tracker.ended) {
      const record = job.state === "finished" ? job.record : job.tracker.record;
      return { record, outcome: { cancelled: false, message: `The job already ended (${record.status}); there is nothing to cancel.` } };
    }
    const outcome = await job.tracker.kind.cancel(job.tracker, signal);
    return { record: job.tracker.record, outcome };
  }

  /** Whether cancel_job can stop this job now: unfinished, driven by this process, and its vendor can cancel it. */
  canCancel(jobId: string): boolean {
    const tr = this.trackers.get(jobId);
    return !!tr && !tr.ended && tr.kind.canCancel(tr);
  }

  /** Whether this process's work on the unfinished job stopped short of an end (its detail says why): waiting here changes nothing until the next wait restarts it. */
  stoppedShort(jobId: string): boolean {
    const tr = this.trackers.get(jobId);
    return !!tr && !tr.ended && !tr.running;
  }

  /** A task callback: the unfinished jobs here that follow `vendor`'s task `task` poll it at once; their number (0: none here). */
  nudgeTask(vendor: string, task: string): number {
    const following = this.trackers.following(vendor, task);
    for (const tr of following) tr.nudge();
    return following.length;
  }

  /** Lets the store answer for an ended job (its record is rewritten elsewhere: late-uploads.ts); false while this process may write it. */
  release(jobId: string): boolean {
    return this.trackers.release(jobId);
  }

  /** The most recently updated jobs, with this process's live records in place of stored ones (a stored end wins). */
  async list(limit: number): Promise<JobRecord[]> {
    const stored = await this.store.list(limit);
    return stored.map((r) => this.trackers.get(r.job_id)?.takeEnd(r) ?? r);
  }

  /** Lets the jobs only this process can finish (a synchronous call, outputs being saved) run up to `ms`: a shutdown's grace. */
  finishHeld(ms: number): Promise<void> {
    return this.trackers.settleHeld(ms);
  }

  /**
   * Stops every tracker and resolves once their work has stopped, so a record being written is
   * not cut off (bounded by `timeoutMs`; a vendor call that ignores its abort is not waited for).
   */
  async close(timeoutMs = 5000): Promise<void> {
    this.closed = true;
    await this.trackers.stopAll(timeoutMs);
    await this.store.close();
  }

  /** Finds a job: its tracker, its finished record, or, for a job this process has not seen, a resumed one (resume.ts). */
  private lookup(jobId: string): Promise<JobLookup> {
    const tracked = this.trackers.get(jobId);
    if (tracked) return Promise.resolve({ state: "live", tracker: tracked });
    // Calls that ask at once share one look: each its own would resume the job with its own tracker (polls, download).
    let found = this.lookups.get(jobId);
    if (!found) {
      found = resumeJob(jobId, this.resuming).finally(() => this.lookups.delete(jobId));
      this.lookups.set(jobId, found);
    }
    return found;
  }

  private tracker(handle: JobHandle, record: JobRecord, kind: JobKind): Tracker {
    const tr = new Tracker(handle, record, kind, this.store, this.leaseMs);
    tr.onRetired = () => this.trackers.retire(tr);
    return tr;
  }

  /** Tracks a job; `unconfirmed`: it has no record yet, and gets one once the vendor shows its task. */
  private track(handle: JobHandle, record: JobRecord, kind: JobKind, unconfirmed = false): Tracker {
    const tr = this.tracker(handle, record, kind);
    tr.unconfirmed = unconfirmed;
    this.trackers.set(record.job_id, tr);
    this.drive(tr);
    return tr;
  }

  private drive(tr: Tracker): void {
    if (!this.closed) tr.start();
  }

  /** How many jobs this process holds in memory: those it follows, and the latest ended ones (tracked.ts). */
  get inMemory(): number {
    return this.trackers.size;
  }

  private driverFor(vendor: string, op: string): TaskDriver {
    const driver = this.drivers.get(`${vendor}:${op}`);
    if (driver) return driver;
    const ops = [...this.drivers.values()].filter((d) => d.vendor === vendor).map((d) => d.op);
    throw ops.length ? unknownOperation(vendor, op, ops) : vendorNotConfigured(vendor);
  }
}

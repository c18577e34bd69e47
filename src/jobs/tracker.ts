/**
 * One job followed by this process: its current record, the callers waiting on it, and the abort
 * controller of the work that drives it (which work depends on the job's kind).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { isDeepStrictEqual } from "node:util";
import { AigcError } from "../errors.js";
import { log } from "../log.js";
import { ServerStopping } from "../open-calls.js";
import { applySettlement, endedCost, mayHaveBilled } from "../cost/settle.js";
import type { JobKind } from "./kinds/kind.js";
import { patchRecord, type RecordPatch } from "./record.js";
import { claimDownload, type JobStore, type Lease } from "./store.js";
import { TERMINAL, type JobHandle, type JobRecord } from "./types.js";

/** How long progress noted with `Tracker.note` may stay unwritten (src/jobs/tracker.ts). */
export const PROGRESS_WRITE_MS = 1000;
/** The least time from one poll to the next when a vendor callback ends the pause between them. */
const NUDGED_GAP_MS = 250;

export class Tracker {
  /** Aborts the work in progress; replaced when the work starts again after an abort. */
  controller = new AbortController();
  /** Whether the kind's work is running now. */
  running = false;
  /** Set when this process shuts down: the work is aborted because the server stops, not by a caller. */
  stopping = false;
  /** While set, changes stay in memory (a job that may still turn out never to have existed). */
  holdWrites = false;
  /**
   * Set for a job resumed from its id alone (the store has no record of it): its changes stay in
   * memory until the vendor shows the task exists (`confirm`), so a forged id leaves no record.
   */
  unconfirmed = false;
  private work: Promise<void> = Promise.resolve();
  /** The record write in progress (a finished record is answered only once its write has landed or failed). */
  private saving: Promise<void> = Promise.resolve();
  /** When someone last asked about the job; kinds stop polling after a long idle spell. */
  lastInterest = Date.now();
  private readonly listeners = new Set<() => void>();
  /** The pending write of progress noted with `note` (cleared by the next update, which writes it too). */
  private progressWrite: NodeJS.Timeout | undefined;
  /** The record this tracker's last write that landed wrote (see `update`). */
  private written: JobRecord | undefined;
  /** Ends the pause in progress early (`nudge`); `nudged`: news came while no pause was in progress. */
  private wake: (() => void) | undefined;
  private nudged = false;
  /** Called each time the job is found `retired` (engine.ts lets the store answer for it then). */
  onRetired: (() => void) | undefined;

  constructor(
    readonly handle: JobHandle,
    public record: JobRecord,
    readonly kind: JobKind,
    private readonly store: JobStore,
    /** Life of the download lease this job's saves hold (store.ts claimDownload). */
    private readonly leaseMs = 30_000,
  ) {}

  /** The vendor knows the task: the job's record is written from now on. */
  confirm(): void {
    this.unconfirmed = false;
  }

  /**
   * The lease under which this process alone saves the job's outputs; undefined while another
   * process holds it. A store that cannot be reached gives no lease and no refusal: the outputs are
   * saved anyway (never lost), at the risk of a second download.
   */
  async claimDownload(): Promise<Lease | "none" | undefined> {
    try {
      return await claimDownload(this.store, this.record.job_id, this.store.owner().boot, this.leaseMs);
    } catch (err) {
      log.warn("could not take the download lease; saving the outputs without it", { error: String(err) });
      return "none";
    }
  }

  /** The job's record as stored now (another process may have finished it). */
  stored(): Promise<JobRecord | undefined> {
    return this.store.load(this.record.job_id).catch(() => undefined);
  }

  /** The signal of the work in progress. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** True once the job's record has a terminal status. */
  get ended(): boolean {
    return TERMINAL.has(this.record.status);
  }

  /**
   * True once the job has ended, its work has stopped and its final record is in the store (or it
   * was never to be written: a job that turned out not to exist): the store answers for it now.
   */
  get retired(): boolean {
    return this.ended && !this.running && (this.holdWrites || this.unconfirmed || this.written === this.record);
  }

  /** Aborts the work because this process is shutting down (a vendor request it cuts says so, not "cancelled by the client"). */
  stop(): void {
    this.stopping = true;
    this.controller.abort(new ServerStopping());
  }

  /** News that the job's task changed (the vendor called back): the pause before the next poll ends. */
  nudge(): void {
    if (this.wake) this.wake();
    else this.nudged = true;
  }

  /**
   * Waits `ms` before the next poll, or less when the task's vendor calls back (`nudge`): then until
   * `NUDGED_GAP_MS` after the pause began, so callbacks sent in a flood cannot make polls back to
   * back. Rejects when the work is aborted.
   */
  async pause(ms: number): Promise<void> {
    const start = Date.now();
    // A timer and one listener, not AbortSignal.any: Node 20 keeps every signal made from the job's
    // long-lived one until that one goes (nodejs/node#55351).
    if (!this.nudged)
      await new Promise<void>((resolve, reject) => {
        const signal = this.signal;
        const end = (err?: Error) => {
          clearTimeout(timer);
          signal.removeEventListener("abort", aborted);
          this.wake = undefined;
          if (err === undefined) resolve();
          else reject(err);
        };
        const aborted = () => end(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
        const timer = setTimeout(() => end(), ms);
        if (signal.aborted) return aborted();
        signal.addEventListener("abort", aborted, { once: true });
        this.wake = () => end();
      });
    this.nudged = false;
    const rest = Math.min(ms, NUDGED_GAP_MS) - (Date.now() - start);
    if (rest > 0) await sleep(rest, undefined, { signal: this.signal });
  }

  /** Resolves when the current work (including its last record write) has stopped. */
  settled(): Promise<void> {
    // The work may end before a write it did not await (a cancel's, made from outside it) lands.
    return this.work.then(() => this.saving);
  }

  /** Starts the kind's work unless it is already running; waiters are woken when it stops. */
  start(): void {
    if (this.running) return;
    if (this.controller.signal.aborted) this.controller = new AbortController();
    this.running = true;
    this.work = this.kind
      .drive(this)
      .catch((err) => log.error("job tracker crashed", { job: this.record.job_id.slice(0, 24), error: String(err) }))
      .finally(() => {
        this.running = false;
        this.notify();
        void this.saving.then(() => this.checkRetired());
      });
  }

  /**
   * Changes the record, saves it and wakes the waiters. A failed save is logged, not thrown: the job
   * id alone still finds the job. `errorCause`, the error behind a failure, is logged.
   */
  async update(patch: RecordPatch & { errorCause?: unknown; notBilled?: boolean }): Promise<void> {
    clearTimeout(this.progressWrite);
    this.progressWrite = undefined;
    const { errorCause, notBilled, ...fields } = patch;
    // An ended job (perhaps ended by another process, adopted) never goes back: a poll sent before it ended says nothing now.
    if (this.ended && fields.status !== undefined && !TERMINAL.has(fields.status)) return;
    if (errorCause instanceof AigcError && errorCause.category !== "cancelled") {
      log.warn("job failed", { vendor: this.record.vendor, code: errorCause.code, request_id: errorCause.info.requestId });
    }
    const next = patchRecord(this.record, fields);
    // The job has just ended: its actual cost, and whether its budget reservation is spent or released.
    const ending = next.cost && !next.cost.settled && TERMINAL.has(next.status);
    if (ending) {
      const billed = notBilled !== undefined ? !notBilled : errorCause === undefined || mayHaveBilled(errorCause);
      next.cost = endedCost(next.cost!, next.usage, next.status === "succeeded" || billed);
      const made = notBilled === false || (errorCause instanceof AigcError && errorCause.info.billed === true);
      if (made && next.status !== "succeeded") next.cost.made = true;
    }
    this.record = next;
    if (this.holdWrites || this.unconfirmed) return this.notify();
    if (ending) void applySettlement(this.store.spend, next.cost!);
    // A poll that found the task as it was (most polls of a long task) writes nothing: the stored
    // record says the same but for updated_at, the time of its last change.
    if (this.written && isDeepStrictEqual({ ...next, updated_at: "" }, { ...this.written, updated_at: "" })) {
      this.written = next;
      this.notify();
      return this.checkRetired();
    }
    // After the write before it (an update not awaited, such as progress written during a download):
    // a job's records land in the order they were made.
    this.saving = this.saving
      .then(() => this.store.save(next))
      .then(() => void (this.written = next))
      .catch((err: unknown) => {
        // Reported: in the log, and to every caller through the record in memory, which the next change writes again.
        const why = err instanceof Error ? err.message : String(err);
        log.error("could not save job record; the job keeps running and its next change writes it again", { error: why });
        const toSave = { ...next };
        if (!TERMINAL.has(next.status) || !next.detail)
          next.detail = `${next.detail ? `${next.detail}; ` : ""}the job record was not saved: ${why}`;
        // A finished job has no next change: its record is written again in the background.
        if (TERMINAL.has(next.status)) this.saveLater(next, toSave);
      });
    await this.saving;
    this.notify();
    this.checkRetired();
  }

  /**
   * Progress that is news only while it lasts (outputs downloading): in the record in memory at once
   * (waiters here see it), written only if the job has not changed again within `PROGRESS_WRITE_MS`.
   * A quick download then costs no record write of its own (the final record carries the same
   * fields); a slow one is written for other processes to see, in order with the job's other writes.
   */
  note(patch: RecordPatch): void {
    this.record = patchRecord(this.record, patch);
    this.notify();
    if (this.holdWrites || this.unconfirmed || this.progressWrite) return;
    this.progressWrite = setTimeout(() => {
      this.progressWrite = undefined;
      void this.update({});
    }, PROGRESS_WRITE_MS);
    this.progressWrite.unref();
  }

  /** Resolves once the record write in progress has landed or failed (and said so in the record). */
  flushed(): Promise<void> {
    return this.saving;
  }

  /**
   * Writes a finished record again until the store takes it (for up to about half an hour).
   * `shown` is the record in memory, which says it was not saved; `toSave` is the same without
   * that, what lands (and then replaces `shown`, unless the record changed since).
   */
  private saveLater(shown: JobRecord, toSave: JobRecord, attempt = 1): void {
    if (attempt > 12) return void log.error("gave up saving a finished job's record", { job: shown.job_id.slice(0, 24) });
    setTimeout(
      () => {
        const record = this.record === shown ? toSave : this.record;
        void this.store.save(record).then(
          () => {
            if (this.record === shown) this.record = record;
            this.written = record;
            log.info("saved a finished job's record after a failure", { job: record.job_id.slice(0, 24) });
            this.checkRetired();
          },
          () => this.saveLater(shown, toSave, attempt + 1),
        );
      },
      Math.min(300_000, 1000 * 2 ** attempt),
    ).unref();
  }

  private checkRetired(): void {
    if (this.retired) this.onRetired?.();
  }

  /** Takes a record written by another process as the current one and wakes the waiters. */
  adopt(record: JobRecord): void {
    this.record = record;
    this.written = record;
    this.notify();
    this.checkRetired();
  }

  /** A finished record another process stored wins over this process's unfinished one: adopted. Returns the record now. */
  takeEnd(stored: JobRecord | undefined): JobRecord {
    if (stored && TERMINAL.has(stored.status) && !this.ended) this.adopt(stored);
    return this.record;
  }

  /** Resolves when the job changes, after `ms`, or when one of `signals` aborts, whichever comes first. */
  nextChange(ms: number, ...signals: Array<AbortSignal | undefined>): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(done);
        for (const s of signals) s?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.listeners.add(done);
      for (const s of signals) s?.addEventListener("abort", done, { once: true });
    });
  }

  private notify(): void {
    for (const fn of [...this.listeners]) fn();
  }
}

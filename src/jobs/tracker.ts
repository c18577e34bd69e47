/**
 * One job followed by this process: its current record, the callers waiting on it, and the abort
 * controller of the work that drives it (which work depends on the job's kind).
 */
import { AigcError } from "../errors.js";
import { log } from "../log.js";
import type { JobKind } from "./kinds/kind.js";
import { patchRecord, type RecordPatch } from "./record.js";
import type { JobStore } from "./store.js";
import { TERMINAL, type JobHandle, type JobRecord } from "./types.js";

export class Tracker {
  /** Aborts the work in progress; replaced when the work starts again after an abort. */
  controller = new AbortController();
  /** Whether the kind's work is running now. */
  running = false;
  /** Set when this process shuts down: the work is aborted because the server stops, not by a caller. */
  stopping = false;
  /** While set, changes stay in memory (a job that may still turn out never to have existed). */
  holdWrites = false;
  private work: Promise<void> = Promise.resolve();
  /** When someone last asked about the job; kinds stop polling after a long idle spell. */
  lastInterest = Date.now();
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly handle: JobHandle,
    public record: JobRecord,
    readonly kind: JobKind,
    private readonly store: JobStore,
  ) {}

  /** The signal of the work in progress. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** True once the job's record has a terminal status. */
  get ended(): boolean {
    return TERMINAL.has(this.record.status);
  }

  /** Aborts the work because this process is shutting down. */
  stop(): void {
    this.stopping = true;
    this.controller.abort();
  }

  /** Resolves when the current work (including its last record write) has stopped. */
  settled(): Promise<void> {
    return this.work;
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
      });
  }

  /**
   * Changes the record, saves it and wakes the waiters. A failed save is logged, not thrown: the job
   * id alone still finds the job. `errorCause`, the error behind a failure, is logged.
   */
  async update(patch: RecordPatch & { errorCause?: unknown }): Promise<void> {
    const { errorCause, ...fields } = patch;
    if (errorCause instanceof AigcError && errorCause.category !== "cancelled") {
      log.warn("job failed", { vendor: this.record.vendor, code: errorCause.code, request_id: errorCause.info.requestId });
    }
    const next = patchRecord(this.record, fields);
    this.record = next;
    if (this.holdWrites) return this.notify();
    await this.store.save(next).catch((err: unknown) => {
      // Reported: in the log, and to every caller through the record in memory, which the next change writes again.
      const why = err instanceof Error ? err.message : String(err);
      log.error("could not save job record; the job keeps running and its next change writes it again", { error: why });
      if (!TERMINAL.has(next.status) || !next.detail)
        next.detail = `${next.detail ? `${next.detail}; ` : ""}the job record was not saved: ${why}`;
    });
    this.notify();
  }

  /** Takes a record written by another process as the current one and wakes the waiters. */
  adopt(record: JobRecord): void {
    this.record = record;
    this.notify();
  }

  /** Resolves when the job changes, after `ms`, or when `signal` aborts, whichever comes first. */
  nextChange(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.listeners.add(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  private notify(): void {
    for (const fn of [...this.listeners]) fn();
  }
}

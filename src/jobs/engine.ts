/**
 * The shared job engine. A generation starts a job (a vendor task, or a synchronous vendor call run
 * in the background here), and callers wait on it for a bounded time. A tracker per job keeps
 * polling after the caller has gone, so outputs are downloaded as soon as they exist (vendor URLs
 * expire), and any later call, from any connection or a restarted process, resumes by job id.
 */
import { createHash, randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { AigcError, isAbortError, toErrorShape } from "../errors.js";
import { log } from "../log.js";
import type { MediaStore } from "../media/store.js";
import { decodeJobId, encodeJobId, newLocalHandle, newTaskHandle } from "./handle.js";
import type { JobStore } from "./store.js";
import {
  TERMINAL,
  type Asset,
  type CancelOutcome,
  type JobHandle,
  type JobRecord,
  type PollResult,
  type TaskDriver,
  type VendorOutput,
} from "./types.js";

const BOOT_ID = randomBytes(6).toString("hex");

export interface EngineOptions {
  /** First poll delay; later polls back off towards the driver's interval. */
  pollMinMs?: number;
  /** A tracker stops polling after this long without anyone asking about the job. */
  trackIdleMs?: number;
  /** How often a waiting caller is told that it is still waiting. */
  heartbeatMs?: number;
}

export interface WaitOptions {
  budgetMs: number;
  signal?: AbortSignal;
  onProgress?: (record: JobRecord) => void;
  /** The originating call of a synchronous job: cancelling it aborts the vendor call. */
  abortLocalOnCancel?: boolean;
}

interface Tracker {
  handle: JobHandle;
  record: JobRecord;
  controller: AbortController;
  running: boolean;
  polls: number;
  lastInterest: number;
  listeners: Set<() => void>;
  driver?: TaskDriver;
  /** A local job owned by another live process: we only re-read its record. */
  follow?: boolean;
}

export class JobEngine {
  private readonly drivers = new Map<string, TaskDriver>();
  private readonly trackers = new Map<string, Tracker>();
  private readonly localRuns = new Map<string, (signal: AbortSignal) => Promise<PollResult>>();
  private readonly localKinds = new Map<string, TaskDriver["outputKind"]>();
  private readonly pollMinMs: number;
  private readonly trackIdleMs: number;
  readonly heartbeatMs: number;
  private closed = false;

  constructor(
    private readonly store: JobStore,
    private readonly media: MediaStore,
    opts: EngineOptions = {},
  ) {
    this.pollMinMs = opts.pollMinMs ?? 1000;
    this.trackIdleMs = opts.trackIdleMs ?? 2 * 3600_000;
    this.heartbeatMs = opts.heartbeatMs ?? 2500;
  }

  registerDriver(driver: TaskDriver): void {
    this.drivers.set(`${driver.vendor}:${driver.op}`, driver);
  }

  /** Creates a vendor task (the submit call is tied to the caller's signal) and starts tracking it. */
  async startTask(opts: {
    vendor: string;
    op: string;
    label?: string;
    signal?: AbortSignal;
    submit: (signal?: AbortSignal) => Promise<{ task: string; model?: string; x?: Record<string, string> }>;
  }): Promise<string> {
    const driver = this.driverFor(opts.vendor, opts.op);
    const created = await opts.submit(opts.signal);
    const handle = newTaskHandle(opts.vendor, opts.op, created.task, created.model, created.x);
    const jobId = encodeJobId(handle);
    const record = this.newRecord(jobId, handle, "queued", opts.label);
    record.vendor_task_id = created.task;
    // The vendor task exists (and may be billed) now: a failed record write must not lose its id.
    await this.store.save(record).catch((err) => log.error("could not save job record; the job id still works", { error: String(err) }));
    this.startTracker(handle, record, driver);
    log.info("job created", { vendor: opts.vendor, op: opts.op, task: created.task });
    return jobId;
  }

  /** Runs a synchronous vendor call in the background as a job of this process. */
  async startLocal(opts: {
    vendor: string;
    op: string;
    model?: string;
    label?: string;
    outputKind: TaskDriver["outputKind"];
    run: (signal: AbortSignal) => Promise<PollResult>;
  }): Promise<string> {
    const handle = newLocalHandle(opts.vendor, opts.op, opts.model);
    const jobId = encodeJobId(handle);
    const record = this.newRecord(jobId, handle, "running", opts.label);
    record.owner = { pid: process.pid, boot: BOOT_ID };
    await this.store.save(record).catch((err) => log.error("could not save job record", { error: String(err) }));
    this.localKinds.set(jobId, opts.outputKind);
    this.localRuns.set(jobId, opts.run);
    this.startTracker(handle, record);
    return jobId;
  }

  /** Waits up to `budgetMs` for the job to end; returns its record either way. */
  async wait(jobId: string, opts: WaitOptions): Promise<JobRecord> {
    const tr = await this.ensureTracker(jobId);
    if (!("listeners" in tr)) return tr;
    tr.lastInterest = Date.now();
    if (!tr.running && !TERMINAL.has(tr.record.status)) this.runTracker(tr);
    const deadline = Date.now() + opts.budgetMs;
    // A zero budget still lets the first poll of a freshly resumed job land, so get_job is current.
    const firstPollDeadline = Date.now() + Math.min(10_000, Math.max(opts.budgetMs, 10_000));
    const onAbort = () => {
      if (opts.abortLocalOnCancel && tr.handle.lid && !TERMINAL.has(tr.record.status)) tr.controller.abort();
    };
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      for (;;) {
        if (TERMINAL.has(tr.record.status)) return tr.record;
        const now = Date.now();
        const needFirstPoll = tr.polls === 0 && !!tr.driver && now < firstPollDeadline;
        if (now >= deadline && !needFirstPoll) return tr.record;
        if (opts.signal?.aborted) throw cancelledWait();
        const until = needFirstPoll && now >= deadline ? firstPollDeadline : deadline;
        await this.nextChange(tr, Math.min(this.heartbeatMs, Math.max(1, until - now)), opts.signal);
        if (opts.signal?.aborted) throw cancelledWait();
        tr.lastInterest = Date.now();
        if (!TERMINAL.has(tr.record.status)) opts.onProgress?.(tr.record);
      }
    } finally {
      opts.signal?.removeEventListener("abort", onAbort);
    }
  }

  async cancel(jobId: string, signal?: AbortSignal): Promise<{ record: JobRecord; outcome: CancelOutcome }> {
    const tr = await this.ensureTracker(jobId);
    if (!("listeners" in tr)) {
      return { record: tr, outcome: { cancelled: false, message: `The job is already ${tr.status}; there is nothing to cancel.` } };
    }
    if (TERMINAL.has(tr.record.status)) {
      return {
        record: tr.record,
        outcome: { cancelled: false, message: `The job is already ${tr.record.status}; there is nothing to cancel.` },
      };
    }
    if (tr.handle.lid) {
      if (tr.follow) {
        return {
          record: tr.record,
          outcome: { cancelled: false, message: "This job runs in another server process; cancel it from there (or let it finish)." },
        };
      }
      tr.controller.abort();
      await this.update(tr, { status: "cancelled", detail: "cancelled by cancel_job" });
      return {
        record: tr.record,
        outcome: {
          cancelled: true,
          status: "cancelled",
          message: `Stopped waiting for ${tr.record.vendor}'s answer. This is a synchronous ${tr.record.vendor} call with no cancel API: the vendor may still finish and bill the request, but nothing will be downloaded.`,
        },
      };
    }
    const driver = tr.driver!;
    if (!driver.cancel) {
      return {
        record: tr.record,
        outcome: {
          cancelled: false,
          message: `${tr.record.vendor} has no cancel endpoint for this kind of task; it keeps running and its result will be downloaded when it finishes.`,
        },
      };
    }
    const outcome = await driver.cancel(tr.handle, { signal: signal ?? new AbortController().signal });
    if (outcome.cancelled || (outcome.status && TERMINAL.has(outcome.status))) {
      await this.update(tr, { status: outcome.status ?? "cancelled", detail: outcome.message });
      tr.controller.abort();
    }
    return { record: tr.record, outcome };
  }

  async list(limit: number): Promise<JobRecord[]> {
    const stored = await this.store.list(limit);
    return stored.map((r) => this.trackers.get(r.job_id)?.record ?? r);
  }

  close(): void {
    this.closed = true;
    for (const tr of this.trackers.values()) tr.controller.abort();
  }

  // ---- internals ----

  private driverFor(vendor: string, op: string): TaskDriver {
    const d = this.drivers.get(`${vendor}:${op}`);
    if (!d) {
      throw new AigcError({
        category: "invalid_input",
        code: "VendorNotConfigured",
        message: `this server has no ${vendor} credentials configured, so it cannot look up ${vendor} jobs`,
        hint: "Start the server with that vendor's environment variables (see aigc-mcp --help).",
      });
    }
    return d;
  }

  private newRecord(jobId: string, handle: JobHandle, status: JobRecord["status"], label?: string): JobRecord {
    const now = new Date().toISOString();
    return {
      job_id: jobId,
      status,
      vendor: handle.vd,
      op: handle.op,
      ...(handle.model ? { model: handle.model } : {}),
      ...(handle.task ? { vendor_task_id: handle.task } : {}),
      assets: [],
      ...(label ? { label } : {}),
      created_at: new Date(handle.t * 1000).toISOString(),
      updated_at: now,
    };
  }

  private async ensureTracker(jobId: string): Promise<Tracker | JobRecord> {
    const existing = this.trackers.get(jobId);
    if (existing) return existing;
    const handle = decodeJobId(jobId);
    const stored = await this.store.load(jobId);
    if (stored && TERMINAL.has(stored.status)) return stored;
    if (handle.task) {
      const driver = this.driverFor(handle.vd, handle.op);
      const record = stored ?? this.newRecord(jobId, handle, "queued");
      return this.startTracker(handle, record, driver);
    }
    const owner = stored?.owner;
    if (stored && owner && !(owner.pid === process.pid && owner.boot === BOOT_ID) && processAlive(owner.pid)) {
      const tr = this.startTracker(handle, stored, undefined, true);
      return tr;
    }
    const record: JobRecord = stored ?? this.newRecord(jobId, handle, "failed");
    record.status = "failed";
    record.error = {
      code: "Interrupted",
      message: `the server process that ran this synchronous ${handle.vd} call stopped before the vendor answered; nothing was saved. Generate again.`,
    };
    record.updated_at = new Date().toISOString();
    await this.store.save(record);
    return record;
  }

  private startTracker(handle: JobHandle, record: JobRecord, driver?: TaskDriver, follow = false): Tracker {
    const tr: Tracker = {
      handle,
      record,
      controller: new AbortController(),
      running: false,
      polls: 0,
      lastInterest: Date.now(),
      listeners: new Set(),
      driver,
      follow,
    };
    this.trackers.set(record.job_id, tr);
    this.runTracker(tr);
    return tr;
  }

  private runTracker(tr: Tracker): void {
    if (this.closed || tr.running) return;
    if (tr.controller.signal.aborted) tr.controller = new AbortController();
    tr.running = true;
    const work = tr.follow ? this.followLoop(tr) : tr.handle.lid ? this.localLoop(tr) : this.pollLoop(tr);
    work
      .catch((err) => log.error("job tracker crashed", { job: tr.record.job_id.slice(0, 24), error: String(err) }))
      .finally(() => {
        tr.running = false;
        this.notify(tr);
      });
  }

  private async localLoop(tr: Tracker): Promise<void> {
    const run = this.localRuns.get(tr.record.job_id);
    this.localRuns.delete(tr.record.job_id);
    if (!run) return;
    try {
      const result = await run(tr.controller.signal);
      tr.polls++;
      await this.apply(tr, result, this.localKinds.get(tr.record.job_id) ?? "image");
    } catch (err) {
      tr.polls++;
      if (tr.controller.signal.aborted || isAbortError(err) || (err instanceof AigcError && err.category === "cancelled")) {
        if (!TERMINAL.has(tr.record.status)) await this.update(tr, { status: "cancelled", detail: "cancelled before the vendor answered" });
        return;
      }
      await this.update(tr, { status: "failed", error: toErrorShape(err), errorCause: err });
    }
  }

  private async pollLoop(tr: Tracker): Promise<void> {
    const driver = tr.driver!;
    const maxInterval = driver.pollIntervalMs ?? 5000;
    let interval = Math.min(this.pollMinMs, maxInterval);
    let failures = 0;
    while (!TERMINAL.has(tr.record.status) && !tr.controller.signal.aborted) {
      if (Date.now() - tr.lastInterest > this.trackIdleMs) {
        log.info("job tracker idle; will resume on the next get_job/wait_for_job", { task: tr.handle.task });
        return;
      }
      let result: PollResult | undefined;
      try {
        result = await driver.poll(tr.handle, { signal: tr.controller.signal });
        failures = 0;
      } catch (err) {
        if (tr.controller.signal.aborted) return;
        tr.polls++;
        const transient = err instanceof AigcError && ["network", "timeout", "rate_limit", "vendor", "bad_response"].includes(err.category);
        if (!transient) {
          await this.update(tr, { status: "failed", error: toErrorShape(err), errorCause: err });
          return;
        }
        failures++;
        await this.update(tr, { detail: `could not reach ${tr.record.vendor} (${err.code}); retrying` });
        if (failures >= 20) {
          log.warn("job tracker giving up after repeated failures; a later wait_for_job resumes it", { task: tr.handle.task });
          return;
        }
      }
      if (result) {
        tr.polls++;
        await this.apply(tr, result, driver.outputKind);
        if (TERMINAL.has(tr.record.status)) return;
      }
      const delay = result?.pollAfterMs ?? interval;
      interval = Math.min(maxInterval, Math.ceil(interval * 1.5));
      try {
        await sleep(delay, undefined, { signal: tr.controller.signal });
      } catch {
        return;
      }
    }
  }

  private async followLoop(tr: Tracker): Promise<void> {
    while (!TERMINAL.has(tr.record.status) && !tr.controller.signal.aborted && Date.now() - tr.lastInterest < this.trackIdleMs) {
      const fresh = await this.store.load(tr.record.job_id);
      tr.polls++;
      if (fresh) {
        tr.record = fresh;
        this.notify(tr);
      }
      const owner = tr.record.owner;
      if (!TERMINAL.has(tr.record.status) && owner && !processAlive(owner.pid)) {
        await this.update(tr, {
          status: "failed",
          error: { code: "Interrupted", message: "the server process running this job stopped before it finished; generate again." },
        });
        return;
      }
      await sleep(1000, undefined, { signal: tr.controller.signal }).catch(() => undefined);
    }
  }

  /** Applies a poll result; on success downloads every output before reporting success. */
  private async apply(tr: Tracker, result: PollResult, kind: TaskDriver["outputKind"]): Promise<void> {
    if (result.status !== "succeeded") {
      await this.update(tr, {
        status: result.status,
        detail: result.detail,
        percent: result.percent,
        model: result.model,
        error: result.error,
      });
      return;
    }
    await this.update(tr, { status: "running", detail: "downloading results", model: result.model, percent: 100 });
    const outputs = result.outputs ?? [];
    const assets: Asset[] = [];
    try {
      for (const [i, out] of outputs.entries()) assets.push(await this.materialize(tr, out, i, kind));
    } catch (err) {
      if (tr.controller.signal.aborted) return;
      const urls = outputs.map((o) => o.url).filter(Boolean);
      const shape = toErrorShape(err);
      if (urls.length) shape.message += `. Vendor URL(s), valid for a limited time: ${urls.join(" ")}`;
      await this.update(tr, { status: "failed", error: shape, errorCause: err });
      return;
    }
    if (!assets.length) {
      await this.update(tr, {
        status: "failed",
        error: { code: "NoOutput", message: `${tr.record.vendor} reported success but returned no output` },
      });
      return;
    }
    await this.update(tr, { status: "succeeded", assets, detail: undefined });
  }

  private materialize(tr: Tracker, out: VendorOutput, index: number, kind: TaskDriver["outputKind"]): Promise<Asset> {
    const stamp = new Date(tr.handle.t * 1000).toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
    const short = createHash("sha256").update(tr.record.job_id).digest("hex").slice(0, 8);
    const stem = `${stamp}-${tr.handle.vd}-${tr.handle.op}-${short}-${index + 1}${out.role ? `-${out.role.replace(/[^a-z0-9]+/gi, "_")}` : ""}`;
    const expect = out.role === "last_frame" || out.role === "cover" ? "image" : kind;
    const opts = {
      stem,
      expect,
      vendor: tr.record.vendor,
      signal: tr.controller.signal,
      url: out.url,
      expiresAt: out.expiresAt,
      role: out.role,
    } as const;
    if (out.data) return this.media.saveBuffer(out.data, opts);
    if (out.stream) return this.media.saveStream(out.stream, opts);
    if (out.url) return this.media.saveFromUrl(out.url, opts);
    return Promise.reject(
      new AigcError({
        category: "bad_response",
        code: "NoOutput",
        vendor: tr.record.vendor,
        message: "an output had neither a URL nor data",
      }),
    );
  }

  private async update(
    tr: Tracker,
    patch: Partial<Pick<JobRecord, "status" | "detail" | "percent" | "model" | "error" | "assets">> & { errorCause?: unknown },
  ): Promise<void> {
    const { errorCause, ...fields } = patch;
    if (errorCause instanceof AigcError && errorCause.category !== "cancelled") {
      log.warn("job failed", { vendor: tr.record.vendor, code: errorCause.code, request_id: errorCause.info.requestId });
    }
    const next: JobRecord = { ...tr.record, updated_at: new Date().toISOString() };
    for (const [k, v] of Object.entries(fields) as Array<[keyof typeof fields, unknown]>) {
      if (v === undefined) {
        if (k === "detail" && "detail" in fields) delete next.detail;
        continue;
      }
      (next as unknown as Record<string, unknown>)[k] = v;
    }
    if (next.status !== "failed" && next.status !== "expired") delete next.error;
    if (TERMINAL.has(next.status)) delete next.owner;
    tr.record = next;
    await this.store.save(next).catch((err) => log.error("could not save job record", { error: String(err) }));
    this.notify(tr);
  }

  private notify(tr: Tracker): void {
    for (const fn of [...tr.listeners]) fn();
  }

  private nextChange(tr: Tracker, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        tr.listeners.delete(done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      tr.listeners.add(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function cancelledWait(): AigcError {
  return new AigcError({
    category: "cancelled",
    code: "Cancelled",
    message: "the client cancelled the call; the job keeps its state (see list_jobs)",
  });
}

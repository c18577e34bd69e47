/**
 * Outputs whose upload to the bucket failed (their asset has a `storage_error`: the store was down,
 * refused the upload, or had just left a request unanswered) are uploaded later by the server whose
 * output folder holds them, once the store takes them: when a result shows the job (renderJob waits
 * up to a few seconds for it), and in scans of the job records (a minute after start, a minute after
 * an upload fails here and every 5 minutes while one is left, and hourly). A file is uploaded only
 * while it is as generated (its size and sha256), under a lease so that one process uploads a job's
 * files at a time; the record then says `storage: "s3"`, and with AIGC_MCP_KEEP_LOCAL=false the
 * local file goes once that record is saved.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, unlink } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { clip, log } from "../log.js";
import type { MediaStore } from "../media/store.js";
import { claimLease, recordKey, type JobStore } from "./store.js";
import type { Asset, JobRecord } from "./types.js";

export interface LateUploadTimes {
  /** The first scan after start. */
  firstScanMs: number;
  /** A scan this long after an upload failed here, and again after a scan that left one failed. */
  retryScanMs: number;
  /** A scan at least this often. */
  everyMs: number;
  /** A file whose upload failed here is not tried again sooner (the call that generated it has just tried). */
  gapMs: number;
}

const DEFAULT_TIMES: LateUploadTimes = { firstScanMs: 60_000, retryScanMs: 60_000, everyMs: 3600_000, gapMs: 5000 };
/** How many of the newest records a scan looks through. */
const SCAN_RECORDS = 10_000;
/** Life of the upload lease (renewed every third of it while held). */
const LEASE_MS = 60_000;
/** Upload failures remembered (by file name) for `gapMs`. */
const FAILURES_KEPT = 10_000;

export interface LateUploadOutcome {
  /** The record as saved after the uploads; undefined when nothing changed. */
  record?: JobRecord;
  uploaded: number;
  failed: number;
}

const nameOf = (uri: string) => decodeURIComponent(uri.slice(uri.lastIndexOf("/") + 1));

export class LateUploads {
  private readonly running = new Map<string, Promise<LateUploadOutcome>>();
  private readonly failedAt = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private dueAt = 0;
  private stopped = false;
  private scanning: Promise<LateUploadOutcome> | undefined;

  constructor(
    private readonly store: JobStore,
    private readonly media: MediaStore,
    /**
     * Called before a job's record is rewritten: false while this process may still write it (it
     * follows the job); else it lets the store answer for the job from then on (engine.ts `release`).
     */
    private readonly release: (jobId: string) => boolean,
    times: Partial<LateUploadTimes> = {},
  ) {
    this.times = { ...DEFAULT_TIMES, ...times };
  }

  private readonly times: LateUploadTimes;

  /** Schedules the scans (when a bucket is configured) and hears of the uploads that fail here. */
  start(): void {
    if (!this.media.bucket) return;
    this.media.uploadFailed = (name) => this.failed(name);
    this.schedule(this.times.firstScanMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The upload of output `name` failed just now: it is tried again in a scan `retryScanMs` from now. */
  failed(name: string): void {
    this.failedAt.delete(name);
    this.failedAt.set(name, Date.now());
    for (const old of this.failedAt.keys()) {
      if (this.failedAt.size <= FAILURES_KEPT) break;
      this.failedAt.delete(old);
    }
    this.schedule(this.times.retryScanMs);
  }

  /** The outputs of `record` this server may upload now: not in the bucket for an error, in its own output folder, not failed just now. */
  pending(record: JobRecord): Asset[] {
    if (!this.media.bucket) return [];
    const folder = resolve(this.media.dir);
    const since = Date.now() - this.times.gapMs;
    return record.assets.filter(
      (a) =>
        a.storage_error !== undefined &&
        a.path !== undefined &&
        dirname(resolve(a.path)) === folder &&
        (this.failedAt.get(nameOf(a.uri)) ?? 0) <= since,
    );
  }

  /**
   * `record`, or the record as saved once its pending outputs are uploaded, when that is done within
   * `ms` (the uploads go on after it). Never throws: a store that still fails leaves the record as it was.
   */
  async settle(record: JobRecord, ms: number): Promise<JobRecord> {
    if (!this.pending(record).length) return record;
    const outcome = await Promise.race([this.retry(record), sleep(ms, undefined, { ref: false })]);
    return outcome?.record ?? record;
  }

  /** Uploads `record`'s pending outputs (one run per job at a time); never throws. */
  retry(record: JobRecord): Promise<LateUploadOutcome> {
    const id = record.job_id;
    let run = this.running.get(id);
    if (!run) {
      run = this.upload(record)
        .catch((err: unknown): LateUploadOutcome => {
          log.warn("could not upload outputs to the bucket again", { job: id.slice(0, 24), error: String(err) });
          return { uploaded: 0, failed: 0 };
        })
        .finally(() => this.running.delete(id));
      this.running.set(id, run);
    }
    return run;
  }

  /** Looks through the newest records for outputs to upload, one job after another. */
  scan(): Promise<LateUploadOutcome> {
    this.scanning ??= this.scanRecords().finally(() => (this.scanning = undefined));
    return this.scanning;
  }

  private async scanRecords(): Promise<LateUploadOutcome> {
    const total: LateUploadOutcome = { uploaded: 0, failed: 0 };
    const records = await this.store.list(SCAN_RECORDS).catch((err: unknown) => {
      log.warn("could not look for outputs to upload to the bucket", { error: String(err) });
      return [];
    });
    for (const r of records) {
      if (!this.pending(r).length) continue;
      const { uploaded, failed } = await this.retry(r);
      total.uploaded += uploaded;
      total.failed += failed;
      if (failed && !uploaded) break; // the store still fails: the rest wait for the next scan, not a read of each file
    }
    if (total.uploaded) log.info(`uploaded ${total.uploaded} output(s) to the bucket whose first upload had failed`);
    return total;
  }

  private schedule(ms: number): void {
    const at = Date.now() + ms;
    if (this.stopped || (this.timer && this.dueAt <= at)) return; // the scan due sooner stays
    clearTimeout(this.timer);
    this.dueAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.scan().then(({ failed }) => this.schedule(failed ? this.times.retryScanMs * 5 : this.times.everyMs));
    }, ms);
    this.timer.unref();
  }

  private async upload(record: JobRecord): Promise<LateUploadOutcome> {
    const id = record.job_id;
    const bucket = this.media.bucket;
    const pending = this.pending(record);
    if (!bucket || !pending.length || !this.release(id)) return { uploaded: 0, failed: 0 };
    const lease = await claimLease(this.store, `upload:${recordKey(id)}`, this.store.owner().boot, LEASE_MS);
    if (!lease) return { uploaded: 0, failed: 0 }; // another process is uploading them
    try {
      const done = new Set<string>();
      const errors = new Map<string, string>();
      for (const a of pending) {
        if (!(await this.asGenerated(a))) continue; // removed or changed: nothing to upload
        const name = nameOf(a.uri);
        try {
          await bucket.upload(a.path!, name, a.mime_type);
          done.add(a.uri);
        } catch (err) {
          this.failedAt.set(name, Date.now());
          errors.set(a.uri, clip(err instanceof Error ? err.message : String(err), 300));
        }
      }
      const saved = done.size || errors.size ? await this.rewrite(id, record, done, errors) : undefined;
      return { ...(saved ? { record: saved } : {}), uploaded: done.size, failed: errors.size };
    } finally {
      await lease.release();
    }
  }

  /** Saves the job's latest record with the uploads' outcomes (undefined: nothing changed); then, with AIGC_MCP_KEEP_LOCAL=false, removes the uploaded local files. */
  private async rewrite(id: string, seen: JobRecord, done: Set<string>, errors: Map<string, string>): Promise<JobRecord | undefined> {
    const latest = (await this.store.load(id)) ?? seen;
    const keepLocal = this.media.keepLocal;
    const removed: string[] = [];
    const assets = latest.assets.map((a): Asset => {
      if (a.storage_error === undefined) return a; // uploaded by another process meanwhile
      const error = errors.get(a.uri);
      if (error !== undefined) return error === a.storage_error ? a : { ...a, storage_error: error };
      if (!done.has(a.uri)) return a;
      const { storage_error: _error, path, ...rest } = a;
      if (!keepLocal && path) removed.push(path);
      return { ...rest, ...(keepLocal && path ? { path } : {}), storage: "s3" };
    });
    if (assets.every((a, i) => a === latest.assets[i])) return undefined;
    const saved: JobRecord = { ...latest, assets, updated_at: new Date().toISOString() };
    await this.store.save(saved);
    for (const path of removed) await unlink(path).catch(() => undefined);
    return saved;
  }

  /** Whether the local file of `a` is still the output: a regular file of its size and sha256. */
  private async asGenerated(a: Asset): Promise<boolean> {
    const info = await lstat(a.path!).catch(() => undefined);
    if (!info?.isFile() || info.size !== a.bytes) return false;
    return this.media.queue
      .run(async () => {
        const hash = createHash("sha256");
        for await (const chunk of createReadStream(a.path!)) hash.update(chunk as Buffer);
        return hash.digest("hex") === a.sha256;
      })
      .catch(() => false);
  }
}

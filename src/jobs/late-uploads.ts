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
import { setTimeout as sleep } from "node:timers/promises";
import { clip, log } from "../log.js";
import { mediaName } from "../media/media-uri.js";
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
/** Upload failures (for `gapMs`) and files found not as generated, remembered by file name. */
const FAILURES_KEPT = 10_000;

export interface LateUploadOutcome {
  /** The record as saved after the uploads; undefined when nothing changed. */
  record?: JobRecord;
  uploaded: number;
  failed: number;
  /** Not tried: another job's late upload is under way here. */
  busy?: boolean;
  /** Not tried: another process holds the job's upload lease. */
  held?: boolean;
}

const NOTHING: LateUploadOutcome = { uploaded: 0, failed: 0 };

export interface ScanOutcome {
  uploaded: number;
  failed: number;
  /** Outputs left for the next scan untried: failed moments ago, or another process's lease held. */
  waiting: boolean;
}

export class LateUploads {
  /** The one late upload run at a time: a store that hangs holds one connection, not one per job shown. */
  private active: { id: string; run: Promise<LateUploadOutcome> } | undefined;
  /** Files found not as generated, by name, with the size and time they had then: not read again until either changes. */
  private readonly notAsGenerated = new Map<string, string>();
  private readonly failedAt = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private dueAt = 0;
  private stopped = false;
  private scanning: Promise<ScanOutcome> | undefined;

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

  /**
   * Stops the scans, and waits up to `graceMs` for the late upload and scan under way, so that the
   * record an upload rewrites lands before the store closes (a hung bucket is not waited for longer).
   */
  async stop(graceMs = 5000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const underWay = [this.active?.run, this.scanning].filter((p) => p !== undefined);
    if (underWay.length) await Promise.race([Promise.allSettled(underWay), sleep(graceMs, undefined, { ref: false })]);
  }

  /** The upload of output `name` failed just now: it is tried again in a scan `retryScanMs` from now. */
  failed(name: string): void {
    keepNewest(this.failedAt, name, Date.now());
    this.schedule(this.times.retryScanMs);
  }

  /**
   * The outputs of `record` this server may upload: not in the bucket for an error, saved in an
   * output folder, and (unless `anyTime`) not failed in the last `gapMs`. Whether the folder and
   * the file are this server's is for `upload` to see.
   */
  pending(record: JobRecord, anyTime = false): Asset[] {
    if (!this.media.bucket) return [];
    const since = anyTime ? Infinity : Date.now() - this.times.gapMs;
    return record.assets.filter(
      (a) => a.storage_error !== undefined && a.path !== undefined && (this.failedAt.get(mediaName(a.uri)) ?? 0) <= since,
    );
  }

  /**
   * `record`, or the record as saved once its pending outputs are uploaded, when that is done within
   * `ms` (the uploads go on after it). Only a result that starts the one late upload waits for it:
   * not while another runs, nor while the store is in its quiet time after a request it left
   * unanswered (the upload would fail at once). Never throws.
   */
  async settle(record: JobRecord, ms: number): Promise<JobRecord> {
    if (this.active || !this.pending(record).length || (this.media.bucket?.quietForMs() ?? 0) > 0) return record;
    const outcome = await Promise.race([this.retry(record), sleep(ms, undefined, { ref: false })]);
    return outcome?.record ?? record;
  }

  /**
   * Uploads `record`'s pending outputs, unless another job's late upload runs here (`busy`). A
   * failure outside a scan brings the next scan to `retryScanMs` from now. Never throws.
   */
  retry(record: JobRecord, inScan = false): Promise<LateUploadOutcome> {
    const id = record.job_id;
    if (this.active) return this.active.id === id ? this.active.run : Promise.resolve({ ...NOTHING, busy: true });
    const run = this.upload(record)
      .catch((err: unknown): LateUploadOutcome => {
        log.warn("could not upload outputs to the bucket again", { job: id.slice(0, 24), error: String(err) });
        return NOTHING;
      })
      .then((outcome) => {
        if (outcome.failed && !inScan) this.schedule(this.times.retryScanMs);
        return outcome;
      })
      .finally(() => (this.active = undefined));
    this.active = { id, run };
    return run;
  }

  /** Looks through the newest records for outputs to upload, one job after another. */
  scan(): Promise<ScanOutcome> {
    this.scanning ??= this.scanRecords().finally(() => (this.scanning = undefined));
    return this.scanning;
  }

  private async scanRecords(): Promise<ScanOutcome> {
    const total: ScanOutcome = { uploaded: 0, failed: 0, waiting: false };
    const records = await this.store.list(SCAN_RECORDS).catch((err: unknown) => {
      log.warn("could not look for outputs to upload to the bucket", { error: String(err) });
      return [];
    });
    for (const r of records) {
      if (!this.pending(r).length) {
        if (this.pending(r, true).length) total.waiting = true; // failed moments ago (a result tried it)
        continue;
      }
      let outcome = await this.retry(r, true);
      while (outcome.busy) {
        await this.active?.run;
        outcome = await this.retry(r, true);
      }
      if (outcome.held) total.waiting = true;
      total.uploaded += outcome.uploaded;
      total.failed += outcome.failed;
      if (outcome.failed && !outcome.uploaded) break; // the store still fails: the rest wait for the next scan, not a read of each file
    }
    if (total.uploaded) log.info(`a scan uploaded ${total.uploaded} output(s) to the bucket whose first upload had failed`);
    return total;
  }

  private schedule(ms: number): void {
    const at = Date.now() + ms;
    if (this.stopped || (this.timer && this.dueAt <= at)) return; // the scan due sooner stays
    clearTimeout(this.timer);
    this.dueAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // Still failing: in 5 minutes; only skipped (just tried by a result, or by another process): in a minute.
      void this.scan().then(({ failed, waiting }) =>
        this.schedule(failed ? this.times.retryScanMs * 5 : waiting ? this.times.retryScanMs : this.times.everyMs),
      );
    }, ms);
    this.timer.unref();
  }

  private async upload(record: JobRecord): Promise<LateUploadOutcome> {
    const id = record.job_id;
    const bucket = this.media.bucket;
    const mine = await Promise.all(this.pending(record).map(async (a) => ((await this.uploadable(a)) ? a : undefined)));
    const pending = mine.filter((a) => a !== undefined);
    if (!bucket || !pending.length || !this.release(id)) return NOTHING;
    const lease = await claimLease(this.store, `upload:${recordKey(id)}`, this.store.owner().boot, LEASE_MS);
    if (!lease) return { ...NOTHING, held: true }; // another process is uploading them
    try {
      const done = new Set<string>();
      const errors = new Map<string, string>();
      for (const a of pending) {
        const name = mediaName(a.uri);
        if (!(await this.asGenerated(a))) {
          log.info("not uploading an output to the bucket: the file in the output folder is no longer as generated", { file: name });
          continue;
        }
        try {
          await bucket.upload(a.path!, name, a.mime_type);
          done.add(a.uri);
          log.info("uploaded an output to the bucket whose first upload had failed", { file: name });
        } catch (err) {
          keepNewest(this.failedAt, name, Date.now());
          errors.set(a.uri, clip(err instanceof Error ? err.message : String(err), 300));
          log.warn("an output's upload to the bucket failed again; it is tried again later", { file: name, error: String(err) });
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

  /**
   * Whether this server may upload `a` now: its file is in this server's output folder (a replica
   * whose folder has the same path but not the file leaves it, and its lease, to the one that has
   * it), and is not one found not as generated with the same size and time still (not read again).
   */
  private async uploadable(a: Asset): Promise<boolean> {
    if (!(await this.media.savedHere(a.path!))) return false;
    const stamp = await this.stamp(a.path!);
    return stamp !== undefined && this.notAsGenerated.get(mediaName(a.uri)) !== stamp;
  }

  private async stamp(path: string): Promise<string | undefined> {
    const info = await lstat(path).catch(() => undefined);
    return info?.isFile() ? `${info.size}:${info.mtimeMs}` : undefined;
  }

  /** Whether the local file of `a` is still the output: a regular file of its size and sha256. One that is not is remembered. */
  private async asGenerated(a: Asset): Promise<boolean> {
    const stamp = await this.stamp(a.path!);
    const same =
      stamp !== undefined &&
      stamp.startsWith(`${a.bytes}:`) &&
      (await this.media.queue
        .run(async () => {
          const hash = createHash("sha256");
          for await (const chunk of createReadStream(a.path!)) hash.update(chunk as Buffer);
          return hash.digest("hex") === a.sha256;
        })
        .catch(() => false));
    if (!same && stamp !== undefined) keepNewest(this.notAsGenerated, mediaName(a.uri), stamp);
    return same;
  }
}

/** Sets `key` as the newest entry of `map`, dropping the oldest beyond FAILURES_KEPT. */
function keepNewest<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  for (const old of map.keys()) {
    if (map.size <= FAILURES_KEPT) break;
    map.delete(old);
  }
}

/**
 * Job records as small JSON files under `<output>/.aigc-mcp/jobs/` (the default store), so
 * list_jobs and resumption work across connections and server restarts on one machine. Writes are
 * atomic (temp + rename). Records older than the retention (by their update time) are swept.
 * Download leases are generations in a folder per job under `.aigc-mcp/leases/`; a local job's owner
 * is alive while its pid is.
 * The spend ledger is under `.aigc-mcp/spend/` (src/cost/file-ledger.ts), idempotency keys under
 * `.aigc-mcp/keys/` (src/cost/file-keys.ts).
 */
import { randomBytes } from "node:crypto";
import { readdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { BoundedQueue } from "../media/queue.js";
import { setTimeout as sleep } from "node:timers/promises";
import { join } from "node:path";
import { FileIdempotencyKeys } from "../cost/file-keys.js";
import { KeyWrites } from "../cost/key-writes.js";
import { BackgroundReservations } from "../cost/background.js";
import { FileSpendLedger } from "../cost/file-ledger.js";
import { redactDeep } from "../log.js";
import { Generations } from "./generations.js";
import { localDiskError, inFolder, removeStaleFiles } from "../media/disk.js";
import { FileHeartbeat } from "./file-heartbeat.js";
import { pidsComparable, processAlive, thisProcess, type JobOwner } from "./owner.js";
import { mediaOf, newestFirst, recordKey, type GeneratedMedia, type JobStore } from "./store.js";
import type { JobRecord } from "./types.js";

const DAY_MS = 86_400_000;
/**
 * How long a lease stays after its last write. A held lease is written every 10 s, so one unwritten
 * for half an hour is released or expired; a lease taken after the sweep looked stays (only the
 * generations it saw go). A take that read a generation the sweep then removes, with another take
 * landing in between, makes two holders: both save the same outputs (nothing is billed twice).
 * Kept a day before, the folder held every download of the day.
 */
const LEASE_KEEP_MS = 30 * 60_000;
/**
 * How long a write's temp file may be left before the sweep removes it. A live write holds its temp
 * for milliseconds (one small file written, then renamed or linked; three tries at most take under
 * a second more), so a temp an hour old is one whose process died (SIGKILL, power loss) between
 * the write and the rename: no process can still rename it, whatever the disk's stalls.
 */
const TEMP_KEEP_MS = 3600_000;

export class FileJobStore implements JobStore {
  readonly dir: string;
  private readonly leaseDir: string;
  private readonly leases: Generations<{ holder: string; until: number }>;
  readonly where: string;
  readonly spend: BackgroundReservations;
  private readonly ledger: FileSpendLedger;
  readonly keys: KeyWrites;
  private readonly keyFiles: FileIdempotencyKeys;
  /** Record files read or written at once: each holds a file handle, and a burst (a thousand calls, a list of every record) would hold one per file. */
  private readonly io = new BoundedQueue(32);
  /** Parsed records by file name, reused while the file's mtime and size are unchanged. */
  private readonly cache = new Map<string, { mtimeMs: number; size: number; record: JobRecord }>();
  /** This process's heartbeat, for processes that cannot see its pid (file-heartbeat.ts); started when it first stamps something. */
  private readonly heartbeat: FileHeartbeat;

  constructor(
    outputDir: string,
    private readonly retentionDays = 30,
  ) {
    this.dir = join(outputDir, ".aigc-mcp", "jobs");
    this.leaseDir = join(outputDir, ".aigc-mcp", "leases");
    this.leases = new Generations(this.leaseDir, { layout: "folders-after-flat" });
    this.heartbeat = new FileHeartbeat(join(outputDir, ".aigc-mcp", "procs"));
    this.ledger = new FileSpendLedger(outputDir, this);
    this.spend = new BackgroundReservations(this.ledger);
    this.keyFiles = new FileIdempotencyKeys(outputDir);
    this.keys = new KeyWrites(this.keyFiles);
    this.where = `the output folder ${outputDir}`;
  }

  private file(jobId: string): string {
    return join(this.dir, recordKey(jobId) + ".json");
  }

  /**
   * Writes the record, replacing the job's previous one atomically. Every string passes through
   * the same redaction as results and logs: a vendor error that echoes a credential is stored
   * without it.
   */
  async save(record: JobRecord): Promise<void> {
    await this.io.run(() => atomicWrite(this.file(record.job_id), JSON.stringify(redactDeep(record)), this.dir));
  }

  async remove(jobId: string): Promise<void> {
    await unlink(this.file(jobId)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "ENOENT") throw localDiskError(err, this.dir) ?? err;
    });
  }

  /** The job's record, or undefined when there is none (or it cannot be read). */
  async load(jobId: string): Promise<JobRecord | undefined> {
    try {
      return JSON.parse(await this.io.run(() => readFile(this.file(jobId), "utf8"))) as JobRecord;
    } catch {
      return undefined;
    }
  }

  /**
   * Read from disk each time, so outputs saved by another server process on the same folder count too.
   */
  async generatedFile(name: string): Promise<GeneratedMedia | undefined> {
    for (const r of await this.all()) {
      const found = mediaOf(r).find((m) => m.name === name);
      if (found) return found;
    }
    return undefined;
  }

  /** Newest first by the time the record listing them was last written (when the outputs were saved). */
  async recentMedia(limit: number): Promise<GeneratedMedia[]> {
    const records = (await this.all()).sort((a, b) => (b.updated_at ?? b.created_at).localeCompare(a.updated_at ?? a.created_at));
    const out = new Map<string, GeneratedMedia>();
    for (const r of records) {
      for (const m of mediaOf(r)) {
        if (out.size >= limit) return [...out.values()];
        if (!out.has(m.name)) out.set(m.name, m);
      }
    }
    return [...out.values()];
  }

  async list(limit: number): Promise<JobRecord[]> {
    return (await this.all()).sort(newestFirst).slice(0, limit);
  }

  /** Every readable record (a record being replaced right now is skipped). */
  private async all(): Promise<JobRecord[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith(".json"));
    } catch {
      return [];
    }
    const seen = new Set(names);
    for (const n of this.cache.keys()) if (!seen.has(n)) this.cache.delete(n);
    const out = await Promise.all(
      names.map(async (n) => {
        const path = join(this.dir, n);
        try {
          const s = await stat(path);
          const hit = this.cache.get(n);
          if (hit && hit.mtimeMs === s.mtimeMs && hit.size === s.size) return hit.record;
          const record = JSON.parse(await this.io.run(() => readFile(path, "utf8"))) as JobRecord;
          this.cache.set(n, { mtimeMs: s.mtimeMs, size: s.size, record });
          return record;
        } catch {
          return undefined;
        }
      }),
    );
    return out.filter((r): r is JobRecord => r !== undefined && typeof r.job_id === "string");
  }

  /** Deletes records not updated for the retention period (the media files themselves stay). */
  async sweep(): Promise<number> {
    // First, so that a later step that fails (a folder it cannot read) never leaves the temps behind.
    const aigc = join(this.dir, "..");
    for (const sub of ["jobs", "leases", "keys", "spend", "spend/ended"])
      await removeStaleFiles(join(aigc, sub), Date.now() - TEMP_KEEP_MS, (n) => n.endsWith(".tmp"));
    const cutoff = Date.now() - this.retentionDays * DAY_MS;
    let removed = 0;
    for (const r of await this.all()) {
      const t = Date.parse(r.updated_at ?? r.created_at);
      if (
        Number.isFinite(t) &&
        t < cutoff &&
        (await unlink(this.file(r.job_id)).then(
          () => true,
          () => false,
        ))
      )
        removed++;
    }
    // Leases not written for LEASE_KEEP_MS: released ones, and those of processes gone.
    await this.leases.removeUnwrittenSince(Date.now() - LEASE_KEEP_MS);
    await this.ledger.sweep();
    await this.keyFiles.sweep();
    await this.heartbeat.sweep();
    return removed;
  }

  /**
   * Leases are generations (generations.ts): every change (take, take over an expired one, renew,
   * release) creates the next generation exclusively, so of processes that read the same
   * generation exactly one moves it on, and a lease is never seen half-written.
   */
  async acquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const cur = await this.leases.read(name);
      // An expired lease is taken over: its holder stopped renewing it.
      if (cur.value && cur.value.until > Date.now()) return cur.value.holder === holder;
      if (await this.leases.write(name, cur.gen, { holder, until: Date.now() + ttlMs })) return true;
    }
    return false;
  }

  async renew(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const cur = await this.leases.read(name);
    if (cur.value?.holder !== holder) return false;
    return this.leases.write(name, cur.gen, { holder, until: Date.now() + ttlMs });
  }

  async drop(name: string, holder: string): Promise<void> {
    const cur = await this.leases.read(name);
    if (cur.value?.holder === holder) await this.leases.write(name, cur.gen, { holder: "", until: 0 });
  }

  owner(): JobOwner {
    const me = thisProcess();
    this.heartbeat.start(me.boot);
    return me;
  }

  ownerAlive(owner: JobOwner): Promise<boolean> {
    return pidsComparable(owner) ? processAlive(owner) : this.heartbeat.alive(owner.boot);
  }

  async close(): Promise<void> {
    await Promise.all([this.spend.flush(), this.keys.flush()]);
    await this.heartbeat.stop();
  }
}

/**
 * Writes `text` to `target` through a temp file and a rename; a full or briefly unwritable disk gets
 * three tries. The folder is created when the write finds it missing (not checked before every write).
 */
async function atomicWrite(target: string, text: string, dir: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const tmp = `${target}.${randomBytes(4).toString("hex")}.tmp`;
    try {
      await inFolder(dir, () => writeFile(tmp, text));
      await rename(tmp, target);
      return;
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      if (attempt >= 3) throw localDiskError(err, dir) ?? err;
      await sleep(100 * 4 ** (attempt - 1));
    }
  }
}

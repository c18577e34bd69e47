/**
 * Where job records live. One interface, two backends: the output folder (file-store.ts, the
 * default) and Redis (redis-store.ts, AIGC_MCP_REDIS_URL), shared by replicas. Both keep records
 * for AIGC_MCP_JOB_RETENTION_DAYS, list them newest first by the record's own creation time, tell
 * which media files are generated ones, hold download leases, say whether the process owning a
 * local job is alive, and keep the spend ledger and the idempotency keys (src/cost/).
 */
import { createHash } from "node:crypto";
import type { IdempotencyKeys, SpendLedger } from "../cost/ledger.js";
import { log } from "../log.js";
import { MEDIA_URI_PREFIX } from "../media/media-uri.js";
import type { JobOwner } from "./owner.js";
import type { JobRecord } from "./types.js";

export interface JobStore {
  /** Where the records are, for messages: "the output folder /x" or "Redis at host:port". */
  readonly where: string;
  /** The spend ledger budgets reserve in, shared by every process on this store (issue 14). */
  readonly spend: SpendLedger;
  /** Idempotency keys, shared by every process on this store (issue 14). */
  readonly keys: IdempotencyKeys;
  /** Writes the record (redacted), replacing the job's previous one; retried, then throws. */
  save(record: JobRecord): Promise<void>;
  /**
   * Deletes the job's record, if any: a submit's record once its create was refused at once, or
   * once the record of the task it made replaced it. Retried, then throws.
   */
  remove(jobId: string): Promise<void>;
  /** The job's record; undefined when there is none. Throws when the store cannot be read (Redis down). */
  load(jobId: string): Promise<JobRecord | undefined>;
  /** The `limit` newest jobs, by the record's own creation time (then update time). */
  list(limit: number): Promise<JobRecord[]>;
  /**
   * The output `name` (in the output folder) as the job record listing it says it was saved (its
   * generated size in bytes when the store keeps it), or undefined when no record lists it: only
   * such files are served (media://, /media/).
   */
  generatedFile(name: string): Promise<GeneratedMedia | undefined>;
  /** The `limit` most recently saved of those outputs, newest first (for resources/list, from any replica). */
  recentMedia(limit: number): Promise<GeneratedMedia[]>;
  /** Takes the lease `name` for `ttlMs` unless another holder has it. */
  acquire(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Extends a lease this holder has; false when it lost it. */
  renew(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives a lease up (only if this holder has it). */
  drop(name: string, holder: string): Promise<void>;
  /**
   * The owner stamp for local jobs of this server, also its name as a lease holder: the process
   * (file store: liveness is the pid's), or this server instance (Redis: its own heartbeat).
   */
  owner(): JobOwner;
  /** Whether the process that stamped `owner` still runs. */
  ownerAlive(owner: JobOwner): Promise<boolean>;
  /** Removes records past the retention (and ledger days, ended reservations and idempotency keys past theirs); returns how many records. */
  sweep(): Promise<number>;
  close(): Promise<void>;
}

/** A key for a job id of any length (old ids run to 2 KB): the first 128 bits of its sha256, hex. */
export function recordKey(jobId: string): string {
  return createHash("sha256").update(jobId).digest("hex").slice(0, 32);
}

/** Newest first by the record's own time: created_at, then updated_at. */
export function newestFirst(a: JobRecord, b: JobRecord): number {
  return (b.created_at ?? "").localeCompare(a.created_at ?? "") || (b.updated_at ?? "").localeCompare(a.updated_at ?? "");
}

/** A generated output as the job store knows it; what the record says about it, when the store keeps that. */
export interface GeneratedMedia {
  name: string;
  bytes?: number;
  mime?: string;
  /** Where the record says the file is kept: `s3` (also in the bucket) or `local` (only in the output folder); unset when the store does not know (Redis). */
  storage?: "s3" | "local";
}

/** The outputs a record lists, as it lists them (names in the output folder). */
export function mediaOf(record: JobRecord): GeneratedMedia[] {
  const out: GeneratedMedia[] = [];
  for (const a of record.assets ?? []) {
    if (typeof a.uri !== "string" || !a.uri.startsWith(MEDIA_URI_PREFIX)) continue;
    let name: string;
    try {
      name = decodeURIComponent(a.uri.slice(MEDIA_URI_PREFIX.length));
    } catch {
      continue; // not a URI this server minted
    }
    out.push({ name, bytes: a.bytes, mime: a.mime_type, storage: a.storage === "s3" ? "s3" : "local" });
  }
  return out;
}

/** A held lease: renewed in the background until released. */
export interface Lease {
  release(): Promise<void>;
}

/**
 * Takes the download lease of `jobId` (exactly one process saves a finished job's outputs), or
 * undefined when another process holds it. It is renewed every third of `ttlMs` while held; a
 * holder that dies stops renewing, and the lease expires for another process to take over.
 */
export function claimDownload(store: JobStore, jobId: string, holder: string, ttlMs: number): Promise<Lease | undefined> {
  return claimLease(store, `download:${recordKey(jobId)}`, holder, ttlMs);
}

/** Takes the lease `name` for `ttlMs`, renewed every third of it until released; undefined when another holder has it. Throws when the store fails. */
export async function claimLease(store: JobStore, name: string, holder: string, ttlMs: number): Promise<Lease | undefined> {
  if (!(await store.acquire(name, holder, ttlMs))) return undefined;
  const timer = setInterval(
    () => {
      store.renew(name, holder, ttlMs).then(
        (held) => held || log.warn("lost a lease; another process may do the same work", { lease: name.slice(0, 40) }),
        (err: unknown) => log.warn("could not renew a lease", { error: String(err) }),
      );
    },
    Math.max(50, Math.floor(ttlMs / 3)),
  );
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      await store.drop(name, holder).catch((err: unknown) => log.warn("could not release a lease", { error: String(err) }));
    },
  };
}

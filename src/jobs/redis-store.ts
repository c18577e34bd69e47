/**
 * Job records in Redis (AIGC_MCP_REDIS_URL), shared by every replica: any replica lists, resumes
 * and serves any job. Keys, under AIGC_MCP_REDIS_PREFIX (default `aigc-mcp:`):
 *
 * - `job:<sha256(job id), 32 hex>`: the record as JSON (redacted like every output), expiring
 *   AIGC_MCP_JOB_RETENTION_DAYS after its last write;
 * - `jobs`: a sorted set of those record keys scored by creation time (list_jobs reads the top of
 *   it, never a SCAN);
 * - `media`: a sorted set of generated output file names scored by save time (resources/list and
 *   resources/read serve only these), `media-bytes`: a hash of their generated sizes (a file
 *   of another size is no longer the output), and `media-storage`: where each is kept (`s3`, `local`);
 * - `lease:<name>`: download leases (SET NX PX, renewed while held, deleted only by their holder);
 * - `proc:<boot id>`: a heartbeat per server process (PX, renewed every third of its life), so a
 *   local job's owner is alive while its key exists, on whatever machine it runs;
 * - `spend:d:<day>`, `spend:m:<month>`, `spend:id:<hash>`: the spend ledger (src/cost/redis-ledger.ts);
 * - `idem:<sha256>`: idempotency keys (src/cost/redis-keys.ts).
 *
 * ioredis does the protocol, reconnection and TLS (`rediss://`); it is imported only when a Redis
 * URL is configured.
 */
import type { Redis } from "ioredis";
import { RedisIdempotencyKeys } from "../cost/redis-keys.js";
import { KeyWrites } from "../cost/key-writes.js";
import { BackgroundReservations } from "../cost/background.js";
import { RedisSpendLedger, type RedisAccess } from "../cost/redis-ledger.js";
import type { AigcError } from "../errors.js";
import { redisError } from "./redis-errors.js";
import { log, redactDeep } from "../log.js";
import { randomBytes } from "node:crypto";
import type { JobOwner } from "./owner.js";
import { mediaOf, newestFirst, recordKey, type GeneratedMedia, type JobStore } from "./store.js";
import { TERMINAL, type JobRecord } from "./types.js";
import { RedisMedia } from "./redis-media.js";
import { IF_HELD, SAVE } from "./redis-scripts.js";
import { execAll } from "./redis-batch.js";
import { loadPackage } from "../load-package.js";

const DAY_MS = 86_400_000;

export interface RedisStoreOptions {
  url: string;
  prefix: string;
  retentionDays: number;
  /** Life of a process heartbeat key; renewed every third of it. */
  heartbeatMs?: number;
}

export class RedisJobStore implements JobStore {
  readonly where: string;
  readonly spend: BackgroundReservations;
  readonly keys: KeyWrites;
  private readonly retentionMs: number;
  private readonly media: RedisMedia;
  private heartbeat?: NodeJS.Timeout;
  /** This server instance's id: its heartbeat key, owner stamp and lease holder name. */
  private readonly instance = randomBytes(6).toString("hex");

  private constructor(
    private readonly redis: Redis,
    private readonly opts: RedisStoreOptions,
  ) {
    this.where = `Redis at ${redisAddress(opts.url)}`;
    this.retentionMs = opts.retentionDays * DAY_MS;
    const access: RedisAccess = {
      redis,
      key: (name) => this.key(name),
      retry: (doing, fn) => this.retry(doing, fn),
      run: (doing, fn) => this.run(doing, fn),
    };
    this.spend = new BackgroundReservations(new RedisSpendLedger(access, this));
    this.keys = new KeyWrites(new RedisIdempotencyKeys(access));
    this.media = new RedisMedia(access, this.retentionMs);
  }

  /** Connects and checks with PING; throws (naming Redis) when it cannot be reached. */
  static async connect(opts: RedisStoreOptions): Promise<RedisJobStore> {
    const { Redis } = await loadPackage<typeof import("ioredis")>("ioredis");
    const redis = new Redis(opts.url, {
      lazyConnect: true,
      connectTimeout: 5000,
      commandTimeout: 5000,
      // While the connection is down a command fails at once (the store's own retries give a
      // restarting Redis a moment), instead of waiting in a queue.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    // ioredis rejects connect() with "Connection is closed"; the socket's own error (ECONNREFUSED, ENOTFOUND) says why
    let cause: Error | undefined;
    redis.on("error", (err: Error) => {
      cause = err;
      log.debug("redis connection error", { error: err.message });
    });
    const store = new RedisJobStore(redis, opts);
    try {
      await redis.connect();
      await redis.ping();
    } catch (err) {
      redis.disconnect();
      throw store.error(
        cause ?? err,
        "connecting",
        "Check that Redis is running and reachable at AIGC_MCP_REDIS_URL (host, port, password, redis:// or rediss://); the server does not start without the job store it names.",
      );
    }
    await store.beat();
    const every = Math.max(50, Math.floor((opts.heartbeatMs ?? 15_000) / 3));
    store.heartbeat = setInterval(() => void store.beat().catch(() => undefined), every);
    store.heartbeat.unref();
    return store;
  }

  private key(name: string): string {
    return this.opts.prefix + name;
  }

  private async beat(): Promise<void> {
    await this.redis.set(this.key(`proc:${this.instance}`), String(process.pid), "PX", this.opts.heartbeatMs ?? 15_000);
  }

  async save(record: JobRecord): Promise<void> {
    const clean = redactDeep(record);
    const k = recordKey(record.job_id);
    const created = Date.parse(record.created_at);
    const args = [
      JSON.stringify(clean),
      String(this.retentionMs),
      k,
      String(Number.isFinite(created) ? created : Date.now()),
      TERMINAL.has(record.status) ? "1" : "0",
      String(Date.now()),
      ...mediaOf(clean).flatMap((m) => [m.name, m.bytes === undefined ? "" : String(m.bytes), m.storage ?? "local"]),
    ];
    await this.retry("saving a job record", () =>
      this.redis.eval(
        SAVE,
        5,
        this.key(`job:${k}`),
        this.key("jobs"),
        this.key("media"),
        this.key("media-bytes"),
        this.key("media-storage"),
        ...args,
      ),
    );
  }

  async remove(jobId: string): Promise<void> {
    const k = recordKey(jobId);
    await this.retry("removing a job record", () =>
      execAll(
        this.redis
          .multi()
          .del(this.key(`job:${k}`))
          .zrem(this.key("jobs"), k),
      ),
    );
  }

  async load(jobId: string): Promise<JobRecord | undefined> {
    const text = await this.run("reading a job record", () => this.redis.get(this.key(`job:${recordKey(jobId)}`)));
    return text ? parse(text) : undefined;
  }

  async list(limit: number): Promise<JobRecord[]> {
    const out: JobRecord[] = [];
    const page = Math.min(Math.max(limit, 10), 500);
    for (let start = 0; out.length < limit; start += page) {
      const keys = await this.run("listing jobs", () => this.redis.zrevrange(this.key("jobs"), start, start + page - 1));
      if (!keys.length) break;
      const texts = await this.run("listing jobs", () => this.redis.mget(...keys.map((k) => this.key(`job:${k}`))));
      const gone = keys.filter((_, i) => !texts[i]);
      // Expired records leave their entry in the sorted set; drop it on the way.
      if (gone.length) await this.redis.zrem(this.key("jobs"), ...gone).catch(() => undefined);
      for (const t of texts) {
        const r = t ? parse(t) : undefined;
        if (r) out.push(r);
      }
      if (keys.length < page) break;
    }
    return out.sort(newestFirst).slice(0, limit);
  }

  generatedFile(name: string): Promise<GeneratedMedia | undefined> {
    return this.media.generatedFile(name);
  }

  /** The top of the `media` sorted set (scored by save time), whichever replica saved them, with where each is kept. */
  recentMedia(limit: number): Promise<GeneratedMedia[]> {
    return this.media.recentMedia(limit);
  }

  async acquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const ok = await this.run("taking a download lease", () => this.redis.set(this.key(`lease:${name}`), holder, "PX", ttlMs, "NX"));
    if (ok === "OK") return true;
    return (await this.run("taking a download lease", () => this.redis.get(this.key(`lease:${name}`)))) === holder;
  }

  async renew(name: string, holder: string, ttlMs: number): Promise<boolean> {
    return (
      (await this.run("renewing a download lease", () => this.redis.eval(IF_HELD, 1, this.key(`lease:${name}`), holder, String(ttlMs)))) ===
      1
    );
  }

  async drop(name: string, holder: string): Promise<void> {
    await this.run("releasing a download lease", () => this.redis.eval(IF_HELD, 1, this.key(`lease:${name}`), holder));
  }

  owner(): JobOwner {
    return { pid: process.pid, boot: this.instance };
  }

  async ownerAlive(owner: JobOwner): Promise<boolean> {
    return (await this.run("checking a server process's heartbeat", () => this.redis.exists(this.key(`proc:${owner.boot}`)))) === 1;
  }

  /** Drops sorted-set entries of records that expired (Redis removed the records themselves) and media past the retention. */
  async sweep(): Promise<number> {
    const old = await this.run("sweeping old jobs", () =>
      this.redis.zrangebyscore(this.key("jobs"), "-inf", Date.now() - this.retentionMs),
    );
    let removed = 0;
    for (const k of old) {
      if (!(await this.redis.exists(this.key(`job:${k}`)))) removed += await this.redis.zrem(this.key("jobs"), k);
    }
    await this.media.sweep();
    return removed;
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    // Before the heartbeat goes: a replica that sees this process gone must see its keys' jobs.
    await Promise.all([this.spend.flush(), this.keys.flush()]);
    if (this.redis.status !== "ready") return this.redis.disconnect();
    await this.redis.del(this.key(`proc:${this.instance}`)).catch(() => undefined);
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** Runs a write up to three times (Redis restarting, a failover) before reporting it. */
  private async retry<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        // A timeout is a Redis up but not answering: a retry waits as long again (a dropped connection may not).
        if (attempt >= 3 || (err instanceof Error && /timed out/i.test(err.message))) throw this.error(err, doing);
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      }
    }
  }

  private async run<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.error(err, doing);
    }
  }

  error(
    err: unknown,
    doing: string,
    hint = "Check that Redis is running and reachable at AIGC_MCP_REDIS_URL, then call again (for a job, with the same job_id): nothing is lost, outputs already saved stay in the output folder.",
  ): AigcError {
    return redisError(this.where, err, doing, hint);
  }
}

/** host:port of a Redis URL, without user or password. */
export function redisAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "6379"}`;
  } catch {
    return "the configured URL";
  }
}

function parse(text: string): JobRecord | undefined {
  try {
    return JSON.parse(text) as JobRecord;
  } catch {
    return undefined;
  }
}

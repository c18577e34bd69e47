/**
 * The generated outputs in Redis, whichever replica saved them: `media`, a sorted set of file names
 * scored by save time, and `media-bytes`, a hash of their generated sizes (both written with the
 * record, redis-store.ts SAVE). A file in the output folder of another size is no longer the output.
 */
import type { RedisAccess } from "../cost/redis-ledger.js";
import { mediaOf, type GeneratedMedia } from "./store.js";
import type { JobRecord } from "./types.js";

/** How often sizes missing from `media-bytes` are looked for in the job records. */
const FILL_EVERY_MS = 60_000;
const PAGE = 500;

export class RedisMedia {
  private filledAt = 0;
  private filling?: Promise<void>;

  constructor(
    private readonly db: Pick<RedisAccess, "redis" | "key" | "run">,
    private readonly retentionMs: number,
  ) {}

  private get sizes(): string {
    return this.db.key("media-bytes");
  }

  /** The output `name` with its generated size, or undefined when no record within the retention lists it. */
  async generatedFile(name: string): Promise<GeneratedMedia | undefined> {
    const { redis, key } = this.db;
    const [saved, bytes] = await this.db.run("reading the list of generated media", () =>
      Promise.all([redis.zscore(key("media"), name), redis.hget(this.sizes, name)]),
    );
    if (saved === null || Number(saved) < Date.now() - this.retentionMs) return undefined;
    if (bytes) return { name, bytes: Number(bytes) };
    // Saved by a version without `media-bytes` (before an upgrade, or an older replica still running).
    await this.fillSizes();
    const filled = await this.db.run("reading the list of generated media", () => redis.hget(this.sizes, name));
    return { name, ...(filled ? { bytes: Number(filled) } : {}) };
  }

  /** The `limit` most recently saved outputs, newest first, with their generated sizes where known. */
  async recentMedia(limit: number): Promise<GeneratedMedia[]> {
    const { redis, key } = this.db;
    const names = await this.db.run("reading the list of generated media", () =>
      redis.zrevrangebyscore(key("media"), "+inf", Date.now() - this.retentionMs, "LIMIT", 0, limit),
    );
    if (!names.length) return [];
    const sizes = await this.db.run("reading the list of generated media", () => redis.hmget(this.sizes, ...names));
    return names.map((name, i) => ({ name, ...(sizes[i] ? { bytes: Number(sizes[i]) } : {}) }));
  }

  /** Drops the names and sizes of outputs saved before the retention. */
  async sweep(): Promise<void> {
    const { redis, key } = this.db;
    const cutoff = Date.now() - this.retentionMs;
    const gone = await redis.zrangebyscore(key("media"), "-inf", cutoff);
    for (let i = 0; i < gone.length; i += PAGE) await redis.hdel(this.sizes, ...gone.slice(i, i + PAGE));
    await redis.zremrangebyscore(key("media"), "-inf", cutoff);
  }

  /**
   * Copies the sizes the job records give into `media-bytes` for outputs that have none there (a size
   * written at save time is kept). Reads every record, so it runs at most once a minute, and
   * concurrent callers share the run.
   */
  private fillSizes(): Promise<void> {
    if (this.filling) return this.filling;
    if (Date.now() - this.filledAt < FILL_EVERY_MS) return Promise.resolve();
    this.filledAt = Date.now();
    this.filling = this.db
      .run("filling in the sizes of generated media", () => this.fillFromRecords())
      .finally(() => (this.filling = undefined));
    return this.filling;
  }

  private async fillFromRecords(): Promise<void> {
    const { redis, key } = this.db;
    for (let start = 0; ; start += PAGE) {
      const keys = await redis.zrevrange(key("jobs"), start, start + PAGE - 1);
      if (!keys.length) return;
      const texts = await redis.mget(...keys.map((k) => key(`job:${k}`)));
      const known = texts.flatMap((t) => mediaOf(parse(t)).filter((m) => m.bytes !== undefined));
      if (known.length) {
        const batch = redis.pipeline();
        for (const m of known) batch.hsetnx(this.sizes, m.name, String(m.bytes));
        await batch.exec();
      }
      if (keys.length < PAGE) return;
    }
  }
}

function parse(text: string | null): JobRecord {
  try {
    return (text ? JSON.parse(text) : { assets: [] }) as JobRecord;
  } catch {
    return { assets: [] } as unknown as JobRecord;
  }
}

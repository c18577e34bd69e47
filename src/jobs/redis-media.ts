/**
 * The generated outputs in Redis, whichever replica saved them: `media`, a sorted set of file names
 * scored by save time, and `media-bytes`, a hash of their generated sizes (both written with the
 * record, redis-store.ts SAVE). A file in the output folder of another size is no longer the output.
 */
import type { RedisAccess } from "../cost/redis-ledger.js";
import { mediaOf, type GeneratedMedia } from "./store.js";
import type { JobRecord } from "./types.js";

const PAGE = 500;
/** Names whose records gave no size, remembered so that reading them does not scan the records each time. */
const UNKNOWN_MAX = 10_000;

interface Fill {
  /** When it started (this process's clock). */
  from: number;
  settled: boolean;
  done: Promise<void>;
}

export class RedisMedia {
  /** The last scan of the records: it saw every record saved before it started. */
  private filling?: Fill;
  private readonly unknown = new Set<string>();

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
    const seen = Date.now();
    const [saved, bytes] = await this.db.run("reading the list of generated media", () =>
      Promise.all([redis.zscore(key("media"), name), redis.hget(this.sizes, name)]),
    );
    if (saved === null || Number(saved) < Date.now() - this.retentionMs) return undefined;
    if (bytes) return { name, bytes: Number(bytes) };
    // Saved by a version without `media-bytes` (before an upgrade, or an older replica still running).
    const [filled] = await this.fillIn([name], seen);
    return { name, ...(filled ? { bytes: filled } : {}) };
  }

  /** The `limit` most recently saved outputs, newest first, with their generated sizes where known. */
  async recentMedia(limit: number): Promise<GeneratedMedia[]> {
    const { redis, key } = this.db;
    const seen = Date.now();
    const names = await this.db.run("reading the list of generated media", () =>
      redis.zrevrangebyscore(key("media"), "+inf", Date.now() - this.retentionMs, "LIMIT", 0, limit),
    );
    if (!names.length) return [];
    const found = await this.db.run("reading the list of generated media", () => redis.hmget(this.sizes, ...names));
    const missing = names.filter((_, i) => !found[i]);
    const filled = missing.length ? await this.fillIn(missing, seen) : [];
    const late = new Map(missing.map((n, i) => [n, filled[i]]));
    return names.map((name, i) => {
      const bytes = found[i] ? Number(found[i]) : late.get(name);
      return { name, ...(bytes !== undefined ? { bytes } : {}) };
    });
  }

  /** Drops the names and sizes of outputs saved before the retention, and sizes left without a name (an older version's sweep). */
  async sweep(): Promise<void> {
    const { redis, key } = this.db;
    const cutoff = Date.now() - this.retentionMs;
    const gone = await redis.zrangebyscore(key("media"), "-inf", cutoff);
    for (let i = 0; i < gone.length; i += PAGE) await redis.hdel(this.sizes, ...gone.slice(i, i + PAGE));
    await redis.zremrangebyscore(key("media"), "-inf", cutoff);
    let cursor = "0";
    do {
      const [next, flat] = await redis.hscan(this.sizes, cursor, "COUNT", PAGE);
      cursor = next;
      const names = flat.filter((_, i) => i % 2 === 0);
      if (!names.length) continue;
      const scores = await Promise.all(names.map((n) => redis.zscore(key("media"), n)));
      const orphans = names.filter((_, i) => scores[i] === null);
      if (orphans.length) await redis.hdel(this.sizes, ...orphans);
    } while (cursor !== "0");
  }

  /**
   * The sizes of `names` (seen in `media` at `seen`, this process's clock) from the job records, once
   * a scan that started after `seen` has copied them into `media-bytes`: such a scan sees the records
   * saved with those names. A name its record gives no size for is remembered, and not scanned for again.
   */
  private async fillIn(names: string[], seen: number): Promise<Array<number | undefined>> {
    const unknown = names.filter((n) => !this.unknown.has(n));
    // One scan at a time; a scan that started after `seen` serves every caller that saw its names before then.
    while (unknown.length) {
      const last = this.filling;
      if (last && last.from >= seen) {
        await last.done;
        break;
      }
      if (last && !last.settled) {
        await last.done.catch(() => undefined);
        continue;
      }
      const next: Fill = {
        from: Date.now(),
        settled: false,
        done: this.db.run("filling in the sizes of generated media", () => this.fillFromRecords()),
      };
      void next.done.catch(() => undefined).finally(() => (next.settled = true));
      this.filling = next;
    }
    const sizes = await this.db.run("reading the list of generated media", () => this.db.redis.hmget(this.sizes, ...names));
    if (this.unknown.size > UNKNOWN_MAX) this.unknown.clear();
    names.forEach((n, i) => sizes[i] === null && this.unknown.add(n));
    return sizes.map((b) => (b ? Number(b) : undefined));
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

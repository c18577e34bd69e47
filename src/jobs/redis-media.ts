/**
 * The generated outputs in Redis, whichever replica saved them: `media`, a sorted set of file names
 * scored by save time, `media-bytes`, a hash of their generated sizes, and `media-storage`, a hash of
 * where each is kept (`s3`: also in the bucket; `local`: only in the output folder), all written with
 * the record (redis-store.ts SAVE). A file in the output folder of another size is no longer the output.
 */
import type { RedisAccess } from "../cost/redis-ledger.js";
import { mediaOf, type GeneratedMedia } from "./store.js";
import type { JobRecord } from "./types.js";
import { execAll } from "./redis-batch.js";

const PAGE = 500;
/** A name's generated size and where it is kept, as `media-bytes` and `media-storage` hold them (null: not there). */
type Known = [bytes: string | null, storage: string | null];

const generated = (name: string, [bytes, storage]: Known): GeneratedMedia => ({
  name,
  ...(bytes ? { bytes: Number(bytes) } : {}),
  ...(storage === "s3" || storage === "local" ? { storage } : {}),
});

/** Names whose records gave no size or storage, remembered so that reading them does not scan the records each time. */
const UNKNOWN_MAX = 10_000;

interface Fill {
  /** Its number: scans are numbered in the order they start. */
  id: number;
  settled: boolean;
  done: Promise<void>;
}

export class RedisMedia {
  /** The last scan of the records: it saw every record saved before it started. */
  private filling?: Fill;
  /** How many scans have started. */
  private scans = 0;
  private readonly unknown = new Set<string>();

  constructor(
    private readonly db: Pick<RedisAccess, "redis" | "key" | "run">,
    private readonly retentionMs: number,
  ) {}

  private get sizes(): string {
    return this.db.key("media-bytes");
  }

  private get storage(): string {
    return this.db.key("media-storage");
  }

  private async known(names: string[]): Promise<Known[]> {
    const { redis } = this.db;
    const [bytes, storage] = await this.db.run("reading the list of generated media", () =>
      Promise.all([redis.hmget(this.sizes, ...names), redis.hmget(this.storage, ...names)]),
    );
    return names.map((_, i) => [bytes[i] ?? null, storage[i] ?? null]);
  }

  /** The output `name` with its generated size and storage, or undefined when no record within the retention lists it. */
  async generatedFile(name: string): Promise<GeneratedMedia | undefined> {
    const { redis, key } = this.db;
    const [saved, [known]] = await Promise.all([
      this.db.run("reading the list of generated media", () => redis.zscore(key("media"), name)),
      this.known([name]),
    ]);
    const seen = this.scans; // after the read: a scan started from now on sees its name's record
    if (saved === null || Number(saved) < Date.now() - this.retentionMs) return undefined;
    // Saved by a version without `media-bytes` or `media-storage` (before an upgrade, or an older replica still running).
    return generated(name, complete(known!) ? known! : (await this.fillIn([name], seen))[0]!);
  }

  /** The `limit` most recently saved outputs, newest first, with their generated sizes where known. */
  async recentMedia(limit: number): Promise<GeneratedMedia[]> {
    const { redis, key } = this.db;
    const names = await this.db.run("reading the list of generated media", () =>
      redis.zrevrangebyscore(key("media"), "+inf", Date.now() - this.retentionMs, "LIMIT", 0, limit),
    );
    const seen = this.scans; // after the read: a scan started from now on sees its names' records
    if (!names.length) return [];
    const found = await this.known(names);
    const missing = names.filter((_, i) => !complete(found[i]!));
    const filled = missing.length ? await this.fillIn(missing, seen) : [];
    const late = new Map(missing.map((n, i) => [n, filled[i]!]));
    return names.map((name, i) => generated(name, late.get(name) ?? found[i]!));
  }

  /** Drops the names, sizes and storage of outputs saved before the retention, and entries left without a name (an older version's sweep). */
  async sweep(): Promise<void> {
    const { redis, key } = this.db;
    const cutoff = Date.now() - this.retentionMs;
    const gone = await redis.zrangebyscore(key("media"), "-inf", cutoff);
    for (let i = 0; i < gone.length; i += PAGE) {
      await redis.hdel(this.sizes, ...gone.slice(i, i + PAGE));
      await redis.hdel(this.storage, ...gone.slice(i, i + PAGE));
    }
    await redis.zremrangebyscore(key("media"), "-inf", cutoff);
    for (const hash of [this.sizes, this.storage]) {
      let cursor = "0";
      do {
        const [next, flat] = await redis.hscan(hash, cursor, "COUNT", PAGE);
        cursor = next;
        const names = flat.filter((_, i) => i % 2 === 0);
        if (!names.length) continue;
        const scores = await Promise.all(names.map((n) => redis.zscore(key("media"), n)));
        const orphans = names.filter((_, i) => scores[i] === null);
        if (orphans.length) await redis.hdel(hash, ...orphans);
      } while (cursor !== "0");
    }
  }

  /**
   * The sizes and storage of `names` (read from `media` when `seen` scans had started) from the job
   * records, once a scan that started after that read has copied them into `media-bytes` and
   * `media-storage`: such a scan sees the records saved with those names. Scans are counted, not
   * timed: one that started in the same millisecond as the read may have started before it (until
   * 2026-12-03 such a scan was taken as later, and a record saved in that millisecond went unseen).
   * A name its record gives no size for is remembered, and not scanned for again.
   */
  private async fillIn(names: string[], seen: number): Promise<Known[]> {
    const unknown = names.filter((n) => !this.unknown.has(n));
    // One scan at a time; a scan that started after `seen` serves every caller that saw its names before then.
    while (unknown.length) {
      const last = this.filling;
      if (last && last.id > seen) {
        await last.done;
        break;
      }
      if (last && !last.settled) {
        await last.done.catch(() => undefined);
        continue;
      }
      const next: Fill = {
        id: ++this.scans,
        settled: false,
        done: this.db.run("filling in the sizes of generated media", () => this.fillFromRecords()),
      };
      void next.done.catch(() => undefined).finally(() => (next.settled = true));
      this.filling = next;
    }
    const found = await this.known(names);
    if (this.unknown.size > UNKNOWN_MAX) this.unknown.clear();
    names.forEach((n, i) => !complete(found[i]!) && this.unknown.add(n));
    return found;
  }

  private async fillFromRecords(): Promise<void> {
    const { redis, key } = this.db;
    for (let start = 0; ; start += PAGE) {
      const keys = await redis.zrevrange(key("jobs"), start, start + PAGE - 1);
      if (!keys.length) return;
      const texts = await redis.mget(...keys.map((k) => key(`job:${k}`)));
      const listed = texts.flatMap((t) => mediaOf(parse(t)));
      if (listed.length) {
        const batch = redis.pipeline();
        for (const m of listed) {
          if (m.bytes !== undefined) batch.hsetnx(this.sizes, m.name, String(m.bytes));
          batch.hsetnx(this.storage, m.name, m.storage ?? "local");
        }
        await execAll(batch);
      }
      if (keys.length < PAGE) return;
    }
  }
}

/** Both facts are there; an output saved before an upgrade lacks one or both. */
const complete = ([bytes, storage]: Known) => bytes !== null && storage !== null;

function parse(text: string | null): JobRecord {
  try {
    return (text ? JSON.parse(text) : { assets: [] }) as JobRecord;
  } catch {
    return { assets: [] } as unknown as JobRecord;
  }
}

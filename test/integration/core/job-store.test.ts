/**
 * The JobStore contract, run against both backends: the output folder (FileJobStore) and a real
 * redis-server (RedisJobStore) started by the test.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { FileJobStore } from "../../../src/jobs/file-store.js";
import { RedisJobStore } from "../../../src/jobs/redis-store.js";
import { claimDownload, type JobStore } from "../../../src/jobs/store.js";
import type { JobRecord } from "../../../src/jobs/types.js";
import { tempDir } from "../../helpers/harness.js";
import { startRedis, type TestRedis } from "../../helpers/redis.js";

let redis: TestRedis;
const dirs: string[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

let n = 0;
const backends: Array<[string, () => Promise<JobStore>]> = [
  [
    "output folder",
    () => {
      const dir = tempDir();
      dirs.push(dir);
      return Promise.resolve(new FileJobStore(dir, 30));
    },
  ],
  ["Redis", () => RedisJobStore.connect({ url: redis.url, prefix: `t${++n}:`, retentionDays: 30, heartbeatMs: 300 })],
];

function record(id: string, createdAt: string, extra: Partial<JobRecord> = {}): JobRecord {
  return { job_id: id, status: "running", vendor: "ark", op: "video", assets: [], created_at: createdAt, updated_at: createdAt, ...extra };
}

describe.each(backends)("job store: %s", (_name, open) => {
  it("saves, loads and replaces a record, redacting nothing it need not", async () => {
    const store = await open();
    expect(await store.load("t.ark.video.abc.cgt-1")).toBeUndefined();
    const r = record("t.ark.video.abc.cgt-1", "2026-11-30T10:00:00.000Z", { label: "a cat" });
    await store.save(r);
    expect(await store.load(r.job_id)).toEqual(r);
    await store.save({ ...r, status: "queued" });
    expect(await store.load(r.job_id)).toMatchObject({ status: "queued" });
    await store.close();
  });

  it("lists newest first by the record's own creation time, not by when it was written", async () => {
    const store = await open();
    await store.save(record("k.ark.video.a.old-aaaaaaaaaaaa", "2026-11-01T00:00:00.000Z"));
    await store.save(record("k.ark.video.a.new-aaaaaaaaaaaa", "2026-11-30T00:00:00.000Z"));
    // Written last, dated 1970: it sorts last.
    await store.save(record("k.ark.video.a.forged-aaaaaaaa", "1970-01-01T00:00:00.000Z"));
    await store.save(record("k.ark.video.a.mid-aaaaaaaaaaaa", "2026-11-15T00:00:00.000Z"));
    expect((await store.list(10)).map((r) => r.job_id)).toEqual([
      "k.ark.video.a.new-aaaaaaaaaaaa",
      "k.ark.video.a.mid-aaaaaaaaaaaa",
      "k.ark.video.a.old-aaaaaaaaaaaa",
      "k.ark.video.a.forged-aaaaaaaa",
    ]);
    expect((await store.list(2)).map((r) => r.job_id)).toEqual(["k.ark.video.a.new-aaaaaaaaaaaa", "k.ark.video.a.mid-aaaaaaaaaaaa"]);
    await store.close();
  });

  it("knows the generated files, their generated sizes and where they are kept from the records' assets", async () => {
    const store = await open();
    const asset = { uri: "media://files/20261130-ark-video-1.mp4", mime_type: "video/mp4", bytes: 3, sha256: "x" };
    const uploaded = { ...asset, uri: "media://files/20261130-ark-video-3.mp4", storage: "s3" as const };
    await store.save(record("t.ark.video.a.cgt-2", "2026-11-30T00:00:00.000Z", { status: "succeeded", assets: [asset, uploaded] }));
    expect(await store.generatedFile("20261130-ark-video-1.mp4")).toMatchObject({
      name: "20261130-ark-video-1.mp4",
      bytes: 3,
      storage: "local",
    });
    expect(await store.generatedFile("20261130-ark-video-3.mp4")).toMatchObject({ bytes: 3, storage: "s3" });
    expect(await store.generatedFile("20261130-ark-video-2.mp4")).toBeUndefined();
    // Only in the output folder (its upload failed): a file there of another size is no longer the output, and no bucket holds it.
    expect((await store.recentMedia(10)).map((m) => [m.name, m.storage]).sort()).toEqual([
      ["20261130-ark-video-1.mp4", "local"],
      ["20261130-ark-video-3.mp4", "s3"],
    ]);
    await store.close();
  });

  it("gives a lease to one holder at a time, renews it for its holder only, and hands an expired one over", async () => {
    const store = await open();
    expect(await store.acquire("download:x", "A", 10_000)).toBe(true);
    expect(await store.acquire("download:x", "B", 10_000)).toBe(false);
    expect(await store.renew("download:x", "B", 10_000)).toBe(false);
    expect(await store.renew("download:x", "A", 10_000)).toBe(true);
    await store.drop("download:x", "B");
    expect(await store.acquire("download:x", "B", 10_000)).toBe(false);
    await store.drop("download:x", "A");
    expect(await store.acquire("download:x", "B", 200)).toBe(true);
    // B stops renewing (its process died): the lease expires and A takes it over.
    await new Promise((r) => setTimeout(r, 400));
    expect(await store.acquire("download:x", "A", 10_000)).toBe(true);
    await store.close();
  });

  it("keeps a claimed download lease alive while its holder works", async () => {
    const store = await open();
    const lease = await claimDownload(store, "t.ark.video.a.cgt-3", "A", 1200);
    expect(lease).toBeDefined();
    // Past twice its life: only the renewals (every 400 ms) keep it.
    await new Promise((r) => setTimeout(r, 2500));
    expect(await claimDownload(store, "t.ark.video.a.cgt-3", "B", 1200)).toBeUndefined();
    await lease!.release();
    const next = await claimDownload(store, "t.ark.video.a.cgt-3", "B", 1200);
    expect(next).toBeDefined();
    await next!.release();
    await store.close();
  });

  it("says this process is alive and a stranger is not", async () => {
    const store = await open();
    expect(await store.ownerAlive(store.owner())).toBe(true);
    expect(await store.ownerAlive({ pid: 999_999_999, boot: "gone" })).toBe(false);
    await store.close();
  });
});

describe("retention", () => {
  it("Redis: a record expires AIGC_MCP_JOB_RETENTION_DAYS after its last write", async () => {
    const store = await RedisJobStore.connect({ url: redis.url, prefix: "ret:", retentionDays: 7 });
    await store.save(record("t.ark.video.a.cgt-9", new Date().toISOString()));
    const keys = await redis.client.keys("ret:job:*");
    expect(keys).toHaveLength(1);
    const ttl = await redis.client.pttl(keys[0]!);
    expect(ttl).toBeGreaterThan(7 * 86_400_000 - 60_000);
    expect(ttl).toBeLessThanOrEqual(7 * 86_400_000);
    await store.close();
  });

  it("Redis: sweep drops a generated file's name and size past the retention, not a newer one's", async () => {
    const store = await RedisJobStore.connect({ url: redis.url, prefix: "ret-media:", retentionDays: 7 });
    const asset = (n: number) => ({ uri: `media://files/out-${n}.png`, mime_type: "image/png", bytes: 100 + n, sha256: "x" });
    await store.save(record("t.ark.image.a.cgt-m", new Date().toISOString(), { status: "succeeded", assets: [asset(1), asset(2)] }));
    expect(await redis.client.hgetall("ret-media:media-bytes")).toEqual({ "out-1.png": "101", "out-2.png": "102" });
    await redis.client.zadd("ret-media:media", String(Date.now() - 8 * 86_400_000), "out-1.png"); // saved 8 days ago
    expect(await store.generatedFile("out-1.png")).toBeUndefined();
    await store.sweep();
    expect(await redis.client.hgetall("ret-media:media-bytes")).toEqual({ "out-2.png": "102" });
    expect(await redis.client.hgetall("ret-media:media-storage")).toEqual({ "out-2.png": "local" });
    expect(await redis.client.zrange("ret-media:media", "0", "-1")).toEqual(["out-2.png"]);
    expect(await store.generatedFile("out-2.png")).toEqual({ name: "out-2.png", bytes: 102, storage: "local" });
    await store.close();
  });

  it("Redis: sizes and storage missing from media-bytes and media-storage (outputs saved before they existed) are filled in from the records", async () => {
    const store = await RedisJobStore.connect({ url: redis.url, prefix: "fill:", retentionDays: 7 });
    // One millisecond throughout, as on a fast machine (CI failed so): a scan that started in the millisecond a
    // name was read may have missed its record, and the steps below each need a scan of their own.
    const clock = vi.spyOn(Date, "now").mockReturnValue(Date.now());
    const asset = (n: number) => ({ uri: `media://files/old-${n}.png`, mime_type: "image/png", bytes: 200 + n, sha256: "x" });
    const inBucket = (n: number) => ({ ...asset(n), storage: "s3" as const });
    await store.save(record("t.ark.image.a.cgt-f", new Date().toISOString(), { status: "succeeded", assets: [asset(1), inBucket(2)] }));
    await redis.client.del("fill:media-bytes", "fill:media-storage"); // as an earlier version left them
    expect(await store.generatedFile("old-1.png")).toEqual({ name: "old-1.png", bytes: 201, storage: "local" });
    expect(await redis.client.hgetall("fill:media-bytes")).toEqual({ "old-1.png": "201", "old-2.png": "202" });
    expect(await redis.client.hgetall("fill:media-storage")).toEqual({ "old-1.png": "local", "old-2.png": "s3" });
    expect(await store.recentMedia(10)).toEqual([
      { name: "old-2.png", bytes: 202, storage: "s3" },
      { name: "old-1.png", bytes: 201, storage: "local" },
    ]);
    // An older replica still running saves another right after that scan: its first read scans again.
    await store.save(record("t.ark.image.a.cgt-g", new Date().toISOString(), { status: "succeeded", assets: [inBucket(3)] }));
    await redis.client.hdel("fill:media-bytes", "old-3.png");
    await redis.client.hdel("fill:media-storage", "old-3.png");
    expect(await store.recentMedia(1)).toEqual([{ name: "old-3.png", bytes: 203, storage: "s3" }]);
    await redis.client.hdel("fill:media-bytes", "old-3.png");
    await redis.client.hdel("fill:media-storage", "old-3.png");
    expect(await store.generatedFile("old-3.png")).toEqual({ name: "old-3.png", bytes: 203, storage: "s3" });
    // The version just before media-storage wrote sizes only: where it kept them is filled in too.
    await redis.client.hdel("fill:media-storage", "old-3.png");
    expect(await store.generatedFile("old-3.png")).toEqual({ name: "old-3.png", bytes: 203, storage: "s3" });
    // A size or storage an older version's sweep left without its name goes with the next sweep.
    await redis.client.hset("fill:media-bytes", "swept-by-an-older-version.png", "7");
    await redis.client.hset("fill:media-storage", "swept-by-an-older-version.png", "s3");
    await store.sweep();
    expect(await redis.client.hkeys("fill:media-bytes")).not.toContain("swept-by-an-older-version.png");
    expect(await redis.client.hkeys("fill:media-storage")).not.toContain("swept-by-an-older-version.png");
    expect(await redis.client.hlen("fill:media-bytes")).toBe(3);
    expect(await redis.client.hlen("fill:media-storage")).toBe(3);
    clock.mockRestore();
    await store.close();
  });

  it("output folder: sweep removes lease generations not written for half an hour, not newer or held ones", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const store = new FileJobStore(dir, 7);
    const leases = join(dir, ".aigc-mcp", "leases");
    expect(await store.acquire("done-long-ago", "me", 30_000)).toBe(true);
    await store.drop("done-long-ago", "me");
    expect(await store.acquire("done-recently", "me", 30_000)).toBe(true);
    await store.drop("done-recently", "me");
    expect(await store.acquire("held", "me", 30_000)).toBe(true);
    const ago = (ms: number) => new Date(Date.now() - ms);
    const age = (name: string, ms: number) => {
      for (const f of readdirSync(join(leases, name))) utimesSync(join(leases, name, f), ago(ms), ago(ms));
    };
    age("done-long-ago", 31 * 60_000);
    age("done-recently", 29 * 60_000);
    await store.sweep();
    expect(
      readdirSync(leases)
        .map((n) => n.replace(/\.\d+\.json$/, ""))
        .sort(),
    ).toEqual(["done-recently", "held"]);
    // a removed lease is free: the next holder starts its chain again
    expect(await store.acquire("done-long-ago", "other", 30_000)).toBe(true);
    expect(await store.acquire("held", "other", 30_000)).toBe(false);
  });

  it("output folder: sweep removes the temp files of writes whose process died (zero-byte ones too), not fresh ones, even when a later step fails", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const store = new FileJobStore(dir, 7);
    await store.save(record("t.ark.video.a.cgt-kept", new Date().toISOString()));
    const aigc = join(dir, ".aigc-mcp");
    const temps = [
      "jobs/abc.json.1a2b3c4d.tmp",
      "leases/.0a1b2c3d4e5f.tmp",
      "keys/.0a1b2c3d4e5f.tmp",
      "spend/.0a1b2c3d4e5f.tmp",
      "spend/ended/.0a1b2c3d4e5f.tmp",
    ];
    const hourAgo = new Date(Date.now() - 2 * 3600_000);
    for (const t of temps) {
      mkdirSync(join(aigc, t, ".."), { recursive: true });
      // A process killed mid-write leaves a zero-byte temp, or one partly written.
      writeFileSync(join(aigc, t), t.startsWith("jobs/") ? "" : "{");
      utimesSync(join(aigc, t), hourAgo, hourAgo);
    }
    writeFileSync(join(aigc, "keys", ".fresh00000000.tmp"), "{");
    // A later step of the sweep that fails (here the idempotency keys') leaves no temp behind.
    vi.spyOn((store as unknown as { keyFiles: { sweep(): Promise<number> } }).keyFiles, "sweep").mockRejectedValueOnce(
      new Error("EACCES: keys folder unreadable"),
    );
    await expect(store.sweep()).rejects.toThrow(/EACCES/);
    for (const t of temps) expect(existsSync(join(aigc, t)), t).toBe(false);
    expect(existsSync(join(aigc, "keys", ".fresh00000000.tmp"))).toBe(true);
    expect((await store.list(10)).map((r) => r.job_id)).toEqual(["t.ark.video.a.cgt-kept"]);
  });

  it("output folder: sweep removes records not updated for the retention period", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const store = new FileJobStore(dir, 7);
    const old = new Date(Date.now() - 8 * 86_400_000).toISOString();
    const recent = new Date(Date.now() - 6 * 86_400_000).toISOString();
    await store.save(record("t.ark.video.a.cgt-old", old));
    await store.save(record("t.ark.video.a.cgt-recent", recent));
    expect(await store.sweep()).toBe(1);
    expect((await store.list(10)).map((r) => r.job_id)).toEqual(["t.ark.video.a.cgt-recent"]);
  });
});

describe("the output folder's record files", () => {
  /** Open file descriptors of this process now. */
  const openFiles = () => readdirSync("/proc/self/fd").length;

  it("are read and written a bounded number at a time, however many a burst or a listing touches", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const writer = new FileJobStore(dir, 30);
    const at = new Date().toISOString();
    const base = openFiles();
    let peak = 0;
    const sample = setInterval(() => (peak = Math.max(peak, openFiles() - base)), 0);
    try {
      await Promise.all(Array.from({ length: 600 }, (_, i) => writer.save(record(`k.ark.video.a.burst-${i}`, at))));
      // A new store has no parsed records: listing reads every file.
      expect(await new FileJobStore(dir, 30).list(1000)).toHaveLength(600);
    } finally {
      clearInterval(sample);
    }
    // 32 at once, and what the test's own sampling and the libuv pool hold besides.
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(48);
  });
});

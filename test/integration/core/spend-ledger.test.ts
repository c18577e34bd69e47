/**
 * The spend ledger and idempotency keys (issue 14 items 5 and 7), one contract run against both
 * job-store backends: the output folder and a real redis-server started by the test. "Another
 * process" is a second store opened on the same folder or Redis prefix (the two-process race is
 * test/e2e/spend-race.test.ts).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { SpendLimit } from "../../../src/cost/config.js";
import type { Reservation } from "../../../src/cost/ledger.js";
import { ReservationEnds } from "../../../src/cost/file-ends.js";
import { idHash, keyHash } from "../../../src/cost/spend.js";
import { FileJobStore } from "../../../src/jobs/file-store.js";
import { Generations } from "../../../src/jobs/generations.js";
import { registerSecret } from "../../../src/log.js";
import { RedisJobStore } from "../../../src/jobs/redis-store.js";
import type { JobStore } from "../../../src/jobs/store.js";
import { tempDir } from "../../helpers/harness.js";
import { startRedis, type TestRedis } from "../../helpers/redis.js";

let redis: TestRedis;
const dirs: string[] = [];
const open: JobStore[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(open.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await redis.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A fresh shared place, and a way to open a store on it (each store as another process would). */
type Backend = () => () => Promise<JobStore>;
let n = 0;
const backends: Array<[string, Backend]> = [
  [
    "output folder",
    () => {
      const dir = tempDir();
      dirs.push(dir);
      return () => Promise.resolve(new FileJobStore(dir, 30)).then((s) => (open.push(s), s));
    },
  ],
  [
    "Redis",
    () => {
      const prefix = `l${++n}:`;
      return () => RedisJobStore.connect({ url: redis.url, prefix, retentionDays: 30, heartbeatMs: 300 }).then((s) => (open.push(s), s));
    },
  ],
];

const TZ = "Asia/Shanghai";
const NOW = new Date("2026-11-30T04:00:00Z"); // 12:00 in Shanghai
const daily5: SpendLimit = { period: "daily", amount: 5, currency: "CNY" };
let ids = 0;

function req(store: JobStore, over: Partial<Parameters<JobStore["spend"]["reserve"]>[0]> = {}) {
  return store.spend.reserve({
    id: `call-${++ids}`,
    vendor: "ark",
    currency: "CNY",
    amount: 1,
    priced: true,
    limits: [daily5],
    timezone: TZ,
    now: NOW,
    ...over,
  });
}

async function held(store: JobStore, over: Parameters<typeof req>[1] = {}): Promise<Reservation> {
  const r = await req(store, over);
  if (!r.ok) throw new Error(`refused: ${JSON.stringify(r.refusal)}`);
  return r.reservation;
}

describe.each(backends)("spend ledger: %s", (_name, backend) => {
  it("holds reservations up to the limit, then refuses naming the limit, what is spent and held, and when it resets", async () => {
    const store = await backend()();
    const first = await held(store, { amount: 2 });
    expect(first).toMatchObject({ vendor: "ark", currency: "CNY", amount: 2, priced: true, day: "2026-11-30", month: "2026-11" });
    await store.spend.settle(first);
    await held(store, { amount: 2.5 });
    const no = await req(store, { amount: 0.51 });
    expect(no).toEqual({
      ok: false,
      refusal: { limit: daily5, spent: 2, reserved: 2.5, wanted: 0.51, resetsAt: "2026-12-01T00:00:00+08:00" },
    });
    // Exactly to the limit fits (amounts are exact, not floating-point sums).
    expect((await req(store, { amount: 0.5 })).ok).toBe(true);
  });

  it("takes exactly the room there is when 20 calls reserve at once", async () => {
    const store = await backend()();
    const results = await Promise.all(Array.from({ length: 20 }, () => req(store)));
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    const refused = results.filter((r) => !r.ok);
    expect(refused).toHaveLength(15);
    for (const r of refused) expect(r.refusal).toMatchObject({ limit: daily5, spent: 0, reserved: 5, wanted: 1 });
  });

  it("settles with the actual cost when the vendor reported one, and release frees the room", async () => {
    const store = await backend()();
    const a = await held(store, { amount: 3 });
    await store.spend.settle(a, 1.25);
    const b = await held(store, { amount: 3.75 });
    expect((await req(store, { amount: 0.01 })).ok).toBe(false);
    await store.spend.release(b);
    expect((await req(store, { amount: 3.75 })).ok).toBe(true);
    const [row] = await store.spend.report("2026-11-30", "2026-11-30");
    expect(row).toEqual({ day: "2026-11-30", vendor: "ark", currency: "CNY", spent: 1.25, reserved: 3.75, calls: 2, unpriced: 0 });
  });

  it("rounds amounts of less than a micro-unit up, never down, and a limit down", async () => {
    const store = await backend()();
    // 39 chat calls of ¥0.0000784 each: rounded to the nearest micro-yuan the ledger said ¥0.003042 for ¥0.0030576.
    for (let i = 0; i < 39; i++) await store.spend.settle(await held(store, { amount: 0.0000104, limits: [] }), 0.0000784);
    const [row] = await store.spend.report("2026-11-30", "2026-11-30");
    expect(row!.spent).toBeGreaterThanOrEqual(39 * 0.0000784);
    expect(row!.spent).toBeCloseTo(39 * 0.000079, 9);
    // A limit of ¥0.0000015 holds one micro-yuan's worth, not two.
    const tiny: SpendLimit = { period: "daily", amount: 0.0000015, currency: "CNY", vendor: "kling" };
    expect((await req(store, { vendor: "kling", amount: 0.000001, limits: [tiny] })).ok).toBe(true);
    expect((await req(store, { vendor: "kling", amount: 0.0000001, limits: [tiny] })).ok).toBe(false);
  });

  it("settles and releases a reservation once, whichever process sees its end, and never releases one settled", async () => {
    const shared = backend();
    const [s1, s2] = [await shared(), await shared()];
    const a = await held(s1, { amount: 2 });
    await Promise.all([s1.spend.settle(a, 2), s2.spend.settle(a, 2), s1.spend.settle(a, 2), s2.spend.settle(a, 2)]);
    await Promise.all([s1.spend.release(a), s2.spend.release(a)]);
    const b = await held(s2, { amount: 1 });
    await Promise.all([s1.spend.release(b), s2.spend.release(b)]);
    await s1.spend.settle(b, 1);
    expect(await s2.spend.report("2026-11-30", "2026-11-30")).toEqual([
      { day: "2026-11-30", vendor: "ark", currency: "CNY", spent: 2, reserved: 0, calls: 1, unpriced: 0 },
    ]);
  });

  it("counts a reservation retried with the same id once", async () => {
    const store = await backend()();
    const a = await held(store, { id: "same-call", amount: 4 });
    expect(await held(store, { id: "same-call", amount: 4 })).toEqual(a);
    expect((await req(store, { amount: 1 })).ok).toBe(true);
  });

  it("applies a vendor's own limits to it and the all-vendor limits to the sum over vendors, per currency", async () => {
    const store = await backend()();
    const limits: SpendLimit[] = [
      { period: "daily", amount: 3, currency: "CNY", vendor: "kling" },
      { period: "daily", amount: 5, currency: "CNY" },
      { period: "monthly", amount: 1, currency: "USD" },
    ];
    await held(store, { vendor: "kling", amount: 3, limits });
    const kling = await req(store, { vendor: "kling", amount: 0.5, limits });
    expect(kling).toMatchObject({ ok: false, refusal: { limit: limits[0], spent: 0, reserved: 3 } });
    await held(store, { vendor: "ark", amount: 2, limits });
    expect(await req(store, { vendor: "ark", amount: 0.5, limits })).toMatchObject({
      ok: false,
      refusal: { limit: limits[1], reserved: 5 },
    });
    // Dollars are counted apart from yuan.
    await held(store, { vendor: "gateway", currency: "USD", amount: 1, limits });
    expect(await req(store, { vendor: "ark", currency: "USD", amount: 0.01, limits })).toMatchObject({
      ok: false,
      refusal: { limit: limits[2], reserved: 1, resetsAt: "2026-12-01T00:00:00+08:00" },
    });
  });

  it("sums a monthly limit over the month's days, and a new day starts a daily one again", async () => {
    const store = await backend()();
    const limits: SpendLimit[] = [daily5, { period: "monthly", amount: 8, currency: "CNY" }];
    await store.spend.settle(await held(store, { amount: 5, limits, now: new Date("2026-11-29T04:00:00Z") }));
    expect((await req(store, { amount: 1, limits, now: new Date("2026-11-29T05:00:00Z") })).ok).toBe(false);
    await held(store, { amount: 3, limits });
    expect(await req(store, { amount: 1, limits })).toMatchObject({
      ok: false,
      refusal: { limit: limits[1], spent: 5, reserved: 3, resetsAt: "2026-12-01T00:00:00+08:00" },
    });
    // December is a new month.
    expect((await req(store, { amount: 5, limits, now: new Date("2026-12-01T01:00:00Z") })).ok).toBe(true);
  });

  it("counts unpriced calls apart and adds what the vendor reported for them", async () => {
    const store = await backend()();
    const u = await held(store, { amount: 0, priced: false });
    expect(u.amount).toBe(0);
    await store.spend.settle(u, 0.4);
    await held(store, { amount: 0, priced: false, vendor: "kling" });
    expect(await store.spend.report("2026-11-30", "2026-11-30")).toEqual([
      { day: "2026-11-30", vendor: "ark", currency: "CNY", spent: 0.4, reserved: 0, calls: 0, unpriced: 1 },
      { day: "2026-11-30", vendor: "kling", currency: "CNY", spent: 0, reserved: 0, calls: 0, unpriced: 1 },
    ]);
  });

  it("reports spend by day, vendor and currency, oldest first, within the range asked", async () => {
    const store = await backend()();
    const at = (iso: string) => new Date(iso);
    await store.spend.settle(await held(store, { vendor: "kling", amount: 1, now: at("2026-10-31T10:00:00Z") }));
    await store.spend.settle(await held(store, { vendor: "kling", amount: 2, now: at("2026-11-01T10:00:00Z") }), 1.5);
    await held(store, { vendor: "ark", amount: 1, now: at("2026-11-01T11:00:00Z") });
    await store.spend.settle(await held(store, { vendor: "ark", currency: "USD", amount: 0.2, now: at("2026-11-01T12:00:00Z") }));
    await store.spend.settle(await held(store, { vendor: "ark", amount: 1, now: at("2026-11-03T12:00:00Z") }));
    expect(await store.spend.report("2026-10-31", "2026-11-02")).toEqual([
      { day: "2026-10-31", vendor: "kling", currency: "CNY", spent: 1, reserved: 0, calls: 1, unpriced: 0 },
      { day: "2026-11-01", vendor: "ark", currency: "CNY", spent: 0, reserved: 1, calls: 1, unpriced: 0 },
      { day: "2026-11-01", vendor: "ark", currency: "USD", spent: 0.2, reserved: 0, calls: 1, unpriced: 0 },
      { day: "2026-11-01", vendor: "kling", currency: "CNY", spent: 1.5, reserved: 0, calls: 1, unpriced: 0 },
    ]);
    expect(await store.spend.report("2026-11-04", "2026-11-30")).toEqual([]);
  });
});

describe.each(backends)("idempotency keys: %s", (_name, backend) => {
  const owner = { pid: process.pid, boot: "test" };
  const claim = { fingerprint: "f1", tool: "seedance_generate_video", owner, claim: "c1" };

  it("gives a key to exactly one of many concurrent claims across processes; the others get its entry", async () => {
    const shared = backend();
    const [s1, s2] = [await shared(), await shared()];
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? s1 : s2).keys.claim("retry-1", claim)));
    expect(results.filter((r) => r.claimed)).toHaveLength(1);
    for (const r of results.filter((r) => !r.claimed))
      expect(r).toMatchObject({ claimed: false, entry: { fingerprint: "f1", tool: "seedance_generate_video", state: "pending", owner } });
  });

  it("records the job a claimed call made, or its whole result, for any process to read", async () => {
    const shared = backend();
    const [s1, s2] = [await shared(), await shared()];
    expect(await s1.keys.claim("k-job", claim)).toEqual({ claimed: true });
    await s1.keys.complete("k-job", { job_id: "t.ark.video.a.cgt-1" });
    expect(await s2.keys.get("k-job")).toMatchObject({ state: "done", job_id: "t.ark.video.a.cgt-1", fingerprint: "f1" });
    expect(await s2.keys.claim("k-job", { ...claim, fingerprint: "f2" })).toMatchObject({
      claimed: false,
      entry: { state: "done", job_id: "t.ark.video.a.cgt-1", fingerprint: "f1" },
    });
    expect(await s1.keys.claim("k-result", claim)).toEqual({ claimed: true });
    const result = JSON.stringify({ content: [{ type: "text", text: "x".repeat(1000) }] });
    await s1.keys.complete("k-result", { result });
    expect((await s2.keys.get("k-result"))?.result).toBe(result);
  });

  it("keeps a result without the credentials in it, as job records are kept", async () => {
    const store = await backend()();
    registerSecret("sk-ledger-test-secret-0123456789");
    await store.keys.claim("k-secret", claim);
    const result = JSON.stringify({ content: [{ type: "text", text: 'echo "sk-ledger-test-secret-0123456789", Bearer abcdefghijkl' }] });
    await store.keys.complete("k-secret", { result });
    const kept = (await store.keys.get("k-secret"))?.result;
    expect(kept).not.toContain("sk-ledger-test-secret");
    expect(kept).not.toContain("abcdefghijkl");
    expect(JSON.parse(kept!)).toEqual({ content: [{ type: "text", text: 'echo "[redacted]", Bearer [redacted]' }] });
  });

  it("refuses to keep a result over 256 KiB, saying so", async () => {
    const store = await backend()();
    await store.keys.claim("k-big", claim);
    await expect(store.keys.complete("k-big", { result: "x".repeat(256 * 1024 + 1) })).rejects.toThrow(/257 KiB, over the 256 KiB/);
    await store.keys.complete("k-big", { result: "x".repeat(256 * 1024) });
    expect((await store.keys.get("k-big"))?.state).toBe("done");
  });

  it("frees a key whose call was given up, but never one that made its job", async () => {
    const store = await backend()();
    await store.keys.claim("k-forget", claim);
    await store.keys.forget("k-forget", "c1");
    expect(await store.keys.get("k-forget")).toBeUndefined();
    expect(await store.keys.claim("k-forget", claim)).toEqual({ claimed: true });
    await store.keys.complete("k-forget", { job_id: "j" });
    await store.keys.forget("k-forget", "c1");
    expect(await store.keys.get("k-forget")).toMatchObject({ state: "done", job_id: "j" });
  });

  it("gives up a claim only while it is still that call's: another call's claim of the same key stays", async () => {
    const store = await backend()();
    await store.keys.claim("k-theirs", { ...claim, claim: "theirs" });
    await store.keys.forget("k-theirs", "mine");
    expect(await store.keys.get("k-theirs")).toMatchObject({ state: "pending", claim: "theirs" });
    await store.keys.forget("k-theirs", "theirs");
    expect(await store.keys.get("k-theirs")).toBeUndefined();
  });

  it("frees a key bound to the job named (refused unbilled), and only that job's", async () => {
    const store = await backend()();
    await store.keys.claim("k-job", claim);
    await store.keys.forgetJob("k-job", "j1"); // still pending: no job of its own yet
    expect(await store.keys.get("k-job")).toMatchObject({ state: "pending" });
    await store.keys.complete("k-job", { job_id: "j1" });
    await store.keys.forgetJob("k-job", "j2");
    expect(await store.keys.get("k-job")).toMatchObject({ state: "done", job_id: "j1" });
    await store.keys.forgetJob("k-job", "j1");
    expect(await store.keys.get("k-job")).toBeUndefined();
    expect(await store.keys.claim("k-job", claim)).toEqual({ claimed: true });
  });
});

describe("where the ledger and the keys are kept, and for how long", () => {
  const owner = { pid: process.pid, boot: "test" };
  const claim = { fingerprint: "f1", tool: "t", owner, claim: "c1" };

  it("Redis: days 400 days, settle markers 7 days, keys 24 hours after the claim, the key itself hashed", async () => {
    const store = await RedisJobStore.connect({ url: redis.url, prefix: "keep:", retentionDays: 30 });
    open.push(store);
    const r = await held(store);
    await store.spend.settle(r);
    await store.keys.claim("my secret-looking key", claim);
    await store.keys.complete("my secret-looking key", { job_id: "j" });
    const keys = (await redis.client.keys("keep:*")).filter((k) => !k.startsWith("keep:proc:")).sort();
    expect(keys).toEqual([
      "keep:idem:" + (await import("node:crypto")).createHash("sha256").update("my secret-looking key").digest("hex"),
      "keep:spend:d:2026-11-30",
      "keep:spend:id:" + (await import("node:crypto")).createHash("sha256").update(r.id).digest("hex").slice(0, 32),
      "keep:spend:m:2026-11",
    ]);
    const ttl = async (k: string) => (await redis.client.pttl(k)) / 86_400_000;
    expect(await ttl("keep:spend:d:2026-11-30")).toBeCloseTo(400, 2);
    expect(await ttl("keep:spend:m:2026-11")).toBeCloseTo(400, 2);
    expect(await ttl(keys[2]!)).toBeCloseTo(7, 2);
    // Completing keeps the expiry of the claim.
    expect(await ttl(keys[0]!)).toBeCloseTo(1, 2);
  });

  it("output folder: the hourly sweep drops months 400 days gone, reservations' ends after 7 days and keys dead for an hour", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const t0 = Date.now();
    const store = new FileJobStore(dir, 30);
    const r = await held(store, { now: new Date("2025-09-15T04:00:00Z") });
    await store.spend.settle(r);
    const kept = await held(store);
    await store.spend.settle(kept);
    await store.keys.claim("my secret-looking key", claim);
    const files = (sub: string) => readdirSync(join(dir, ".aigc-mcp", sub)).sort();
    // One value per month, at its second generation (reserved, then settled), and each end in a file
    // of its own under its budget day, named by the reservation id's hash.
    expect(files("spend")).toEqual(["2025-09.2.json", "2026-11.2.json", "ended"]);
    expect(files("spend/ended")).toEqual(["2025-09-15", "2026-11-30"]);
    expect(files("spend/ended/2026-11-30")).toEqual([`${idHash(kept.id)}.json`]);
    const ended = () => files("spend/ended").flatMap((d) => files(`spend/ended/${d}`));
    expect(files("keys")).toHaveLength(1);
    expect(files("keys")[0]).not.toContain("secret");
    // A folder per key (its generations inside), named by the key's hash.
    expect(readdirSync(join(dir, ".aigc-mcp", "keys", files("keys")[0]!))).toEqual(["1.json"]);
    expect(readFileSync(join(dir, ".aigc-mcp", "keys", files("keys")[0]!, "1.json"), "utf8")).not.toContain("secret");

    vi.useFakeTimers({ toFake: ["Date"] });
    // Twenty-four hours and a bit: the key is dead but another claim could be reading it.
    vi.setSystemTime(Date.now() + 86_400_000 + 60_000);
    await store.sweep();
    expect(files("keys")).toHaveLength(1);
    expect(await store.keys.get("my secret-looking key")).toBeUndefined();
    vi.setSystemTime(Date.now() + 3600_000);
    await store.sweep();
    expect(files("keys")).toHaveLength(0);

    vi.setSystemTime(t0 + 7 * 86_400_000 - 60_000);
    await store.sweep();
    expect(ended()).toHaveLength(2);
    vi.setSystemTime(t0 + 7 * 86_400_000 + 60_000);
    await store.sweep();
    expect(files("spend/ended")).toEqual([]);

    // 400 days after September 2025 ended (2026-10-01 + 400 days).
    vi.setSystemTime(new Date("2027-11-06T00:00:00Z"));
    await store.sweep();
    expect(files("spend").map((f) => f.slice(0, 7))).toEqual(["2026-11", "ended"]);
    const month = JSON.parse(readFileSync(join(dir, ".aigc-mcp", "spend", files("spend")[0]!), "utf8")) as { ids: object };
    expect(month.ids).toEqual({});
  });

  it("output folder: a month holds only the calls running, however many ended", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const store = new FileJobStore(dir, 30);
    const rs = await Promise.all(Array.from({ length: 300 }, () => held(store, { amount: 0.01, limits: [] })));
    const running = rs.pop()!;
    await Promise.all(rs.map((r, i) => (i % 3 ? store.spend.settle(r) : store.spend.release(r))));
    const month = () => {
      const f = readdirSync(join(dir, ".aigc-mcp", "spend")).find((n) => n.startsWith("2026-11."))!;
      return readFileSync(join(dir, ".aigc-mcp", "spend", f), "utf8");
    };
    // Only the one still held; before, every ended call stayed in the month (and its every write) for 7 days.
    expect(Object.keys((JSON.parse(month()) as { ids: object }).ids)).toEqual([idHash(running.id)]);
    expect(month().length).toBeLessThan(600); // the one held, its process's stamp, and the day's counters
    expect(await store.spend.report("2026-11-30", "2026-11-30")).toEqual([
      { day: "2026-11-30", vendor: "ark", currency: "CNY", spent: 1.99, reserved: 0.01, calls: 200, unpriced: 0 },
    ]);
  });

  it("output folder: reservations no limit can refuse and ends share month writes; a limit check writes them at once", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const store = new FileJobStore(dir, 30);
    const spend = join(dir, ".aigc-mcp", "spend");
    const top = () =>
      Math.max(
        0,
        ...(existsSync(spend) ? readdirSync(spend) : []).filter((n) => n.startsWith("2026-11.")).map((n) => Number(n.split(".")[1])),
      );
    // No timer fires in this test: a write held back starts only through writeNow.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      // As calls no limit applies to make them: answered at once, written while the calls go on.
      const rs = await Promise.all(Array.from({ length: 20 }, () => held(store, { amount: 0.2, limits: [], background: true })));
      for (const r of rs) void store.spend.settle(r);
      // Time enough for a write to land (the code before wrote each batch at once): none does.
      for (let i = 0; i < 300 && top() === 0; i++) await new Promise((r) => setImmediate(r));
      expect(top()).toBe(0);
      // A call with a limit sees every one of them spent (20 × 0.2 of the 5) without waiting for their window.
      expect((await req(store, { amount: 1.01 })).ok).toBe(false);
      // 20 reservations, 20 ends and a refusal: a few writes, not one per change.
      expect(top()).toBeLessThanOrEqual(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it("output folder: an end whose process died before its month write is applied by the sweep an hour later, once", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const [a, b] = [new FileJobStore(dir, 30), new FileJobStore(dir, 30)];
    const r = await held(a, { amount: 2 });
    // The process that settled it recorded the end, then died.
    const ends = new ReservationEnds(join(dir, ".aigc-mcp", "spend", "ended"));
    const end = { s: "s" as const, at: Date.now(), vendor: "ark", currency: "CNY" as const, priced: true, held: 2e6, spent: 1.5e6 };
    expect(await ends.record(r.day, idHash(r.id), end)).toBe(true);
    const today = () => b.spend.report("2026-11-30", "2026-11-30");
    const spend = (spent: number, reserved: number) => [
      { day: "2026-11-30", vendor: "ark", currency: "CNY", spent, reserved, calls: 1, unpriced: 0 },
    ];
    // Another process seeing the end again changes nothing: the end is taken.
    await b.spend.settle(r, 2);
    await b.spend.release(r);
    expect(await today()).toEqual(spend(0, 2));
    await b.sweep();
    expect(await today()).toEqual(spend(0, 2));
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 61 * 60_000);
    await b.sweep();
    await a.sweep();
    expect(await today()).toEqual(spend(1.5, 0));
  });

  it("output folder: an end file that is not a whole end counts as settled at what was held, and limits still hold", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const store = new FileJobStore(dir, 30);
    const bad = [
      '{"s":"s","spent":"lots"}',
      "{}",
      "",
      '{"s":"x","at":1,"vendor":"ark|x","currency":"CNY","priced":true,"held":1,"spent":0}',
    ];
    const rs = await Promise.all(bad.map(() => held(store, { amount: 1 })));
    // Each as a process that died mid-write, or someone with write access to the folder, left it.
    rs.forEach((r, i) => {
      const folder = join(dir, ".aigc-mcp", "spend", "ended", r.day);
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, `${idHash(r.id)}.json`), bad[i]!);
    });
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 61 * 60_000);
    await store.sweep();
    expect(await store.spend.report("2026-11-30", "2026-11-30")).toEqual([
      { day: "2026-11-30", vendor: "ark", currency: "CNY", spent: 4, reserved: 0, calls: 4, unpriced: 0 },
    ]);
    expect((await req(store, { amount: 1 })).ok).toBe(true);
    expect((await req(store, { amount: 0.01 })).ok).toBe(false);
    // Ends are written whole (a temp file linked into place): none is left behind.
    const r = await held(store, { amount: 0, limits: [] });
    await store.spend.release(r);
    expect(readdirSync(join(dir, ".aigc-mcp", "spend", "ended")).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });

  it("output folder: what an earlier release ended in the month stays ended after the upgrade, and what it held ends once", async () => {
    const dir = tempDir();
    dirs.push(dir);
    // What releases up to 2026-12-01 wrote: ended reservations kept in the month, without amounts.
    const earlier = new Generations<object>(join(dir, ".aigc-mcp", "spend"));
    const at = Date.now();
    const ids = { [idHash("old-settled")]: { s: "s", at, day: "2026-11-30" }, [idHash("old-held")]: { s: "r", at, day: "2026-11-30" } };
    const rows = { "2026-11-30|ark|CNY": { spent: 2e6, reserved: 1e6, calls: 2, unpriced: 0 } };
    expect(await earlier.write("2026-11", 0, { rows, ids })).toBe(true);
    const store = new FileJobStore(dir, 30);
    const reservation = (id: string): Reservation => ({
      id,
      vendor: "ark",
      currency: "CNY",
      amount: 1,
      priced: true,
      day: "2026-11-30",
      month: "2026-11",
    });
    await store.spend.settle(reservation("old-settled"), 5);
    await store.spend.release(reservation("old-settled"));
    await store.spend.settle(reservation("old-held"), 1.5);
    await store.spend.release(reservation("old-held"));
    expect(await store.spend.report("2026-11-30", "2026-11-30")).toEqual([
      { day: "2026-11-30", vendor: "ark", currency: "CNY", spent: 3.5, reserved: 0, calls: 2, unpriced: 0 },
    ]);
  });

  it("output folder: a key an earlier release kept (one folder of files) still holds after the upgrade, then moves into its folder", async () => {
    const dir = tempDir();
    dirs.push(dir);
    // What releases up to 2026-12-01 wrote: `<sha256 of the key>.<n>.json` side by side in keys/.
    const earlier = new Generations<object>(join(dir, ".aigc-mcp", "keys"));
    const entry = { ...claim, state: "done", job_id: "j-before", created_at: new Date().toISOString() };
    expect(await earlier.write(keyHash("retried key"), 0, entry)).toBe(true);
    expect(await earlier.write(keyHash("pending key"), 0, { ...entry, state: "pending", job_id: undefined })).toBe(true);
    const store = new FileJobStore(dir, 30);
    expect(await store.keys.claim("retried key", { ...claim, fingerprint: "f1" })).toMatchObject({
      claimed: false,
      entry: { job_id: "j-before", state: "done" },
    });
    expect(await store.keys.get("retried key")).toMatchObject({ job_id: "j-before" });
    // A claim pending at the upgrade is given up (forgotten) and claimed again: both land in the key's own folder.
    expect(await store.keys.claim("pending key", claim)).toMatchObject({ claimed: false, entry: { state: "pending" } });
    await store.keys.forget("pending key", "c1");
    expect(await store.keys.get("pending key")).toBeUndefined();
    expect(await store.keys.claim("pending key", claim)).toEqual({ claimed: true });
    expect(readdirSync(join(dir, ".aigc-mcp", "keys", keyHash("pending key"))).sort()).toEqual(["2.json"]);
  });

  it("output folder: of two processes claiming a key dead for 40 minutes at once, exactly one gets it", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const a = new FileJobStore(dir, 30);
    const b = new FileJobStore(dir, 30);
    await a.keys.claim("retried", claim);
    await a.keys.forget("retried", "c1"); // given up: dead from now
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 40 * 60_000);
    // b reads the dead entry, then a claims it whole before b writes (as two processes interleave).
    const bKeys = (b as unknown as { keyFiles: { keys: Generations<object> } }).keyFiles.keys;
    const read = bKeys.read.bind(bKeys);
    let aGot: unknown;
    vi.spyOn(bKeys, "read").mockImplementationOnce(async (name) => {
      const cur = await read(name);
      aGot = await a.keys.claim("retried", claim);
      return cur;
    });
    const bGot = await b.keys.claim("retried", claim);
    expect(aGot).toEqual({ claimed: true });
    expect(bGot).toMatchObject({ claimed: false, entry: { state: "pending" } });
  });

  it("output folder: a key claimed 24 hours ago is free again", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const store = new FileJobStore(dir, 30);
    await store.keys.claim("k", claim);
    await store.keys.complete("k", { job_id: "j" });
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 86_400_000 - 60_000);
    expect((await store.keys.claim("k", claim)).claimed).toBe(false);
    vi.setSystemTime(Date.now() + 120_000);
    expect(await store.keys.claim("k", claim)).toEqual({ claimed: true });
    // Long dead (past the sweep's hour, not swept yet): claimed by the generation after it.
    await store.keys.forget("k", "c1");
    vi.setSystemTime(Date.now() + 2 * 3600_000);
    expect(await store.keys.claim("k", claim)).toEqual({ claimed: true });
    expect(await store.keys.get("k")).toMatchObject({ state: "pending" });
  });
});

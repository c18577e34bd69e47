/**
 * Budgets across processes (issue 14, "Done when"): 20 calls of 1.00 CNY reserve at once against
 * `daily:5CNY`, half from this process and half from another node process running the built store
 * on the same output folder or Redis. Exactly 5 get room; the 15 refusals each name the limit,
 * what is spent and held, and when the budget resets.
 */
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SpendLimit } from "../../src/cost/config.js";
import type { ReserveResult } from "../../src/cost/ledger.js";
import { FileJobStore } from "../../src/jobs/file-store.js";
import { RedisJobStore } from "../../src/jobs/redis-store.js";
import type { JobStore } from "../../src/jobs/store.js";
import { tempDir } from "../helpers/harness.js";
import { startRedis, type TestRedis } from "../helpers/redis.js";

const DIST = (p: string) => fileURLToPath(new URL(`../../dist/${p}`, import.meta.url));
const LIMIT: SpendLimit = { period: "daily", amount: 5, currency: "CNY" };
const NOW = "2026-11-30T04:00:00.000Z";
const EACH = 10;

/** The other process: opens the store, waits for the start time, reserves EACH calls at once, prints the results. */
const RACER = `
const [kind, where, start, each, now, limit] = process.argv.slice(1);
const store = kind === "redis"
  ? await (await import(${JSON.stringify(DIST("jobs/redis-store.js"))})).RedisJobStore.connect({ url: where, prefix: "race:", retentionDays: 30 })
  : new (await import(${JSON.stringify(DIST("jobs/file-store.js"))})).FileJobStore(where);
while (Date.now() < Number(start)) {}
const results = await Promise.all(Array.from({ length: Number(each) }, (_, i) => store.spend.reserve({
  id: "child-" + i, vendor: "ark", currency: "CNY", amount: 1, priced: true,
  limits: [JSON.parse(limit)], timezone: "Asia/Shanghai", now: new Date(now),
})));
await store.close();
process.stdout.write(JSON.stringify(results));
`;

function racer(kind: string, where: string, start: number): Promise<ReserveResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [
      "--input-type=module",
      "-e",
      RACER,
      kind,
      where,
      String(start),
      String(EACH),
      NOW,
      JSON.stringify(LIMIT),
    ]);
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(JSON.parse(out) as ReserveResult[]) : reject(new Error(`racer exited ${code}: ${err}`)),
    );
  });
}

async function race(kind: string, where: string, store: JobStore): Promise<ReserveResult[]> {
  const start = Date.now() + 2500; // the other process has started and connected by then
  const other = racer(kind, where, start);
  while (Date.now() < start) await new Promise((r) => setTimeout(r, 1));
  const mine = await Promise.all(
    Array.from({ length: EACH }, (_, i) =>
      store.spend.reserve({
        id: `parent-${i}`,
        vendor: "ark",
        currency: "CNY",
        amount: 1,
        priced: true,
        limits: [LIMIT],
        timezone: "Asia/Shanghai",
        now: new Date(NOW),
      }),
    ),
  );
  return [...mine, ...(await other)];
}

function expectExactlyFive(results: ReserveResult[]): void {
  expect(results).toHaveLength(2 * EACH);
  expect(results.filter((r) => r.ok)).toHaveLength(5);
  const refused = results.flatMap((r) => (r.ok ? [] : [r.refusal]));
  expect(refused).toHaveLength(15);
  for (const r of refused) expect(r).toEqual({ limit: LIMIT, spent: 0, reserved: 5, wanted: 1, resetsAt: "2026-12-01T00:00:00+08:00" });
}

describe("budget reservations raced by two processes", () => {
  let redis: TestRedis;
  const dir = tempDir("aigc-spend-race-");
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("output folder: exactly 5 of 20 fit, 15 clear refusals", async () => {
    const store = new FileJobStore(dir);
    expectExactlyFive(await race("file", dir, store));
    expect(await store.spend.report("2026-11-30", "2026-11-30")).toEqual([
      { day: "2026-11-30", vendor: "ark", currency: "CNY", spent: 0, reserved: 5, calls: 5, unpriced: 0 },
    ]);
  });

  it("Redis: exactly 5 of 20 fit, 15 clear refusals", async () => {
    const store = await RedisJobStore.connect({ url: redis.url, prefix: "race:", retentionDays: 30 });
    try {
      expectExactlyFive(await race("redis", redis.url, store));
      expect(await store.spend.report("2026-11-30", "2026-11-30")).toEqual([
        { day: "2026-11-30", vendor: "ark", currency: "CNY", spent: 0, reserved: 5, calls: 5, unpriced: 0 },
      ]);
    } finally {
      await store.close();
    }
  });
});

/**
 * Budget reservations a server process left when it died mid-call (SpendLedger.endAbandoned, run by
 * the orphan sweep in src/jobs/orphans.ts): one whose call made no job is settled at what it holds,
 * one whose job ended ends as the job did, one whose job runs is left to the job, a live process's
 * and a later one are left; once across processes. Both backends: the output folder (a store whose
 * owner stamp names a process that has exited) and a real redis-server (a store whose heartbeat
 * is gone).
 */
import { dirname, join } from "node:path";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Reservation, ReservationJob } from "../../../src/cost/ledger.js";
import { FileJobStore } from "../../../src/jobs/file-store.js";
import { OrphanJobs } from "../../../src/jobs/orphans.js";
import type { JobOwner } from "../../../src/jobs/owner.js";
import { RedisJobStore } from "../../../src/jobs/redis-store.js";
import type { JobStore } from "../../../src/jobs/store.js";
import type { JobRecord } from "../../../src/jobs/types.js";
import { tempDir } from "../../helpers/harness.js";
import { deadPid } from "../../helpers/owner.js";
import { startRedis, type TestRedis } from "../../helpers/redis.js";

let redis: TestRedis;
const dirs: string[] = [];
const open: JobStore[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await redis.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A shared place: a store on it (as another live process), and one whose process is gone once `die` resolves. */
interface Place {
  live(): Promise<JobStore>;
  dying(): Promise<{ store: JobStore; die(): Promise<void> }>;
}

let n = 0;
const backends: Array<[string, () => Place]> = [
  [
    "output folder",
    () => {
      const dir = tempDir();
      dirs.push(dir);
      return {
        live: () => Promise.resolve(kept(new FileJobStore(dir, 30))),
        dying: () => {
          const owner: JobOwner = { pid: deadPid(), boot: `gone${++n}` };
          const store = kept(
            new (class extends FileJobStore {
              override owner(): JobOwner {
                return owner;
              }
            })(dir, 30),
          );
          return Promise.resolve({ store, die: () => Promise.resolve() });
        },
      };
    },
  ],
  [
    "Redis",
    () => {
      const prefix = `ab${++n}:`;
      const connect = () => RedisJobStore.connect({ url: redis.url, prefix, retentionDays: 30, heartbeatMs: 300 });
      return {
        live: () => connect().then(kept),
        dying: async () => {
          const store = await connect();
          return { store, die: () => store.close() };
        },
      };
    },
  ],
];

function kept<T extends JobStore>(s: T): T {
  open.push(s);
  return s;
}

const NOW = new Date("2026-11-30T04:00:00Z"); // 12:00 in Shanghai
let ids = 0;

async function held(store: JobStore, amount: number, now = NOW): Promise<Reservation> {
  const got = await store.spend.reserve({
    id: `call-${++ids}`,
    vendor: "ark",
    currency: "CNY",
    amount,
    priced: true,
    limits: [{ period: "daily", amount: 100, currency: "CNY" }],
    timezone: "Asia/Shanghai",
    now,
  });
  if (!got.ok) throw new Error("refused");
  return got.reservation;
}

const day = (store: JobStore) => store.spend.report("2026-11-30", "2026-11-30");

describe.each(backends)("reservations of a process that died mid-call: %s", (_name, backend) => {
  it("end as their jobs ended, or spent when they made none, once, leaving running jobs', live processes' and later ones", async () => {
    const place = backend();
    const [a, b] = [await place.live(), await place.live()];
    const dying = await place.dying();
    const gone = dying.store;
    await held(gone, 1); // a call that made no job
    const running = await held(gone, 2);
    const released = await held(gone, 3);
    const reported = await held(gone, 4);
    const after = await held(gone, 8, new Date(NOW.getTime() + 60_000));
    const live = await held(a, 0.5);
    await dying.die();
    const jobs = new Map<string, ReservationJob>([
      [running.id, "running"],
      [released.id, { settled: "released" }],
      [reported.id, { settled: "spent", actual: 2.5 }],
    ]);
    const before = NOW.getTime() + 1000;
    const [x, y] = await Promise.all([a.spend.endAbandoned(jobs, before), b.spend.endAbandoned(jobs, before)]);
    expect(x + y).toBe(3);
    // noJob spent at what it held (1), reported at its actual (2.5); released gone from the calls.
    expect(await day(b)).toEqual([
      { day: "2026-11-30", vendor: "ark", currency: "CNY", spent: 3.5, reserved: 10.5, calls: 5, unpriced: 0 },
    ]);
    expect(await a.spend.endAbandoned(jobs, Date.now())).toBe(1); // `after`, once it is before the sweep
    // The running job ends its own when it is resumed; the live process's call ends as it does.
    await a.spend.release(running);
    await a.spend.settle(live, 0.5);
    expect(await day(a)).toEqual([{ day: "2026-11-30", vendor: "ark", currency: "CNY", spent: 12, reserved: 0, calls: 4, unpriced: 0 }]);
    await b.spend.release(after); // too late: it was settled
    expect((await day(b))[0]).toMatchObject({ spent: 12, reserved: 0 });
  });
});

describe("the output folder's month file", () => {
  it("keeps a process's stamp while it holds a reservation, and drops it with its last", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const store = kept(new FileJobStore(dir, 30));
    const [a, b] = [await held(store, 1), await held(store, 2)];
    const month = () =>
      JSON.parse(
        readFileSync(
          join(
            dir,
            ".aigc-mcp",
            "spend",
            readdirSync(join(dir, ".aigc-mcp", "spend")).find((f) => f.startsWith("2026-11."))!,
          ),
          "utf8",
        ),
      ) as { owners?: object };
    expect(Object.keys(month().owners ?? {})).toEqual([store.owner().boot]);
    await store.spend.settle(a);
    expect(Object.keys(month().owners ?? {})).toEqual([store.owner().boot]);
    await store.spend.release(b);
    expect(month().owners).toBeUndefined();
  });
});

describe("the orphan sweep", () => {
  it("settles what a dead process held for a call without a job, and leaves its unfinished job's to the job", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const owner: JobOwner = { pid: deadPid(), boot: "gone-sweep" };
    const gone = new (class extends FileJobStore {
      override owner(): JobOwner {
        return owner;
      }
    })(dir, 30);
    const chat = await held(gone, 1, new Date());
    const video = await held(gone, 2, new Date());
    const now = new Date().toISOString();
    const record = { job_id: "job_v", vendor: "ark", status: "queued", created_at: now, updated_at: now, assets: [], owner };
    await gone.save({
      ...record,
      cost: { estimate: { amount: 2, currency: "CNY", basis: "test" }, reservation: video },
    } as unknown as JobRecord);
    await gone.close();
    const store = kept(new FileJobStore(dirname(dirname(gone.dir)), 30));
    const resumed: string[] = [];
    const sweep = new OrphanJobs(store, (id) => Promise.resolve(void resumed.push(id)), { firstMs: 60_000, everyMs: 60_000 });
    try {
      await sweep.sweep();
      expect(resumed).toEqual(["job_v"]);
      const today = chat.day;
      expect(await store.spend.report(today, today)).toEqual([
        { day: today, vendor: "ark", currency: "CNY", spent: 1, reserved: 2, calls: 2, unpriced: 0 },
      ]);
    } finally {
      await sweep.stop();
    }
  });
});

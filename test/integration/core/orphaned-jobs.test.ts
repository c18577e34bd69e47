/**
 * Jobs a server process left unfinished when it stopped are picked up by another process without
 * anyone asking (src/jobs/orphans.ts): a video's outputs are saved and its budget reservation
 * settled, and of several processes sharing a Redis store only one takes each job (a live process's
 * and a finished job are left) until it gives the job up. (A synchronous call's: jobs.test.ts.)
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileJobStore } from "../../../src/jobs/file-store.js";
import { OrphanJobs } from "../../../src/jobs/orphans.js";
import { RedisJobStore } from "../../../src/jobs/redis-store.js";
import type { JobRecord } from "../../../src/jobs/types.js";
import { startHarness, structured, type Harness } from "../../helpers/harness.js";
import { orphanJob } from "../../helpers/owner.js";
import { startRedis, type TestRedis } from "../../helpers/redis.js";
import { jobOf, requestsTo } from "../../helpers/results.js";

/** Seedance 2.0 at 720p 16:9, 5 s: priced, so a budget holds it. */
const VIDEO = { prompt: "waves", ratio: "16:9", resolution: "720p", duration: 5, wait_seconds: 0 };
const QUICK = { orphans: { firstMs: 100, everyMs: 400 } };

async function budgetRow(h: Harness): Promise<{ spent: number; reserved: number }> {
  return structured<{ limits: Array<{ spent: number; reserved: number }> }>(await h.call("get_budget", {})).limits[0]!;
}

describe("a job whose server process stopped before it ended", () => {
  it("is finished by the next process with no call about it: outputs saved, its reservation spent", async () => {
    const env = { AIGC_MCP_BUDGET: "daily:100CNY" };
    const first = await startHarness({ env, ark: { queuedMs: 400, runningMs: 400 }, engine: QUICK });
    const job = jobOf(await first.call("seedance_generate_video", VIDEO));
    expect(job.status).not.toBe("succeeded");
    await first.app.close();
    // The task record names the process that drives it, so another one can tell it was left.
    const store = new FileJobStore(first.dir);
    expect((await store.load(job.job_id))!.owner).toEqual(first.app.jobs.store.owner());
    orphanJob(first.dir, job.job_id);
    const next = await first.restart();
    try {
      let done: JobRecord | undefined;
      await expect.poll(async () => (done = await store.load(job.job_id))?.status, { timeout: 10_000, interval: 100 }).toBe("succeeded");
      expect(existsSync(done!.assets[0]!.path!)).toBe(true);
      await expect.poll(() => budgetRow(next), { timeout: 5000 }).toMatchObject({ reserved: 0 });
      expect((await budgetRow(next)).spent).toBeGreaterThan(0);
      // Taken once: one download of the video.
      expect(requestsTo(first.ark).filter((r) => r.path.startsWith("/media/"))).toHaveLength(1);
    } finally {
      await next.close();
      await first.close();
    }
  });
});

describe("a vendor task whose polling stopped in its own live process", () => {
  it("is polled again by that process's next sweep, and its outputs saved with no call about it", async () => {
    // The tracker stops after 150 ms with no one asking (trackIdleMs), long before the task ends.
    const h = await startHarness({ ark: { queuedMs: 300, runningMs: 900 }, engine: { ...QUICK, trackIdleMs: 150 } });
    try {
      const job = jobOf(await h.call("seedance_generate_video", VIDEO));
      await expect
        .poll(async () => (await h.app.jobs.store.load(job.job_id))?.status, { timeout: 10_000, interval: 100 })
        .toBe("succeeded");
    } finally {
      await h.close();
    }
  });
});

describe("processes sharing a Redis store", () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.close();
  });

  it("take each orphaned job once, and another takes it when the taker stops", async () => {
    const connect = () => RedisJobStore.connect({ url: redis.url, prefix: "orphans:", retentionDays: 1, heartbeatMs: 300 });
    const [a, b, gone] = await Promise.all([connect(), connect(), connect()]);
    const now = new Date().toISOString();
    const ids = ["job_a", "job_b", "job_c"];
    const base = { vendor: "ark", status: "running", created_at: now, updated_at: now, assets: [] } as const;
    for (const id of ids) await gone.save({ ...base, job_id: id, owner: gone.owner() } as unknown as JobRecord);
    // A live process's job is not taken; a finished one is not either.
    await gone.save({ ...base, job_id: "job_live", owner: a.owner() } as unknown as JobRecord);
    await gone.save({ ...base, job_id: "job_done", status: "succeeded", owner: gone.owner() } as unknown as JobRecord);
    await gone.close();
    await new Promise((r) => setTimeout(r, 400)); // its heartbeat runs out
    const resumed = { a: [] as string[], b: [] as string[] };
    // Sweeps are run here by hand; everyMs sets the leases' life (three of it: 900 ms).
    const times = { firstMs: 60_000, everyMs: 300 };
    const sweepA = new OrphanJobs(a, (id) => Promise.resolve(void resumed.a.push(id)), times);
    const sweepB = new OrphanJobs(b, (id) => Promise.resolve(void resumed.b.push(id)), times);
    try {
      const [takenA, takenB] = await Promise.all([sweepA.sweep(), sweepB.sweep()]);
      expect(takenA + takenB).toBe(3);
      expect([...resumed.a, ...resumed.b].sort()).toEqual(ids);
      // Sweeping again, each keeps driving what it took (its lease renewed), and takes nothing new,
      // also past the life of the first leases (900 ms).
      for (const wait of [500, 500]) {
        await new Promise((r) => setTimeout(r, wait));
        const [againA, againB] = [await sweepA.sweep(), await sweepB.sweep()];
        expect(againA + againB).toBe(0);
      }
      expect(new Set(resumed.a).size + new Set(resumed.b).size).toBe(3);
      // A stops (its leases given up): B takes A's jobs at its next sweep.
      const aHad = new Set(resumed.a);
      await sweepA.stop();
      expect(await sweepB.sweep()).toBe(aHad.size);
      expect(new Set(resumed.b)).toEqual(new Set(ids));
    } finally {
      await sweepB.stop();
      await a.close();
      await b.close();
    }
  });

  it("a process that cannot run a job it took (no credentials for its vendor) gives it up at once", async () => {
    const connect = () => RedisJobStore.connect({ url: redis.url, prefix: "orphans-2:", retentionDays: 1, heartbeatMs: 300 });
    const [c, d, gone] = await Promise.all([connect(), connect(), connect()]);
    const now = new Date().toISOString();
    const record = {
      job_id: "job_k",
      vendor: "kling",
      status: "queued",
      created_at: now,
      updated_at: now,
      assets: [],
      owner: gone.owner(),
    };
    await gone.save(record as unknown as JobRecord);
    await gone.close();
    await new Promise((r) => setTimeout(r, 400));
    const times = { firstMs: 60_000, everyMs: 60_000 }; // a lease lasts 3 minutes
    const sweepC = new OrphanJobs(c, () => Promise.reject(new Error("kling is not configured")), times);
    const taken: string[] = [];
    const sweepD = new OrphanJobs(d, (id) => Promise.resolve(void taken.push(id)), times);
    // One that knows it cannot run the job (no Kling credentials, or --sandbox) does not even take it.
    const resumedByE: string[] = [];
    const sweepE = new OrphanJobs(
      c,
      (id) => Promise.resolve(void resumedByE.push(id)),
      times,
      (r) => r.vendor !== "kling",
    );
    try {
      expect(await sweepE.sweep()).toBe(0);
      expect(resumedByE).toEqual([]);
      expect(await redis.client.keys("orphans-2:*orphan*")).toEqual([]);
      await sweepC.sweep();
      await new Promise((r) => setTimeout(r, 100));
      expect(await sweepD.sweep()).toBe(1);
      expect(taken).toEqual(["job_k"]);
    } finally {
      await sweepC.stop();
      await sweepD.stop();
      await sweepE.stop();
      await c.close();
      await d.close();
    }
  });
});

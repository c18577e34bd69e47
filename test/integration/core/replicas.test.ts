/**
 * Two app instances sharing a real redis-server (AIGC_MCP_REDIS_URL), as two replicas behind a
 * load balancer: any replica lists and resumes any job, and exactly one replica downloads a
 * finished job's outputs (the download lease), taking it over when its holder stops.
 */
import { renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseCoreConfig } from "../../../src/config.js";
import { createContext } from "../../../src/context.js";
import { recordKey } from "../../../src/jobs/store.js";
import { loadVendors } from "../../../src/plugins.js";
import type { ArkSimOptions } from "../../../src/vendors/ark/simulator.js";
import { logLines, startHarness, structured, tempDir, text, type Harness } from "../../helpers/harness.js";
import { jobOf, mark, requestsTo, type JobResult } from "../../helpers/results.js";
import { startRedis, type TestRedis } from "../../helpers/redis.js";

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.close();
});

let open: Harness[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const h of open.reverse()) await h.close().catch(() => undefined);
  open = [];
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

let n = 0;
/** Replica A, and B on its own output folder, both on one Redis prefix and the same simulators. */
async function replicas(leaseMs = 10_000, ark: ArkSimOptions = {}): Promise<{ a: Harness; b: Harness; prefix: string }> {
  const prefix = `rep${++n}:`;
  const env = { AIGC_MCP_REDIS_URL: redis.url, AIGC_MCP_REDIS_PREFIX: prefix };
  const a = await startHarness({ env, engine: { leaseMs }, ark: { queuedMs: 200, runningMs: 400, ...ark } });
  open.push(a);
  const dir = tempDir();
  dirs.push(dir);
  const b = await startHarness({ env, engine: { leaseMs }, existing: { sandbox: a.sandbox, dir } });
  open.unshift(b);
  return { a, b, prefix };
}

const FINISHED = { uri: "media://files/saved-elsewhere.mp4", mime_type: "video/mp4", bytes: 3, sha256: "abc" };

/** Writes the job's record as the replica that downloaded its outputs would. */
async function finishElsewhere(h: Harness, jobId: string): Promise<void> {
  const stored = await h.app.jobs.store.load(jobId);
  await h.app.jobs.store.save({ ...stored!, status: "succeeded", assets: [FINISHED], updated_at: new Date().toISOString() });
}

const downloads = (h: Harness) => requestsTo(h.ark, (r) => r.path.startsWith("/media/")).length;

describe("replicas sharing Redis", () => {
  it("a job started on A is listed on B, resumed there by its short id, and downloaded exactly once", async () => {
    const { a, b } = await replicas();
    const started = jobOf(await a.call("seedance_generate_video", { prompt: "two replicas", wait_seconds: 0 }));
    expect(started.job_id.length).toBeLessThanOrEqual(64);
    const listed = structured<{ jobs: JobResult[] }>(await b.call("list_jobs", {})).jobs.map((j) => j.job_id);
    expect(listed).toContain(started.job_id);
    const onB = jobOf(await b.call("wait_for_job", { job_id: started.job_id, wait_seconds: 60 }));
    const onA = jobOf(await a.call("wait_for_job", { job_id: started.job_id, wait_seconds: 60 }));
    expect(onB).toMatchObject({ status: "succeeded" });
    expect(onA).toMatchObject({ status: "succeeded" });
    expect(onB.assets[0]!.sha256).toBe(onA.assets[0]!.sha256);
    expect(downloads(a)).toBe(1);
    // Whichever replica saved it, both count the file as a generated one (resources/* may serve it).
    const name = decodeURIComponent(onB.assets[0]!.uri.slice("media://files/".length));
    expect(await a.app.media.generated(name)).toMatchObject({ name, bytes: onB.assets[0]!.bytes });
    expect(await b.app.media.generated(name)).toMatchObject({ name, bytes: onB.assets[0]!.bytes });
  });

  it("while A holds the download lease, B waits and does not download; it takes A's finished record", async () => {
    const { a, b, prefix } = await replicas();
    const started = jobOf(await a.call("seedance_generate_video", { prompt: "leased", wait_seconds: 0 }));
    await a.app.close(); // A stops tracking; its lease below stands for a download in progress
    const lease = `${prefix}lease:download:${recordKey(started.job_id)}`;
    await redis.client.set(lease, "replica-a", "PX", 60_000);
    const before = downloads(a);
    const waiting = jobOf(await b.call("wait_for_job", { job_id: started.job_id, wait_seconds: 2 }));
    expect(waiting).toMatchObject({ status: "running", detail: "another server process is saving the results" });
    expect(downloads(a)).toBe(before);
    // A finishes: its record is written, then its lease released.
    const asset = { uri: "media://files/a-saved.mp4", mime_type: "video/mp4", bytes: 3, sha256: "abc" };
    const stored = await b.app.jobs.store.load(started.job_id);
    await b.app.jobs.store.save({ ...stored!, status: "succeeded", assets: [asset], updated_at: new Date().toISOString() });
    await redis.client.del(lease);
    const done = jobOf(await b.call("wait_for_job", { job_id: started.job_id, wait_seconds: 10 }));
    expect(done).toMatchObject({ status: "succeeded", assets: [{ uri: asset.uri, sha256: "abc" }] });
    expect(downloads(a)).toBe(before);
  });

  it("a job another replica finished is finished at once on the one still polling it, in get_job and list_jobs", async () => {
    const { a, b } = await replicas(10_000, { queuedMs: 120_000 });
    const { job_id } = jobOf(await a.call("seedance_generate_video", { prompt: "finished elsewhere", wait_seconds: 0 }));
    expect(jobOf(await a.call("get_job", { job_id })).status).toBe("queued");
    // B finishes the job (downloads its outputs): its record lands while A's tracker still waits for its next poll.
    await finishElsewhere(b, job_id);
    // A used to answer its own "queued" until its next poll.
    expect(jobOf(await a.call("get_job", { job_id }))).toMatchObject({ status: "succeeded", assets: [{ uri: FINISHED.uri }] });
    const listed = structured<{ jobs: JobResult[] }>(await a.call("list_jobs", {})).jobs.find((j) => j.job_id === job_id);
    expect(listed).toMatchObject({ status: "succeeded" });
  });

  it("a lease whose holder stopped renewing it expires and B takes the download over, once", async () => {
    const { a, b, prefix } = await replicas();
    const started = jobOf(await a.call("seedance_generate_video", { prompt: "orphaned lease", wait_seconds: 0 }));
    await a.app.close();
    await redis.client.set(`${prefix}lease:download:${recordKey(started.job_id)}`, "dead-replica", "PX", 1500);
    const before = downloads(a);
    const done = jobOf(await b.call("wait_for_job", { job_id: started.job_id, wait_seconds: 30 }));
    expect(done).toMatchObject({ status: "succeeded" });
    expect(downloads(a)).toBe(before + 1);
  });

  it("a synchronous job of A is followed on B while A's heartbeat lives, and reported interrupted once it is gone", async () => {
    const { a, b, prefix } = await replicas(10_000, { imageDelayMs: 60_000 });
    const started = jobOf(await a.call("seedream_generate_image", { prompt: "slow", wait_seconds: 0 }));
    expect(started.job_id.length).toBeLessThanOrEqual(64);
    const onB = jobOf(await b.call("get_job", { job_id: started.job_id }));
    expect(onB.status).toBe("running");
    // A crashes on another machine: its heartbeat key expires. The pid in the record is a live one
    // here (this test process), so only the shared heartbeat can tell that the owner is gone.
    const key = `${prefix}job:${recordKey(started.job_id)}`;
    const record = JSON.parse((await redis.client.get(key))!) as Record<string, unknown>;
    await redis.client.set(key, JSON.stringify({ ...record, owner: { pid: process.pid, boot: "crashed-replica" } }));
    const later = jobOf(await b.call("wait_for_job", { job_id: started.job_id, wait_seconds: 10 }));
    expect(later).toMatchObject({ status: "failed", error: { code: "Interrupted" } });
    // A retry with the key that started it would answer this failure again: its What to do says so.
    expect(later.error!.message).toMatch(/may have reached the vendor and be billed/);
    expect(later.error!.hint).toMatch(/use a new idempotency_key/);
  });
});

describe("replicas sharing Redis, each with a folder of its own and no bucket", () => {
  it("B does not say A's output was removed: it is not in B's folder, removed or saved by another replica", async () => {
    const prefix = `rep${++n}:`;
    const env = { AIGC_MCP_REDIS_URL: redis.url, AIGC_MCP_REDIS_PREFIX: prefix };
    const a = await startHarness({ env });
    open.push(a);
    const dir = tempDir();
    dirs.push(dir);
    // B serves download links, so a media:// input reaches the check of its own folder.
    const links = { AIGC_MCP_TRANSPORT: "http", AIGC_MCP_PUBLIC_URL: "https://b.example.com", AIGC_MCP_MEDIA_URL_SECRET: "s".repeat(64) };
    const b = await startHarness({ env: { ...env, ...links }, existing: { sandbox: a.sandbox, dir } });
    open.unshift(b);
    const video = jobOf(await a.call("kling_text_to_video", { prompt: "saved on A", wait_seconds: 20 }));
    expect(video.status).toBe("succeeded");
    const NOT_HERE = "not in this server's output folder (removed, or saved by another replica with a folder of its own)";
    // On B's machine A's folder is not there (here both share one disk): the file is moved out of B's sight.
    renameSync(video.assets[0]!.path!, join(dir, "elsewhere.mp4"));

    const got = await b.call("get_job", { job_id: video.job_id });
    expect(text(got)).toContain(`${NOT_HERE}; download it again from the vendor URL above`);
    expect(text(got)).not.toMatch(/removed from the output folder after it was saved/);
    const asset = jobOf(got).assets[0]! as unknown as Record<string, unknown>;
    expect(asset.file).toBe("missing");
    expect(Object.keys(asset)).not.toContain("maybeElsewhere");
    expect(structured<{ message: string }>(got).message).toContain("(not in this server's output folder)");
    const listed = await b.call("list_jobs", {});
    expect(text(listed)).toContain("(not in this server's output folder)");
    expect(text(listed)).not.toMatch(/since removed/);
    const preview = await b.call("get_job", { job_id: video.job_id, delivery: "preview" });
    expect(text(preview)).toContain(`it is ${NOT_HERE}`);
    const input = await b.call("kling_omni_video", { prompt: "edit it", video: { url: video.assets[0]!.uri, refer_type: "base" } });
    expect(text(input)).toMatch(
      /video\.url: media:\/\/files\/\S+ is not in this server's output folder as saved \(removed or changed, or saved by another replica/,
    );

    // A cannot tell either (its store is shared too); without Redis a missing file is said removed (saved-outputs.test.ts).
    expect(text(await a.call("get_job", { job_id: video.job_id }))).toContain(NOT_HERE);
  });
});

describe("Redis unreachable", () => {
  it("at start: the server refuses to start, naming the variable and Redis", async () => {
    const env = { AIGC_MCP_OUTPUT_DIR: tempDir(), AIGC_MCP_REDIS_URL: "redis://127.0.0.1:1" };
    dirs.push(env.AIGC_MCP_OUTPUT_DIR);
    const core = parseCoreConfig(env);
    await expect(createContext(core, await loadVendors(env, core))).rejects.toThrow(
      /^AIGC_MCP_REDIS_URL: Redis at 127\.0\.0\.1:1: connecting failed.*Start Redis or fix the URL/,
    );
  });

  it("down: get_budget names Redis and what to do; estimate_cost still prices a call, its headroom not known", async () => {
    const env = { AIGC_MCP_REDIS_URL: redis.url, AIGC_MCP_REDIS_PREFIX: `down${++n}:`, AIGC_MCP_BUDGET: "daily:100CNY" };
    const h = await startHarness({ env });
    open.push(h);
    await redis.stop();
    try {
      const budget = await h.call("get_budget", {});
      expect(budget.isError).toBe(true);
      expect(text(budget)).toMatch(/^Error: RedisUnavailable: Redis at 127\.0\.0\.1:\d+: reading the spend ledger failed/);
      expect(text(budget)).toMatch(/What to do: Check that Redis is running/);
      // In plain words, not ioredis' ("Stream isn't writeable and enableOfflineQueue options is false").
      const list = await h.call("list_jobs", {});
      expect(text(list)).toMatch(
        /^Error: RedisUnavailable: Redis at 127\.0\.0\.1:\d+: listing jobs failed: not connected \(the connection is down or was lost; the server keeps reconnecting\)\nWhat to do: Check that Redis is running/,
      );
      expect(text(list)).not.toMatch(/enableOfflineQueue|Stream isn't|Connection is closed/);
      // The driver's own words stay in the log, for the operator.
      expect(
        logLines.some((l) => /redis: listing jobs failed/.test(l) && /enableOfflineQueue|Stream isn't|Connection is closed/.test(l)),
      ).toBe(true);
      const estimate = await h.call("estimate_cost", { tool: "seedance_generate_video", arguments: { prompt: "priced offline" } });
      expect(estimate.isError, text(estimate)).toBeFalsy();
      expect(text(estimate)).toMatch(/^seedance_generate_video with \S+: ¥\d/);
      expect(text(estimate)).toMatch(/\nBudget left: not known now \(Redis at 127\.0\.0\.1:\d+: reading the spend ledger failed/);
    } finally {
      await redis.start();
    }
  });

  it("mid-call: a lookup fails with an Error line naming Redis; a finished job's output is saved and its record written once Redis is back", async () => {
    const { a } = await replicas(10_000, { queuedMs: 2000 });
    const started = jobOf(await a.call("seedance_generate_video", { prompt: "redis goes away", wait_seconds: 0 }));
    expect(started.status).toBe("queued");
    await redis.stop();
    try {
      const unknown = await a.call("get_job", { job_id: "t.ark.video.abc.cgt-20261130000000-zzzzz" });
      expect(unknown.isError).toBe(true);
      expect(text(unknown)).toMatch(/^Error: RedisUnavailable: Redis at 127\.0\.0\.1:\d+: reading a job record failed/);
      expect(text(unknown)).toMatch(/What to do: Check that Redis is running/);
      const r = await a.call("wait_for_job", { job_id: started.job_id, wait_seconds: 60 });
      const done = jobOf(r);
      expect(done.status, text(r)).toBe("succeeded");
      expect(done.detail).toMatch(/the job record was not saved: Redis at/);
      expect(done.assets[0]!.path).toBeDefined();
    } finally {
      await redis.start();
    }
    await expect
      .poll(async () => (await a.app.jobs.store.load(started.job_id))?.status, { timeout: 15_000, interval: 250 })
      .toBe("succeeded");
    // Its settle failed while Redis was down; tried again, it lands (a restarted Redis counts it as spend once).
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    await expect
      .poll(async () => (await a.app.jobs.store.spend.report(day(-1), day(1))).filter((row) => row.vendor === "ark"), {
        timeout: 15_000,
        interval: 250,
      })
      .toEqual([expect.objectContaining({ currency: "CNY", reserved: 0, spent: expect.any(Number) as number })]);
    const [row] = await a.app.jobs.store.spend.report(day(-1), day(1));
    expect(row!.spent).toBeGreaterThan(0);
  });

  it("frozen (up but not answering): a call fails RedisUnavailable after one 5 s timeout, not one per operation (or three)", async () => {
    const { a } = await replicas();
    const ark = mark(a.sandbox.ark);
    redis.freeze();
    try {
      const started = Date.now();
      const r = await a.call("seedream_generate_image", { prompt: "redis frozen", wait_seconds: 5 });
      const took = Date.now() - started;
      expect(r.isError).toBe(true);
      expect(text(r)).toMatch(
        /^Error: RedisUnavailable: Redis at 127\.0\.0\.1:\d+: .* failed: not answering \(connected, but no answer in time\)/,
      );
      // The budget reservation and the job record wait 5 s together; the release after is not waited for.
      expect(took).toBeLessThan(8_000);
      expect(ark.since()).toHaveLength(0);
    } finally {
      redis.thaw();
    }
  }, 40_000);

  /** One server on its own prefix of the shared Redis, with `env`. */
  const alone = async (env: Record<string, string>) => {
    const h = await startHarness({ env: { AIGC_MCP_REDIS_URL: redis.url, AIGC_MCP_REDIS_PREFIX: `alone${++n}:`, ...env } });
    open.push(h);
    return h;
  };

  it("frozen: a call refused because its budget hold timed out holds nothing once Redis runs the late write", async () => {
    const h = await alone({ AIGC_MCP_BUDGET: "daily:100CNY" });
    redis.freeze();
    let r;
    try {
      r = await h.call("seedance_generate_video", { prompt: "redis frozen", wait_seconds: 0 });
    } finally {
      redis.thaw();
    }
    expect(text(r)).toMatch(/^Error: RedisUnavailable: .*reserving budget failed/);
    const limit = async () => structured<{ limits: Array<{ reserved: number; spent: number }> }>(await h.call("get_budget", {})).limits[0];
    await expect.poll(limit, { timeout: 15_000, interval: 250 }).toEqual(expect.objectContaining({ reserved: 0, spent: 0 }));
    // Still nothing once every queued write has run.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await limit()).toEqual(expect.objectContaining({ reserved: 0, spent: 0 }));
  }, 40_000);

  it("frozen: an idempotency key whose claim timed out is free again, so repeating the call runs it once", async () => {
    const h = await alone({ AIGC_MCP_VENDOR_TIMEOUT_S: "15" });
    const ark = mark(h.ark);
    const call = { prompt: "redis frozen key", idempotency_key: "frozen-claim-0001" };
    redis.freeze();
    let first;
    try {
      first = await h.call("seedream_generate_image", call);
    } finally {
      redis.thaw();
    }
    expect(text(first)).toMatch(/^Error: RedisUnavailable: .*claiming an idempotency key failed/);
    expect(ark.since()).toHaveLength(0);
    const started = Date.now();
    const again = await h.call("seedream_generate_image", call);
    expect(jobOf(again).status, text(again)).toBe("succeeded");
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(requestsTo(h.ark, (q) => q.path.endsWith("/images/generations"))).toHaveLength(1);
  }, 60_000);
});

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Progress } from "@modelcontextprotocol/sdk/types.js";
import { decodeJobId, encodeLegacyJobId } from "../../../src/jobs/handle.js";
import { FileJobStore } from "../../../src/jobs/file-store.js";
import type { JobRecord } from "../../../src/jobs/types.js";
import { logLines, startHarness, structured, tempDir, text, type Harness } from "../../helpers/harness.js";
import { type JobResult, jobOf, requestsTo } from "../../helpers/results.js";

async function until(cond: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function budgetRow(h: Harness): Promise<{ spent: number; reserved: number }> {
  return ((await h.call("get_budget", {})).structuredContent as { limits: Array<{ spent: number; reserved: number }> }).limits[0]!;
}

let open: Harness[] = [];
async function harness(...args: Parameters<typeof startHarness>): Promise<Harness> {
  const h = await startHarness(...args);
  open.push(h);
  return h;
}
afterEach(async () => {
  for (const h of open.reverse()) await h.close();
  open = [];
});

describe("job ids", () => {
  it("are self-describing and reject garbage with a field-named error", () => {
    const id = encodeLegacyJobId({ v: 1, vd: "ark", op: "video", task: "cgt-1", model: "m", t: 1 });
    expect(decodeJobId(id)).toMatchObject({ vd: "ark", op: "video", task: "cgt-1" });
    expect(() => decodeJobId("cgt-123")).toThrow(/job_id: .*not a job id/);
    expect(() => decodeJobId("job_bm90IGpzb24")).toThrow(/job_id/);
  });
});

/** Job ids and their record files as release 0.1.0 wrote them (file name → record). */
const RELEASE_0_1_0 = JSON.parse(readFileSync(new URL("../../fixtures/job-ids-0.1.0.json", import.meta.url), "utf8")) as Array<{
  tool: string;
  job_id: string;
  vendor_task_id?: string;
  final_status: string;
  records: Record<string, JobRecord>;
}>;

describe("records written by release 0.1.0", () => {
  it("are found under the same file names and returned by get_job and list_jobs", async () => {
    const h = await harness();
    const jobsDir = join(h.dir, ".aigc-mcp", "jobs");
    mkdirSync(jobsDir, { recursive: true });
    for (const entry of RELEASE_0_1_0) {
      for (const [file, record] of Object.entries(entry.records)) writeFileSync(join(jobsDir, file), JSON.stringify(record));
    }
    const store = new FileJobStore(h.dir);
    for (const entry of RELEASE_0_1_0) {
      const [record] = Object.values(entry.records);
      expect(await store.load(entry.job_id), entry.tool).toEqual(record);
      const got = jobOf(await h.call("get_job", { job_id: entry.job_id }));
      expect(got, entry.tool).toMatchObject({
        job_id: entry.job_id,
        status: entry.final_status,
        vendor: record!.vendor,
        assets: record!.assets,
        ...(entry.vendor_task_id ? { vendor_task_id: entry.vendor_task_id } : {}),
      });
    }
    const listed = structured<{ jobs: JobResult[] }>(await h.call("list_jobs", { limit: 100 })).jobs.map((j) => j.job_id);
    expect(listed.sort()).toEqual(RELEASE_0_1_0.map((e) => e.job_id).sort());
  });
});

describe("bounded waits and resumption", () => {
  it("returns a running job handle within the wait budget, then finishes with wait_for_job", async () => {
    const h = await harness({ ark: { queuedMs: 300, runningMs: 1500 } });
    const t0 = Date.now();
    const r = await h.call("seedance_generate_video", { prompt: "slow sea", wait_seconds: 1 });
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(r.isError).toBeFalsy();
    const s = jobOf(r);
    expect(["queued", "running"]).toContain(s.status);
    expect(s.poll_after_s).toBeGreaterThan(0);
    expect(text(r)).toMatch(/wait_for_job/);
    // A job id copied with the spaces or line break around it is the same id.
    const done = jobOf(await h.call("wait_for_job", { job_id: ` ${s.job_id}\n`, wait_seconds: 20 }));
    expect(done.status).toBe("succeeded");
    expect(done.assets[0]!.path).toMatch(/\.mp4$/);
    expect(jobOf(await h.call("get_job", { job_id: `\t${s.job_id} ` })).job_id).toBe(s.job_id);
  });

  it("resumes a vendor job in a freshly started server (same credentials, same output folder)", async () => {
    const h = await harness({ ark: { queuedMs: 200, runningMs: 800 } });
    const s = jobOf(await h.call("seedance_generate_video", { prompt: "restart me", wait_seconds: 0 }));
    await h.app.close(); // the old process stops tracking
    const h2 = await h.restart();
    open.push(h2);
    const listed = structured<{ jobs: JobResult[] }>(await h2.call("list_jobs", {}));
    expect(listed.jobs.map((j) => j.job_id)).toContain(s.job_id);
    const done = jobOf(await h2.call("wait_for_job", { job_id: s.job_id, wait_seconds: 20 }));
    expect(done.status).toBe("succeeded");
    expect(done.vendor_task_id).toBe(s.vendor_task_id);
  });

  it("resumed by 30 waits at once, polls and downloads the task as for one", async () => {
    const h = await harness({ ark: { queuedMs: 200, runningMs: 600 } });
    const s = jobOf(await h.call("seedance_generate_video", { prompt: "many waiters", wait_seconds: 0 }));
    await h.app.close();
    const h2 = await h.restart();
    open.push(h2);
    const before = requestsTo(h.ark).length;
    const done = (await Promise.all(Array.from({ length: 30 }, () => h2.call("wait_for_job", { job_id: s.job_id, wait_seconds: 20 })))).map(
      jobOf,
    );
    expect(new Set(done.map((d) => `${d.status} ${d.assets[0]?.path}`))).toEqual(new Set([`succeeded ${done[0]!.assets[0]!.path}`]));
    const after = requestsTo(h.ark).slice(before);
    expect(after.filter((r) => r.path.startsWith("/media/"))).toHaveLength(1);
    // One tracker: polls backing off from 25 ms over the task's 0.8 s (30 trackers made 30 times as many).
    expect(after.filter((r) => r.method === "GET" && r.path.includes("/tasks/")).length).toBeLessThanOrEqual(12);
  });

  it("resumes from the job id alone even without the job record (another machine)", async () => {
    const h = await harness({ ark: { queuedMs: 100, runningMs: 200 } });
    const s = jobOf(await h.call("seedance_generate_video", { prompt: "portable", wait_seconds: 0 }));
    await h.app.close();
    const other = await startHarness({ existing: { sandbox: h.sandbox, dir: (await import("../../helpers/harness.js")).tempDir() } });
    open.push(other);
    const done = jobOf(await other.call("wait_for_job", { job_id: s.job_id, wait_seconds: 20 }));
    expect(done.status).toBe("succeeded");
    expect(done.assets[0]!.path!.startsWith(other.dir)).toBe(true);
  });

  it("marks a synchronous job whose process died as interrupted, and counts its budget reservation as spent", async () => {
    const prices = join(tempDir("aigc-prices-"), "prices.json");
    writeFileSync(
      prices,
      JSON.stringify({ ark: [{ model: "doubao-seedream-5-0-pro-260628", currency: "CNY", unit: "image", amount: 1 }] }),
    );
    const env = { AIGC_MCP_BUDGET: "daily:100CNY", AIGC_MCP_PRICES_FILE: prices };
    const h = await harness({ ark: { imageDelayMs: 3000 }, env });
    const s = jobOf(await h.call("seedream_generate_image", { prompt: "never answered", wait_seconds: 0 }));
    expect(s.status).toBe("running");
    const store = new FileJobStore(h.dir);
    const rec = (await store.load(s.job_id))!;
    await h.app.close();
    // As a process killed mid-call leaves it: the record running under a dead owner, its reservation held.
    const r0 = rec.cost!.reservation!;
    const held = await store.spend.reserve({ ...r0, id: `${r0.id}-killed`, limits: [], timezone: "UTC" });
    expect(held.ok).toBe(true);
    const reservation = held.ok ? held.reservation : r0;
    await store.save({ ...rec, status: "running", owner: { pid: 2 ** 22 + 7, boot: "gone" }, cost: { ...rec.cost!, reservation } });
    const h2 = await h.restart();
    open.push(h2);
    expect(await budgetRow(h2)).toMatchObject({ reserved: 1 });
    const r = await h2.call("get_job", { job_id: s.job_id });
    expect(structured(r)).toMatchObject({ status: "failed", error: { code: "Interrupted" } });
    // The request had been sent, so it may be billed: spent, not held for a call still running.
    await until(async () => (await budgetRow(h2)).reserved === 0);
    expect((await budgetRow(h2)).spent).toBeGreaterThan(0);
    const ended = (await store.load(s.job_id))!;
    expect(ended.cost).toMatchObject({ settled: "spent" });
    expect(ended.owner).toBeUndefined();
  });
});

describe("progress notifications", () => {
  it("are strictly increasing, human readable, and never more than 5 s apart", async () => {
    const h = await harness({ ark: { queuedMs: 500, runningMs: 2500 }, engine: { heartbeatMs: 2500 } });
    const seen: Array<{ at: number; p: Progress }> = [];
    const t0 = Date.now();
    const r = await h.call(
      "seedance_generate_video",
      { prompt: "progress", wait_seconds: 20 },
      { onprogress: (p) => seen.push({ at: Date.now(), p }) },
    );
    expect(structured(r)).toMatchObject({ status: "succeeded" });
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]!.p.progress).toBeGreaterThan(seen[i - 1]!.p.progress);
      expect(seen[i]!.at - seen[i - 1]!.at).toBeLessThanOrEqual(5000);
    }
    expect(seen[0]!.at - t0).toBeLessThanOrEqual(5000);
    expect(seen.some((s) => /ark video: (queued|running)/.test(s.p.message ?? ""))).toBe(true);
  });
});

describe("cancellation", () => {
  it("a cancelled call stops waiting at once; the vendor task keeps being tracked", async () => {
    const h = await harness({ ark: { queuedMs: 200, runningMs: 60_000 } });
    const ac = new AbortController();
    const t0 = Date.now();
    const pending = h.call("seedance_generate_video", { prompt: "cancel the wait", wait_seconds: 30 }, { signal: ac.signal });
    setTimeout(() => ac.abort(), 400);
    await expect(pending).rejects.toThrow();
    expect(Date.now() - t0).toBeLessThan(1500);
    // the server side stopped waiting too: its handler ended with the cancellation
    await until(() => logLines.some((l) => l.includes("seedance_generate_video") && l.includes("Cancelled")));
    const jobs = structured<{ jobs: JobResult[] }>(await h.call("list_jobs", {})).jobs;
    expect(jobs[0]!.status).not.toBe("cancelled");
  });

  it("a cancelled synchronous generation aborts its in-flight vendor request", async () => {
    const h = await harness({ ark: { imageDelayMs: 5000 } });
    const ac = new AbortController();
    const pending = h.call("seedream_generate_image", { prompt: "abort me", wait_seconds: 30 }, { signal: ac.signal });
    await until(() => h.ark.sim.requests.some((r) => r.path.endsWith("/images/generations")));
    const vendorCall = h.ark.sim.requests.find((r) => r.path.endsWith("/images/generations"))!;
    const t0 = Date.now();
    ac.abort();
    await expect(pending).rejects.toThrow();
    await until(() => vendorCall.aborted === true);
    expect(Date.now() - t0).toBeLessThan(1000); // long before the vendor's 5 s answer
    await until(async () => structured<{ jobs: JobResult[] }>(await h.call("list_jobs", {})).jobs[0]?.status === "cancelled");
  });

  it("a synchronous call cancelled while its billed output downloads keeps the output", async () => {
    const h = await harness({ ark: { imageDelayMs: 50 } });
    h.ark.sim.inject({ kind: "delay", delayMs: 800, match: (r) => r.path.startsWith("/media/") });
    const ac = new AbortController();
    const pending = h.call("seedream_generate_image", { prompt: "a kite", wait_seconds: 30 }, { signal: ac.signal });
    await until(() => h.ark.sim.requests.some((r) => r.path.startsWith("/media/")));
    ac.abort();
    await expect(pending).rejects.toThrow();
    const [job] = structured<{ jobs: JobResult[] }>(await h.call("list_jobs", {})).jobs;
    expect(job!.status).not.toBe("cancelled");
    const done = jobOf(await h.call("wait_for_job", { job_id: job!.job_id, wait_seconds: 20 }));
    expect(done.status).toBe("succeeded");
    expect(done.assets).toHaveLength(1);
  });

  it("a synchronous call cancelled while the vendor's answer arrives reads it to the end and keeps the billed output", async () => {
    const h = await harness({ ark: { imageDelayMs: 0 } });
    // The answer's first half comes at once, its end 2 s later.
    h.ark.sim.inject({ kind: "slow-body", delayMs: 2000, match: (r) => r.path.endsWith("/images/generations") });
    const ac = new AbortController();
    const pending = h.call("seedream_generate_image", { prompt: "a kite", wait_seconds: 30 }, { signal: ac.signal });
    await until(() => h.ark.sim.requests.some((r) => r.path.endsWith("/images/generations")));
    const sent = Date.now();
    const latest = async () => structured<{ jobs: JobResult[] }>(await h.call("list_jobs", {})).jobs[0]!;
    // The job says so as soon as the 2xx answer begins, long before its end.
    await until(async () => (await latest()).detail === "downloading results");
    expect(Date.now() - sent).toBeLessThan(1500);
    ac.abort();
    await expect(pending).rejects.toThrow();
    const job = await latest();
    expect(job).toMatchObject({ status: "running", detail: "downloading results" });
    const done = jobOf(await h.call("wait_for_job", { job_id: job.job_id, wait_seconds: 20 }));
    expect(done.status).toBe("succeeded");
    expect(done.assets).toHaveLength(1);
    expect(h.ark.sim.requests.find((r) => r.path.endsWith("/images/generations"))!.aborted).toBeFalsy();
  });

  it("get_job right after a synchronous call is cancelled before the vendor answered says cancelled", async () => {
    const h = await harness({ ark: { imageDelayMs: 5000 } });
    const ac = new AbortController();
    const pending = h.call("seedream_generate_image", { prompt: "abort me", wait_seconds: 30 }, { signal: ac.signal });
    await until(() => h.ark.sim.requests.some((r) => r.path.endsWith("/images/generations")));
    ac.abort();
    await expect(pending).rejects.toThrow();
    const [job] = structured<{ jobs: JobResult[] }>(await h.call("list_jobs", {})).jobs;
    expect(job).toMatchObject({ status: "cancelled", detail: "cancelled before the vendor answered" });
  });

  it("get_job on an unknown id explains what a job id looks like", async () => {
    const h = await harness();
    const r = await h.call("get_job", { job_id: "cgt-2025" });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/job_id: .*list_jobs/);
    // A configured vendor's id with an operation it has no jobs of is no missing credential.
    const op = await h.call("get_job", { job_id: "t.ark.nope.tpecd2.cgt-1" });
    expect(text(op)).toMatch(/^Error: JobNotFound: job_id names the ark operation "nope" this server has no jobs of \(it has video\)/);
    // A vendor aigc-mcp does not have is no missing credential either.
    for (const job_id of ["t.foo.video.tpiwl4.abc", "k.foo.video.tpiwl4.abcdefgh"]) {
      const foo = await h.call("get_job", { job_id });
      expect(text(foo)).toMatch(/^Error: InvalidJobId: job_id names the vendor "foo", which is none of aigc-mcp's \(ark, .*gateway/);
    }
  });
});

describe("slow downloads", () => {
  it("a download that outlives the wait budget returns a handle and completes later", async () => {
    const h = await harness();
    h.ark.sim.inject({ kind: "slow-body", delayMs: 900, match: (r) => r.path.startsWith("/media/") });
    const r = await h.call("seedance_generate_video", { prompt: "slow download", wait_seconds: 1 });
    const s = jobOf(r);
    expect(s.status).toBe("running");
    expect(s.detail).toBe("downloading results");
    const done = jobOf(await h.call("wait_for_job", { job_id: s.job_id, wait_seconds: 20 }));
    expect(done.status).toBe("succeeded");
  });
});

/**
 * What a server process leaves for the next one when it stops in the middle of a paid call: a
 * create still unanswered when the process dies (its record is written before the create is sent),
 * and an idempotency key's job written while the call goes on (a shutdown waits for it).
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { recordKey } from "../../../src/jobs/store.js";
import { FileJobStore } from "../../../src/jobs/file-store.js";
import type { SimRequest } from "../../../src/sandbox/sim-server.js";
import type { JobRecord } from "../../../src/jobs/types.js";
import { startHarness, structured, type Harness } from "../../helpers/harness.js";
import { orphanJob } from "../../helpers/owner.js";
import { jobOf, mark, type JobResult, type RequestMark } from "../../helpers/results.js";

const isCreate = (r: SimRequest) => r.method === "POST" && r.path.endsWith("/contents/generations/tasks");

/** A Seedance create `first` sent and the simulator never answers (its caller still waiting): its record and the requests since. */
async function unansweredCreate(first: Harness, prompt: string): Promise<{ record: JobRecord; m: RequestMark }> {
  first.ark.sim.inject({ kind: "hang-answer", match: isCreate });
  const m = mark(first.ark);
  void first.call("seedance_generate_video", { prompt, wait_seconds: 60, ratio: "16:9" }).catch(() => undefined);
  await expect.poll(() => m.since(isCreate).length, { timeout: 5000 }).toBe(1);
  const [record] = await first.app.jobs.store.list(10);
  expect(record).toMatchObject({ status: "submitting" });
  return { record: record!, m };
}

/** Waits for the job on `other`: it ends with the one task the simulator made, created once. */
async function resolvedOnce(other: Harness, first: Harness, jobId: string, m: RequestMark, waitSeconds: number): Promise<void> {
  const done = await other.call("wait_for_job", { job_id: jobId, wait_seconds: waitSeconds });
  expect(jobOf(done)).toMatchObject({ status: "succeeded", vendor_task_id: [...first.ark.tasks.keys()].at(-1) });
  expect(m.since(isCreate)).toHaveLength(1);
}

/** Stopping, `first` writes its pending create's record once more: that lands before its folder goes. */
async function closeBoth(first: Harness, other: Harness): Promise<void> {
  await other.close();
  await first.app.close();
  await new Promise((r) => setTimeout(r, 500));
  await first.close();
}

describe("a server process stopped in the middle of a paid call", () => {
  it("killed while a create is unanswered: the next process lists the job and finds its task, with no second create", async () => {
    const first = await startHarness();
    // The caller waits past the process's death: it never gets a job id.
    const { record, m } = await unansweredCreate(first, "killed mid-create");
    orphanJob(first.dir, record.job_id);
    const other = await first.restart();
    try {
      const listed = structured<{ jobs: JobResult[] }>(await other.call("list_jobs", {})).jobs;
      expect(listed.map((j) => j.job_id)).toEqual([record.job_id]);
      await resolvedOnce(other, first, record.job_id, m, 20);
    } finally {
      await closeBoth(first, other);
    }
  });

  it("followed by another process while its sender lives, then the sender dies: the task is looked up, not failed", async () => {
    const first = await startHarness();
    const { record, m } = await unansweredCreate(first, "followed, then orphaned");
    // The sender is another live process, so the next one follows it.
    const sender = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    const file = join(first.dir, ".aigc-mcp", "jobs", `${recordKey(record.job_id)}.json`);
    writeFileSync(file, JSON.stringify({ ...record, owner: { pid: sender.pid, boot: "sender" } }));
    const other = await first.restart();
    try {
      const waiting = resolvedOnce(other, first, record.job_id, m, 30);
      await new Promise((r) => setTimeout(r, 1500));
      orphanJob(first.dir, record.job_id);
      await waiting;
    } finally {
      sender.kill();
      await closeBoth(first, other);
    }
  });

  it("a create refused at once leaves no job behind", async () => {
    const h = await startHarness();
    try {
      h.ark.sim.inject({ kind: "status", status: 400, match: isCreate, body: { error: { code: "InvalidParameter", message: "refused" } } });
      const r = await h.call("seedance_generate_video", { prompt: "refused at once", wait_seconds: 0 });
      expect(r.isError).toBe(true);
      expect(await h.app.jobs.store.list(10)).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it("shut down right after answering: the idempotency key already names the job the call made", async () => {
    const h = await startHarness();
    const store = h.app.jobs.store as FileJobStore;
    // The key's write lands after the answer (as a slow disk or Redis round trip would).
    const inner = (store.keys as unknown as { keys: FileJobStore["keys"] }).keys;
    const complete = inner.complete.bind(inner);
    vi.spyOn(inner, "complete").mockImplementation(async (key, outcome) => {
      await new Promise((r) => setTimeout(r, 500));
      return complete(key, outcome);
    });
    try {
      const r = await h.call("seedance_generate_video", { prompt: "keyed", wait_seconds: 0, idempotency_key: "rolling-update" });
      await h.app.close();
      const entry = await new FileJobStore(h.dir).keys.get("rolling-update");
      expect(entry).toMatchObject({ state: "done", job_id: jobOf(r).job_id });
    } finally {
      await h.close();
    }
  });
});

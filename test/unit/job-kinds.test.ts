/** The job engine's parts on their own: output names, record changes, and each kind of job, with fake vendors. */
import { setTimeout as sleep } from "node:timers/promises";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AigcError } from "../../src/errors.js";
import { cancelled } from "../../src/net/http.js";
import { JobEngine } from "../../src/jobs/engine.js";
import { decodeJobId, encodeLegacyJobId, mintJobId, newLocalHandle } from "../../src/jobs/handle.js";
import { outputStem } from "../../src/jobs/outputs.js";
import { DOWNLOADING, FINISHED_AT_VENDOR, interruptedRecord, newRecord, patchRecord } from "../../src/jobs/record.js";
import { FileJobStore } from "../../src/jobs/file-store.js";
import { PROGRESS_WRITE_MS } from "../../src/jobs/tracker.js";
import { KEEP_ENDED } from "../../src/jobs/tracked.js";
import type { JobRecord, PollResult, TaskDriver } from "../../src/jobs/types.js";
import { MediaStore } from "../../src/media/store.js";
import { makePng } from "../../src/sandbox/media-fixtures.js";
import { tempDir } from "../helpers/harness.js";

/** Job ids and records as release 0.1.0 wrote them. */
const RELEASE_0_1_0 = JSON.parse(readFileSync(new URL("../fixtures/job-ids-0.1.0.json", import.meta.url), "utf8")) as Array<{
  tool: string;
  records: Record<string, JobRecord>;
}>;

let engines: JobEngine[] = [];
let children: ChildProcess[] = [];
let dirs: string[] = [];
afterEach(async () => {
  for (const e of engines) await e.close();
  for (const c of children) c.kill();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  engines = [];
  children = [];
  dirs = [];
});

function setup() {
  const dir = tempDir();
  dirs.push(dir);
  const store = new FileJobStore(dir);
  const jobs = new JobEngine(store, new MediaStore(dir, 10 * 1024 * 1024), { pollMinMs: 10, heartbeatMs: 50 });
  engines.push(jobs);
  return { dir, store, jobs };
}

/** A synchronous call of a fake vendor that makes an image (jobs.startLocal's fields but `run`). */
const FAKE_IMAGE = { vendor: "fake", op: "image", outputKind: "image" } as const;

/** A driver for `fake video` that answers each poll with the next of `answers` (the last one repeats). */
function fakeDriver(answers: Array<PollResult | Error | (() => Promise<PollResult>)>): TaskDriver & { polls: number } {
  const driver = {
    vendor: "fake",
    op: "video",
    outputKind: "image" as const,
    polls: 0,
    async poll(): Promise<PollResult> {
      const answer = answers[Math.min(driver.polls++, answers.length - 1)]!;
      if (answer instanceof Error) throw answer;
      return typeof answer === "function" ? answer() : answer;
    },
  };
  return driver;
}

function taskJobId(task: string): string {
  return mintJobId({ v: 1, vd: "fake", op: "video", task, t: Math.floor(Date.now() / 1000) }).jobId;
}

const png = makePng(8, 8);

describe("output file names", () => {
  it("reproduce every file name release 0.1.0 wrote", () => {
    for (const entry of RELEASE_0_1_0) {
      for (const record of Object.values(entry.records)) {
        record.assets.forEach((asset, i) => {
          const name = asset.uri.slice("media://files/".length);
          expect(name.replace(/\.[a-z0-9]+$/, ""), entry.tool).toBe(outputStem(decodeJobId(record.job_id), record.job_id, i, asset.role));
        });
      }
    }
  });

  it("count outputs from 1 and end with the role, made file-name safe", () => {
    const id = "job_eyJ2IjoxLCJ2ZCI6ImtsaW5nIiwib3AiOiJ2aWRlbyIsInRhc2siOiJ0LTEiLCJ0IjoxNzk2MDA0Nzc4fQ";
    expect(outputStem(decodeJobId(id), id, 1, "last frame")).toBe("20261130-021258-kling-video-517cdc91-2-last_frame");
    expect(outputStem(decodeJobId(id), id, 0)).toBe("20261130-021258-kling-video-517cdc91-1");
  });
});

describe("record changes", () => {
  const base: JobRecord = {
    ...newRecord("job_x", { v: 1, vd: "ark", op: "image", lid: "1", t: 0 }, "running"),
    detail: "queued (position 3)",
    percent: 40,
    error: { code: "Old", message: "old" },
    owner: { pid: 1, boot: "b" },
    updated_at: "2000-01-01T00:00:00.000Z",
  };

  it("clear the detail when it is given as undefined and keep other undefined fields", () => {
    const next = patchRecord(base, { status: "running", detail: undefined, percent: undefined });
    expect("detail" in next).toBe(false);
    expect(next.percent).toBe(40);
    expect(next.updated_at).not.toBe(base.updated_at);
    expect(base.detail).toBe("queued (position 3)"); // the old record is left alone
  });

  it("keep an error only on failed or expired jobs and an owner only on unfinished ones", () => {
    const running = patchRecord(base, { percent: 50 });
    expect("error" in running).toBe(false);
    expect(running.owner).toEqual(base.owner);
    const failed = patchRecord(base, { status: "failed", error: { code: "X", message: "y" } });
    expect(failed.error).toEqual({ code: "X", message: "y" });
    expect("owner" in failed).toBe(false);
  });

  it("of a synchronous call whose process died: billed once the vendor had answered (saving), may be billed before", () => {
    const before = interruptedRecord({ ...base, vendor: "animo", detail: "waiting for the answer" });
    expect(before.error!.message).toMatch(/stopped before the vendor answered; the request had been sent, so it may be billed/);
    const saving = interruptedRecord({ ...base, vendor: "animo", detail: DOWNLOADING });
    expect(saving).toMatchObject({ status: "failed", error: { code: "Interrupted" } });
    expect(saving.detail).toBeUndefined(); // no longer downloading
    expect(saving.error!.message).toMatch(
      /stopped while saving the outputs of this synchronous Animo call; Animo answered, so it is billed/,
    );
    // so once a save the disk or the fetch policy refused left it waiting; the detail keeps the vendor URLs
    const refused = interruptedRecord({
      ...base,
      vendor: "ark",
      detail: `${FINISHED_AT_VENDOR} 127.0.0.9 is not a public address. Vendor URL(s): http://x/y`,
    });
    expect(refused.error!.message).toMatch(/stopped while saving the outputs of this synchronous Ark call; Ark answered, so it is billed/);
    expect(refused.detail).toMatch(/Vendor URL\(s\): http:\/\/x\/y/);
    // What to do is the hint (the text's What to do line), not a sentence of the message.
    for (const e of [before.error!, saving.error!]) {
      expect(e.hint).toMatch(/^Check the vendor's billing before generating again/);
      expect(e.message).not.toMatch(/generating again/);
    }
  });
});

describe("vendor tasks", () => {
  it("retry a poll that could not reach the vendor, saying so, then save the outputs", async () => {
    const { dir, jobs } = setup();
    const driver = fakeDriver([
      // Late enough for the wait to be listening (a job resumed from its id alone writes no record, so nothing else yields first).
      () => sleep(30).then(() => Promise.reject(new AigcError({ category: "network", code: "ECONNRESET", message: "reset" }))),
      { status: "running", percent: 50 },
      { status: "succeeded", outputs: [{ data: png }] },
    ]);
    jobs.registerDriver(driver);
    const id = taskJobId("t-retry");
    const details: string[] = [];
    const done = await jobs.wait(id, { budgetMs: 5000, onProgress: (r) => details.push(r.detail ?? "") });
    expect(done.status).toBe("succeeded");
    expect(details).toContain("could not reach fake (ECONNRESET); retrying");
    expect(done.assets[0]!.path).toBe(`${dir}/${outputStem(decodeJobId(id), id, 0)}.png`);
    expect(existsSync(done.assets[0]!.path!)).toBe(true);
  });

  it("take a finished record another process stored at once, and let no poll under way write the job back", async () => {
    const { store, jobs } = setup();
    let entered!: () => void;
    const polling = new Promise<void>((r) => (entered = r));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const driver = fakeDriver([
      { status: "running", percent: 10 },
      () => (entered(), held.then((): PollResult => ({ status: "running", percent: 20 }))),
    ]);
    jobs.registerDriver(driver);
    const id = taskJobId("t-ended-elsewhere");
    expect(await jobs.wait(id, { budgetMs: 0 })).toMatchObject({ status: "running", percent: 10 });
    await polling;
    // Another process downloads the outputs and writes the finished record while this one's poll is under way.
    const ended = { ...(await store.load(id))!, status: "succeeded" as const, percent: 100, updated_at: new Date().toISOString() };
    await store.save(ended);
    expect(await jobs.wait(id, { budgetMs: 0 })).toMatchObject({ status: "succeeded" });
    release(); // the poll answers what it saw before the task ended elsewhere
    await sleep(200);
    expect(await store.load(id)).toMatchObject({ status: "succeeded", percent: 100 });
    expect(driver.polls).toBe(2);
  });

  it("write a record only when a poll finds the task changed, not at every poll of a long task", async () => {
    const { store, jobs } = setup();
    const saves: string[] = [];
    const save = store.save.bind(store);
    vi.spyOn(store, "save").mockImplementation(async (record) => {
      saves.push(`${record.status}${record.percent !== undefined ? ` ${record.percent}%` : ""}`);
      return save(record);
    });
    const running = (percent: number): PollResult => ({ status: "running", percent });
    const driver = fakeDriver([
      running(10),
      running(10),
      running(10),
      running(40),
      running(40),
      { status: "succeeded", outputs: [{ data: png }] },
    ]);
    jobs.registerDriver(driver);
    expect(await jobs.wait(taskJobId("t-long"), { budgetMs: 5000 })).toMatchObject({ status: "succeeded" });
    expect(driver.polls).toBe(6);
    expect(saves).toEqual(["running 10%", "running 40%", "succeeded 100%"]);
  });

  it("poll at once when the vendor calls back, however many callbacks come at most every 250 ms", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const jobs = new JobEngine(new FileJobStore(dir), new MediaStore(dir, 10 * 1024 * 1024), { pollMinMs: 3000, heartbeatMs: 50 });
    engines.push(jobs);
    const at: number[] = [];
    const driver = fakeDriver([{ status: "running" }]);
    const poll = driver.poll.bind(driver);
    driver.poll = (...a) => (at.push(Date.now()), poll(...a));
    jobs.registerDriver(driver);
    const id = taskJobId("t-callback");
    await jobs.wait(id, { budgetMs: 0 });
    await vi.waitFor(() => expect(at.length).toBe(1));
    const record = await jobs.wait(id, { budgetMs: 0 });
    expect(jobs.nudgeTask("fake", "other-task")).toBe(0);
    const t0 = Date.now();
    for (let i = 0; i < 20; i++) expect(jobs.nudgeTask("fake", record.vendor_task_id!)).toBe(1);
    await vi.waitFor(() => expect(at.length).toBe(2), { timeout: 2000 });
    expect(at[1]! - t0).toBeLessThan(1000);
    for (let i = 0; i < 20; i++) jobs.nudgeTask("fake", record.vendor_task_id!);
    await vi.waitFor(() => expect(at.length).toBe(3), { timeout: 2000 });
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(240);
    expect(at[2]! - at[1]!).toBeLessThan(1000);
  });

  it("are waited for by many calls at once without Node's 'possible memory leak' warning", async () => {
    const { jobs } = setup();
    jobs.registerDriver(fakeDriver([() => sleep(100).then(() => ({ status: "succeeded" as const, outputs: [{ data: png }] }))]));
    const warnings: Error[] = [];
    const onWarning = (w: Error) => void warnings.push(w);
    process.on("warning", onWarning);
    try {
      // Each wait listens for the engine's shutdown on one signal: more than Node's default of 10 at once.
      const done = await Promise.all(Array.from({ length: 20 }, (_, i) => jobs.wait(taskJobId(`t-many-${i}`), { budgetMs: 5000 })));
      expect(done.map((r) => r.status)).toEqual(Array(20).fill("succeeded"));
      await sleep(10); // warnings are emitted on a later tick
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
  });

  it("keep only the latest ended jobs in memory, and answer for the others from the store", async () => {
    const { jobs } = setup();
    const driver = fakeDriver([{ status: "succeeded", outputs: [{ data: png }] }]);
    jobs.registerDriver(driver);
    const ids = Array.from({ length: KEEP_ENDED + 40 }, (_, i) => taskJobId(`t-ended-${i}`));
    for (const id of ids) expect(await jobs.wait(id, { budgetMs: 5000 })).toMatchObject({ status: "succeeded" });
    await sleep(20); // the last job's work settles after its waiter is answered
    expect(jobs.inMemory).toBe(KEEP_ENDED);
    // The first job is no longer in memory: its record in the store answers, and the vendor is not asked again.
    const polls = driver.polls;
    const first = await jobs.wait(ids[0]!, { budgetMs: 0 });
    expect(first).toMatchObject({ status: "succeeded", assets: [{ sha256: expect.any(String) }] });
    expect(driver.polls).toBe(polls);
  });

  it("let a job cancelled after its tracker went idle leave memory too", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const jobs = new JobEngine(new FileJobStore(dir), new MediaStore(dir, 10 * 1024 * 1024), { pollMinMs: 10, trackIdleMs: 100 });
    engines.push(jobs);
    jobs.registerDriver({
      ...fakeDriver([]),
      poll: (h) => Promise.resolve(h.task === "t-idle" ? { status: "running" } : { status: "succeeded", outputs: [{ data: png }] }),
      cancel: () => Promise.resolve({ cancelled: true, status: "cancelled", message: "cancelled" }),
    });
    const idle = taskJobId("t-idle");
    await jobs.wait(idle, { budgetMs: 0 });
    await sleep(400); // nobody asks: the tracker stops polling
    expect((await jobs.cancel(idle)).record.status).toBe("cancelled");
    for (let i = 0; i < KEEP_ENDED + 20; i++) await jobs.wait(taskJobId(`t-after-idle-${i}`), { budgetMs: 5000 });
    await sleep(20);
    expect(jobs.inMemory).toBe(KEEP_ENDED);
  });

  it("save a finished record that failed to save again, without the note that it was not saved, and then let it leave memory", async () => {
    const { store, jobs } = setup();
    const save = store.save.bind(store);
    let failures = 1;
    vi.spyOn(store, "save").mockImplementation(async (record) => {
      if (record.status === "succeeded" && failures-- > 0) throw new Error("disk full");
      return save(record);
    });
    jobs.registerDriver(fakeDriver([{ status: "succeeded", outputs: [{ data: png }] }]));
    const id = taskJobId("t-save-later");
    expect((await jobs.wait(id, { budgetMs: 5000 })).detail).toMatch(/the job record was not saved: disk full/);
    await sleep(2500); // the first retry comes after 2 s
    expect((await store.load(id))?.detail ?? "").not.toMatch(/not saved/);
    expect((await jobs.wait(id, { budgetMs: 0 })).detail ?? "").not.toMatch(/not saved/);
    for (let i = 0; i < KEEP_ENDED; i++) await jobs.wait(taskJobId(`t-after-save-${i}`), { budgetMs: 5000 });
    await sleep(20);
    expect(jobs.inMemory).toBe(KEEP_ENDED);
  });

  it("wait as long as the vendor's Retry-After before polling again", async () => {
    const { jobs } = setup();
    const times: number[] = [];
    const stamp = (answer: PollResult | Error) => () => {
      times.push(Date.now());
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    };
    const busy = new AigcError({ category: "rate_limit", code: "429", message: "slow down", retryAfterMs: 400 });
    jobs.registerDriver(fakeDriver([stamp(busy), stamp({ status: "succeeded", outputs: [{ data: png }] })]));
    const done = await jobs.wait(taskJobId("t-retry-after"), { budgetMs: 5000 });
    expect(done.status).toBe("succeeded");
    // pollMinMs is 10 ms here, so only the vendor's 400 ms hint explains the gap.
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(380);
  });

  it("fail at once on a poll error that retrying cannot fix", async () => {
    const { jobs } = setup();
    const driver = fakeDriver([new AigcError({ category: "not_found", code: "TaskNotFound", message: "no such task" })]);
    jobs.registerDriver(driver);
    const done = await jobs.wait(taskJobId("t-gone"), { budgetMs: 5000 });
    expect(done).toMatchObject({ status: "failed", error: { code: "TaskNotFound" } });
    expect(driver.polls).toBe(1);
  });

  it("hold a zero-budget wait for the first poll of a resumed task, so the answer is current", async () => {
    const { jobs } = setup();
    const slow = () => new Promise<PollResult>((r) => setTimeout(() => r({ status: "running", detail: "rendering" }), 300));
    jobs.registerDriver(fakeDriver([slow]));
    const first = await jobs.wait(taskJobId("t-slow"), { budgetMs: 0 });
    expect(first).toMatchObject({ status: "running", detail: "rendering" });
  });

  it("are read back from the store when a wait begins, but not by the call that started them (its own polls see any end)", async () => {
    const { store, jobs } = setup();
    jobs.registerDriver(fakeDriver([{ status: "running", percent: 10 }]));
    const id = taskJobId("t-read-once");
    await jobs.wait(id, { budgetMs: 0 });
    const load = vi.spyOn(store, "load");
    await jobs.wait(id, { budgetMs: 0, originating: true });
    expect(load).not.toHaveBeenCalled();
    await jobs.wait(id, { budgetMs: 0 });
    expect(load).toHaveBeenCalledTimes(1);
  });

  it("say plainly when the vendor cannot cancel", async () => {
    const { jobs } = setup();
    jobs.registerDriver(fakeDriver([{ status: "running" }]));
    const { outcome } = await jobs.cancel(taskJobId("t-keep"));
    expect(outcome).toMatchObject({ cancelled: false, message: expect.stringMatching(/fake has no cancel endpoint/) });
    expect(jobs.canCancel(taskJobId("t-keep"))).toBe(false);
  });

  it("offer cancel only in the states the vendor cancels in, and never once finished", async () => {
    const { jobs } = setup();
    const answers: PollResult[] = [{ status: "queued" }, { status: "running" }, { status: "running" }];
    const driver = {
      ...fakeDriver(answers),
      cancelWhile: ["queued"] as const,
      cancel: () => Promise.resolve({ cancelled: true, message: "cancelled" }),
    };
    jobs.registerDriver(driver);
    const id = taskJobId("t-queued");
    expect(await jobs.wait(id, { budgetMs: 0 })).toMatchObject({ status: "queued" });
    expect(jobs.canCancel(id)).toBe(true);
    expect(await jobs.wait(id, { budgetMs: 300 })).toMatchObject({ status: "running" });
    expect(jobs.canCancel(id)).toBe(false);
    expect(jobs.canCancel("t.fake.video.0.unknown")).toBe(false);
  });
});

describe("local calls", () => {
  it("are not read back from the store while their own process waits on them: no other process can end them", async () => {
    const { jobs, store } = setup();
    const load = vi.spyOn(store, "load");
    const id = await jobs.startLocal({
      ...FAKE_IMAGE,
      run: () => Promise.resolve({ status: "succeeded" as const, outputs: [{ data: png }] }),
    });
    expect(await jobs.wait(id, { budgetMs: 5000 })).toMatchObject({ status: "succeeded" });
    expect(load).not.toHaveBeenCalled();
  });

  it("fail with the vendor's error", async () => {
    const { jobs } = setup();
    const id = await jobs.startLocal({
      ...FAKE_IMAGE,
      run: () => Promise.reject(new AigcError({ category: "content_policy", code: "SensitiveContent", message: "refused" })),
    });
    expect(await jobs.wait(id, { budgetMs: 5000 })).toMatchObject({ status: "failed", error: { code: "SensitiveContent" } });
  });

  it("end cancelled at once when the call that started them was cancelled before its wait began", async () => {
    const { jobs } = setup();
    let vendorSignal: AbortSignal | undefined;
    const id = await jobs.startLocal({
      ...FAKE_IMAGE,
      run: (signal) => {
        vendorSignal = signal;
        return new Promise((_, reject) => signal.addEventListener("abort", () => reject(cancelled("fake", signal, true))));
      },
    });
    const call = new AbortController();
    call.abort();
    // Its caller has gone: whatever this wait answers is dropped.
    await jobs.wait(id, { budgetMs: 5000, signal: call.signal, originating: true }).catch(() => undefined);
    expect(vendorSignal?.aborted).toBe(true);
    expect(await jobs.wait(id, { budgetMs: 0 })).toMatchObject({ status: "cancelled", detail: "cancelled before the vendor answered" });
  });

  it("once the vendor's answer is arriving, are not aborted by a cancel: the billed answer is read and saved", async () => {
    const { jobs } = setup();
    let vendorSignal: AbortSignal | undefined;
    let send: () => void = () => undefined;
    const id = await jobs.startLocal({
      ...FAKE_IMAGE,
      run: (signal, answered) => {
        vendorSignal = signal;
        answered(); // the 2xx status came; its body is still arriving
        return new Promise((resolve) => (send = () => resolve({ status: "succeeded", outputs: [{ data: png }] })));
      },
    });
    const call = new AbortController();
    const waiting = jobs.wait(id, { budgetMs: 5000, signal: call.signal, originating: true }).catch(() => undefined);
    call.abort();
    await waiting;
    expect(vendorSignal?.aborted).toBe(false);
    expect(await jobs.wait(id, { budgetMs: 0 })).toMatchObject({ status: "running", detail: DOWNLOADING });
    const { outcome } = await jobs.cancel(id);
    expect(outcome).toMatchObject({ cancelled: false, message: expect.stringMatching(/already answered, so the request is billed/) });
    send();
    expect(await jobs.wait(id, { budgetMs: 5000 })).toMatchObject({ status: "succeeded", assets: [{ bytes: png.length }] });
  });

  it("whose 2xx answer then fails (not the vendor's API, unreadable) end failed, no longer 'downloading results'", async () => {
    const { jobs } = setup();
    const id = await jobs.startLocal({
      ...FAKE_IMAGE,
      run: (_signal, answered) => {
        answered();
        return Promise.reject(new AigcError({ category: "bad_response", code: "NotVendorApi", message: "a web page" }));
      },
    });
    const ended = await jobs.wait(id, { budgetMs: 5000 });
    expect(ended).toMatchObject({ status: "failed", error: { code: "NotVendorApi" } });
    expect(ended.detail).toBeUndefined();
  });

  it("stopped by a shutdown while the vendor's answer arrives say it was billed, not that the vendor never answered", async () => {
    const { dir, jobs } = setup();
    const id = await jobs.startLocal({
      ...FAKE_IMAGE,
      run: (signal, answered) => {
        answered();
        return new Promise((_, reject) => signal.addEventListener("abort", () => reject(cancelled("fake", signal, true))));
      },
    });
    await jobs.wait(id, { budgetMs: 0 });
    await jobs.close(2000);
    expect((await new FileJobStore(dir).load(id))?.detail).toBeUndefined();
    expect(await new FileJobStore(dir).load(id)).toMatchObject({
      status: "failed",
      error: { code: "Interrupted", message: expect.stringMatching(/answered, so it is billed/) },
    });
  });

  it("keep a billed output a disk fault left unsaved when cancel_job comes, and save it at the next wait", async () => {
    const { jobs } = setup();
    const full = new AigcError({ category: "local", code: "DiskFull", message: "could not write to the output folder: no space left" });
    const save = vi.spyOn(MediaStore.prototype, "saveBuffer").mockRejectedValueOnce(full);
    try {
      const id = await jobs.startLocal({
        ...FAKE_IMAGE,
        run: () => Promise.resolve({ status: "succeeded", outputs: [{ data: png }] }),
      });
      expect((await jobs.wait(id, { budgetMs: 5000 })).detail).toMatch(new RegExp(`^${FINISHED_AT_VENDOR}`));
      const { outcome } = await jobs.cancel(id);
      expect(outcome).toMatchObject({ cancelled: false, message: expect.stringMatching(/already answered, so the request is billed/) });
      expect(await jobs.wait(id, { budgetMs: 5000 })).toMatchObject({ status: "succeeded", assets: [{ bytes: png.length }] });
    } finally {
      save.mockRestore();
    }
  });

  it("save a streamed body like any other output", async () => {
    const { dir, jobs } = setup();
    const id = await jobs.startLocal({
      ...FAKE_IMAGE,
      run: () => Promise.resolve({ status: "succeeded", outputs: [{ stream: Readable.from([png.subarray(0, 20), png.subarray(20)]) }] }),
    });
    const done = await jobs.wait(id, { budgetMs: 5000 });
    expect(done).toMatchObject({ status: "succeeded", assets: [{ mime_type: "image/png", bytes: png.length }] });
    // A keyed id: the handle is in the record.
    expect(done.assets[0]!.path).toBe(`${dir}/${outputStem(done.handle!, id, 0)}.png`);
  });

  it("take no download lease: their answer is in this process only", async () => {
    const { store, jobs } = setup();
    const acquire = vi.spyOn(store, "acquire");
    const id = await jobs.startLocal({
      ...FAKE_IMAGE,
      run: () => Promise.resolve({ status: "succeeded", outputs: [{ data: png }] }),
    });
    expect(await jobs.wait(id, { budgetMs: 5000 })).toMatchObject({ status: "succeeded" });
    expect(acquire).not.toHaveBeenCalled();
    // A vendor task, which any process may resume and save, still takes one.
    jobs.registerDriver(fakeDriver([{ status: "succeeded", outputs: [{ data: png }] }]));
    expect(await jobs.wait(taskJobId("t-lease"), { budgetMs: 5000 })).toMatchObject({ status: "succeeded" });
    expect(acquire).toHaveBeenCalledTimes(1);
  });

  it("write no 'downloading results' record for a quick download: two record writes for the whole call", async () => {
    const { store, jobs } = setup();
    const saves: string[] = [];
    const save = store.save.bind(store);
    vi.spyOn(store, "save").mockImplementation(async (record) => {
      saves.push(`${record.status}${record.detail ? `: ${record.detail}` : ""}`);
      return save(record);
    });
    const id = await jobs.startLocal({
      ...FAKE_IMAGE,
      run: () => Promise.resolve({ status: "succeeded", outputs: [{ data: png }], usage: { images: 1 } }),
    });
    expect(await jobs.wait(id, { budgetMs: 5000 })).toMatchObject({ status: "succeeded" });
    await sleep(PROGRESS_WRITE_MS + 200);
    expect(saves).toEqual(["running", "succeeded"]);
    // The final record carries what the progress said (the vendor's usage).
    expect(await store.load(id)).toMatchObject({ status: "succeeded", usage: { images: 1 }, assets: [{ bytes: png.length }] });
  });

  it("write 'downloading results' for a download that outlasts the progress delay, and store the final record last", async () => {
    const { store, jobs } = setup();
    let readWhole!: () => void;
    const stored: JobRecord[] = [];
    const save = store.save.bind(store);
    vi.spyOn(store, "save").mockImplementation(async (record) => {
      await save(record);
      stored.push(record);
      if (record.detail === "downloading results") readWhole();
    });
    // The body's last chunk comes only once the progress record is written.
    const written = new Promise<void>((r) => (readWhole = r));
    const body = Readable.from(
      (async function* () {
        yield png.subarray(0, 20);
        await written;
        yield png.subarray(20);
      })(),
    );
    const id = await jobs.startLocal({
      ...FAKE_IMAGE,
      run: () => Promise.resolve({ status: "succeeded", outputs: [{ stream: body }] }),
    });
    // Waiters see the progress at once, before it is written.
    const seen = await jobs.wait(id, { budgetMs: PROGRESS_WRITE_MS / 2 });
    expect(seen).toMatchObject({ status: "running", detail: "downloading results" });
    expect(await jobs.wait(id, { budgetMs: 5000 })).toMatchObject({ status: "succeeded" });
    expect(stored.map((r) => r.detail ?? r.status)).toEqual(["running", "downloading results", "succeeded"]);
    expect(await store.load(id)).toMatchObject({ status: "succeeded", assets: [{ bytes: png.length }] });
  });

  it("are aborted by cancel_job and end cancelled", async () => {
    const { jobs } = setup();
    let aborted = false;
    const id = await jobs.startLocal({
      ...FAKE_IMAGE,
      run: (signal) =>
        new Promise((_, reject) =>
          signal.addEventListener("abort", () => {
            aborted = true;
            reject(signal.reason as Error);
          }),
        ),
    });
    const { record, outcome } = await jobs.cancel(id);
    expect(aborted).toBe(true);
    expect(outcome).toMatchObject({
      cancelled: true,
      status: "cancelled",
      message: expect.stringMatching(/^Stopped waiting for fake's answer/),
    });
    expect(record).toMatchObject({ status: "cancelled", detail: "cancelled by cancel_job" });
    expect((await jobs.cancel(id)).outcome.message).toBe("The job already ended (cancelled); there is nothing to cancel.");
  });

  it("in flight when the server shuts down are recorded as interrupted before close() resolves", async () => {
    const { store, jobs } = setup();
    const id = await jobs.startLocal({
      ...FAKE_IMAGE,
      run: (signal) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason as Error))),
    });
    await jobs.close();
    expect(await store.load(id)).toMatchObject({ status: "failed", error: { code: "Interrupted" } });
  });

  it("stopped by a shutdown see it as the server's, not as a client's cancellation", async () => {
    const { jobs } = setup();
    let seen: AbortSignal | undefined;
    await jobs.startLocal({
      ...FAKE_IMAGE,
      run: (signal) =>
        new Promise((_, reject) => ((seen = signal), signal.addEventListener("abort", () => reject(signal.reason as Error)))),
    });
    await jobs.close();
    expect(seen!.aborted).toBe(true);
    // What a vendor request aborted by that signal reports (src/net/http.ts): not "cancelled by the client".
    expect(cancelled("Kling", seen, true)).toMatchObject({ code: "Interrupted", message: expect.stringMatching(/server shut down/) });
  });
});

describe("local calls run by another live process", () => {
  async function otherProcessJob(store: FileJobStore, owner: ChildProcess): Promise<JobRecord> {
    const handle = newLocalHandle("fake", "image");
    const record: JobRecord = { ...newRecord(encodeLegacyJobId(handle), handle, "running"), owner: { pid: owner.pid!, boot: "other" } };
    await store.save(record);
    return record;
  }
  function otherProcess(): ChildProcess {
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    children.push(child);
    return child;
  }

  it("are followed through their record and cannot be cancelled from here", async () => {
    const { store, jobs } = setup();
    const record = await otherProcessJob(store, otherProcess());
    expect(await jobs.wait(record.job_id, { budgetMs: 50 })).toMatchObject({ status: "running" });
    expect((await jobs.cancel(record.job_id)).outcome).toEqual({
      cancelled: false,
      message: "This job runs in another server process; cancel it from there (or let it finish).",
    });
    const { owner: _, ...finished } = { ...record, status: "succeeded" as const, detail: "done there" };
    await store.save(finished);
    expect(await jobs.wait(record.job_id, { budgetMs: 5000 })).toEqual(finished);
  });

  it("fail as interrupted when that process dies", async () => {
    const { store, jobs } = setup();
    const owner = otherProcess();
    const record = await otherProcessJob(store, owner);
    expect(await jobs.wait(record.job_id, { budgetMs: 50 })).toMatchObject({ status: "running" });
    const exited = new Promise((r) => owner.once("exit", r));
    owner.kill();
    await exited;
    const done = await jobs.wait(record.job_id, { budgetMs: 5000 });
    expect(done).toMatchObject({
      status: "failed",
      error: { code: "Interrupted", message: expect.stringMatching(/stopped before it finished/) },
    });
    expect("owner" in done).toBe(false);
  });
});

/**
 * The job engine's drain (the first step of a shutdown, src/main.ts): which waits end at once with
 * the job id and which go on. A wait on a vendor task ends; a create the vendor has not answered
 * is waited for (only this process would get its task id), then ends; a synchronous call goes on.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { SimRequest } from "../../../src/sandbox/sim-server.js";
import { startHarness, text, type Harness } from "../../helpers/harness.js";
import { jobOf, mark } from "../../helpers/results.js";

const isCreate = (r: SimRequest) => r.method === "POST" && r.path.endsWith("/contents/generations/tasks");
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const timed = <T>(p: Promise<T>) => p.then((value) => ({ value, at: Date.now() }));

describe("draining the job engine", () => {
  it("ends a wait on a vendor task at once, and on a create still unanswered once the vendor answers it", async () => {
    h = await startHarness({ ark: { queuedMs: 5000, runningMs: 5000 } });
    const polled = await h.call("seedance_generate_video", { prompt: "a long video", wait_seconds: 0 });
    const waiting = timed(h.call("wait_for_job", { job_id: jobOf(polled).job_id, wait_seconds: 60 }));
    // A create the vendor answers after 3 s: the call returns it `submitting` (1 s budget), and a wait_for_job waits on it.
    h.ark.sim.inject({ kind: "hang-answer", delayMs: 3000, match: isCreate });
    const m = mark(h.ark);
    const submitting = await h.call("seedance_generate_video", { prompt: "a hung create", wait_seconds: 1 });
    expect(jobOf(submitting).status).toBe("submitting");
    const creating = timed(h.call("wait_for_job", { job_id: jobOf(submitting).job_id, wait_seconds: 60 }));
    await new Promise((r) => setTimeout(r, 200));
    const drained = Date.now();
    h.app.jobs.drain();

    const w = await waiting;
    expect(w.at - drained).toBeLessThan(500);
    expect(jobOf(w.value).status).toBe("queued");
    expect(text(w.value)).toMatch(/this server is shutting down; wait_for_job resumes the job/);
    expect(text(w.value)).not.toMatch(/wait budget/); // the shutdown ended the wait, not the budget

    const c = await creating;
    expect(c.at - drained).toBeGreaterThan(500);
    expect(jobOf(c.value).status).toBe("queued");
    expect(jobOf(c.value).vendor_task_id).toBeTruthy();
    expect(m.since(isCreate)).toHaveLength(1);
  }, 30_000);

  it("stopping a create the vendor has not answered leaves a job the next process resumes, with no second create", async () => {
    h = await startHarness({ ark: { queuedMs: 100, runningMs: 200 } });
    h.ark.sim.inject({ kind: "hang-answer", delayMs: 1500, match: isCreate });
    const m = mark(h.ark);
    const call = h.call("seedance_generate_video", { prompt: "a create cut short", wait_seconds: 60 });
    await new Promise((r) => setTimeout(r, 300));
    // The end of a shutdown's grace (src/main.ts): jobs first, then the calls still open.
    h.app.jobs.drain();
    await h.app.close();
    h.app.calls.stopAll();
    const cut = jobOf(await call);
    expect(cut).toMatchObject({ status: "submitting" });
    const next = await h.restart();
    try {
      const done = jobOf(await next.call("wait_for_job", { job_id: cut.job_id, wait_seconds: 20 }));
      expect(done.status).toBe("succeeded");
    } finally {
      await next.close();
    }
    expect(m.since(isCreate)).toHaveLength(1);
  }, 30_000);

  it("lets a synchronous call finish and delivers it", async () => {
    h = await startHarness({ ark: { imageDelayMs: 1200 } });
    const image = timed(h.call("seedream_generate_image", { prompt: "a kite" }));
    await new Promise((r) => setTimeout(r, 200));
    h.app.jobs.drain();
    const i = await image;
    expect(jobOf(i.value)).toMatchObject({ status: "succeeded" });
    // Later waits on a task end at once too.
    const later = await h.call("seedance_generate_video", { prompt: "after the drain", wait_seconds: 60 });
    expect(jobOf(later).status).toMatch(/^(queued|running)$/);
  }, 30_000);
});

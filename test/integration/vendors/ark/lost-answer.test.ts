/**
 * Issue 11 items 11 and 12 for Seedance: a hung create returns a `submitting` job within the wait
 * budget, later calls resolve it without a second create, and a create whose answer is lost is
 * found in Ark's task list and attached to the same job (never called unreachable, never re-sent).
 */
import { describe, expect, it } from "vitest";
import { startHarness, structured, text } from "../../../helpers/harness.js";
import { hungCreate } from "../../../helpers/hung-create.js";
import { jobOf, mark } from "../../../helpers/results.js";
import type { SimRequest } from "../../../../src/sandbox/sim-server.js";
import { orphanJob } from "../../../helpers/owner.js";

const isCreate = (r: SimRequest) => r.method === "POST" && r.path.endsWith("/contents/generations/tasks");
const isList = (r: SimRequest) => r.method === "GET" && r.path.endsWith("/contents/generations/tasks");
const isImage = (r: SimRequest) => r.method === "POST" && r.path.endsWith("/images/generations");

describe("Seedance create within the wait budget", () => {
  it("a hung create returns a submitting job in time; wait_for_job resolves it with one create", async () => {
    const h = await startHarness();
    try {
      const { first, done, creates } = await hungCreate(h, h.ark, isCreate, "seedance_generate_video", { prompt: "a hung create" });
      expect(first.isError).toBeFalsy();
      expect(text(first)).toMatch(/Do not generate again/);
      expect(jobOf(done)).toMatchObject({ status: "succeeded" });
      expect(jobOf(done).vendor_task_id).toBeTruthy();
      expect(creates).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it("a submitting job whose server stopped is found in Ark's task list by the next server", async () => {
    const first = await startHarness();
    first.ark.sim.inject({ kind: "hang-answer", match: isCreate });
    const m = mark(first.ark);
    const r = await first.call("seedance_generate_video", { prompt: "the server stops", wait_seconds: 0, ratio: "16:9" });
    expect(jobOf(r).status).toBe("submitting");
    await first.app.close();
    const later = await first.restart();
    try {
      const done = await later.call("wait_for_job", { job_id: jobOf(r).job_id, wait_seconds: 20 });
      expect(jobOf(done)).toMatchObject({ status: "succeeded" });
      const created = [...first.ark.tasks.keys()];
      expect(jobOf(done).vendor_task_id).toBe(created.at(-1));
      expect(m.since(isCreate)).toHaveLength(1);
    } finally {
      await later.close();
      await first.close();
    }
  });
});

describe("a submitting Seedance job whose sending process died", () => {
  it("is resolved by another process through Ark's task list, with no second create", async () => {
    const first = await startHarness();
    first.ark.sim.inject({ kind: "hang-answer", match: isCreate });
    const m = mark(first.ark);
    const r = await first.call("seedance_generate_video", { prompt: "the sender dies", wait_seconds: 0, ratio: "16:9" });
    expect(jobOf(r).status).toBe("submitting");
    await first.app.close();
    orphanJob(first.dir, jobOf(r).job_id);
    const other = await first.restart();
    try {
      first.ark.sim.inject({ kind: "delay", delayMs: 2500, match: isList });
      const looking = await other.call("wait_for_job", { job_id: jobOf(r).job_id, wait_seconds: 1 });
      expect(structured<{ message: string }>(looking).message).toMatch(
        /^submitting: the server that sent the create stopped before Ark answered; looking the task up in Ark's task list;/,
      );
      const done = await other.call("wait_for_job", { job_id: jobOf(r).job_id, wait_seconds: 20 });
      expect(jobOf(done)).toMatchObject({ status: "succeeded", vendor_task_id: [...first.ark.tasks.keys()].at(-1) });
      expect(m.since(isCreate)).toHaveLength(1);
    } finally {
      await other.close();
      await first.close();
    }
  });
});

describe("Seedream (a synchronous call) whose answer is lost", () => {
  it("says the images may have been billed and that nothing was sent again, never 'unreachable'", async () => {
    const h = await startHarness();
    try {
      h.ark.sim.inject({ kind: "drop-answer", match: isImage });
      const m = mark(h.ark);
      const r = await h.call("seedream_generate_image", { prompt: "answer lost", wait_seconds: 20 });
      expect(r.isError).toBe(true);
      expect(text(r)).not.toMatch(/could not be reached/i);
      expect(text(r)).toMatch(/may have generated the output and billed it/);
      expect(text(r)).toMatch(/not sent again/);
      expect(jobOf(r)).toMatchObject({ status: "failed", error: { code: "CreateAnswerLost" } });
      expect(m.since(isImage)).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it("a hung Seedream call returns a running job by wait_seconds; its time-out is worded as may-have-billed", async () => {
    const h = await startHarness({ env: { AIGC_MCP_VENDOR_TIMEOUT_S: "2" } });
    try {
      h.ark.sim.inject({ kind: "hang-answer", match: isImage });
      const m = mark(h.ark);
      const t0 = Date.now();
      const r = await h.call("seedream_generate_image", { prompt: "hung", wait_seconds: 1 });
      expect(Date.now() - t0).toBeLessThan(1900);
      expect(jobOf(r).status).toBe("running");
      const done = await h.call("wait_for_job", { job_id: jobOf(r).job_id, wait_seconds: 10 });
      expect(jobOf(done)).toMatchObject({ status: "failed", error: { code: "CreateAnswerLost" } });
      expect(text(done)).toMatch(/may have generated the output and billed it/);
      expect(m.since(isImage)).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});

describe("Seedance create whose answer is lost", () => {
  it("finds the created task in the task list and attaches it to the same job", async () => {
    const h = await startHarness();
    try {
      h.ark.sim.inject({ kind: "drop-answer", match: isCreate });
      const m = mark(h.ark);
      const r = await h.call("seedance_generate_video", { prompt: "answer lost", wait_seconds: 20 });
      expect(text(r)).not.toMatch(/could not be reached/i);
      expect(jobOf(r)).toMatchObject({ status: "succeeded" });
      expect(jobOf(r).vendor_task_id).toBe([...h.ark.tasks.keys()].at(-1));
      expect(m.since(isCreate)).toHaveLength(1);
      expect(m.since((q) => q.method === "GET" && q.path.endsWith("/contents/generations/tasks")).length).toBeGreaterThan(0);
    } finally {
      await h.close();
    }
  });

  it("while the lookup runs, the submitting result says the answer was lost and the task is being looked up", async () => {
    const h = await startHarness();
    try {
      h.ark.sim.inject({ kind: "drop-answer", match: isCreate });
      h.ark.sim.inject({ kind: "delay", delayMs: 2500, match: isList });
      const r = await h.call("seedance_generate_video", { prompt: "answer lost, slow lookup", wait_seconds: 1 });
      expect(jobOf(r).status).toBe("submitting");
      const message = structured<{ message: string }>(r).message;
      expect(message).toMatch(/^submitting: the create answer was lost; looking the task up in Ark's task list; do not generate again/);
      for (const said of [message, text(r)]) expect(said).not.toMatch(/has not answered/);
      expect(text(r)).toMatch(/is submitting: the create answer was lost; looking the task up in Ark's task list\. Do not generate again/);
      const done = await h.call("wait_for_job", { job_id: jobOf(r).job_id, wait_seconds: 20 });
      expect(jobOf(done)).toMatchObject({ status: "succeeded" });
    } finally {
      await h.close();
    }
  });

  it("says a task may have been billed, and does not retry, when the list has no match", async () => {
    const h = await startHarness();
    try {
      h.ark.sim.inject({ kind: "reset", match: isCreate });
      const m = mark(h.ark);
      const r = await h.call("seedance_generate_video", { prompt: "answer lost, no task", wait_seconds: 20 });
      expect(r.isError).toBe(true);
      expect(text(r)).not.toMatch(/could not be reached/i);
      expect(text(r)).toMatch(/may have been created and billed/);
      expect(jobOf(r)).toMatchObject({ status: "failed", error: { code: "CreateAnswerLost" } });
      expect(m.since(isCreate)).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});

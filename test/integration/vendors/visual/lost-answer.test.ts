/**
 * Issue 11 items 11 and 12 for Jimeng: the wait budget bounds a hung submit (a `submitting` job,
 * never a second submit), and a submit whose answer is lost says honestly that Volcengine Visual
 * offers no lookup by request, never "unreachable" and never sent again; the same when the process
 * that sent it died.
 */
import { describe, expect, it } from "vitest";
import type { SimRequest } from "../../../../src/sandbox/sim-server.js";
import { startHarness, text } from "../../../helpers/harness.js";
import { orphanJob } from "../../../helpers/owner.js";
import { hungCreate } from "../../../helpers/hung-create.js";
import { jobOf, mark } from "../../../helpers/results.js";

const isSubmit = (r: SimRequest) => /SubmitTask$/.test(r.query.get("Action") ?? "");

describe("Jimeng submit within the wait budget", () => {
  it("a hung submit returns a submitting job in time; wait_for_job resolves it with one submit", async () => {
    const h = await startHarness();
    try {
      const { done, creates } = await hungCreate(h, h.sandbox.visual, isSubmit, "jimeng_generate_image", { prompt: "a hung submit" });
      expect(jobOf(done)).toMatchObject({ status: "succeeded" });
      expect(creates).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});

describe("Jimeng submit whose answer is lost", () => {
  it("says a task may have been billed and that Jimeng offers no lookup; nothing is sent again", async () => {
    const h = await startHarness();
    try {
      h.sandbox.visual.sim.inject({ kind: "drop-answer", match: isSubmit });
      const m = mark(h.sandbox.visual);
      const r = await h.call("jimeng_generate_image", { prompt: "answer lost", wait_seconds: 20 });
      expect(r.isError).toBe(true);
      expect(text(r)).not.toMatch(/could not be reached/i);
      expect(text(r)).toMatch(/may have been created and billed/);
      expect(text(r)).toMatch(/offers no way to look a task up/);
      expect(jobOf(r)).toMatchObject({ status: "failed", error: { code: "CreateAnswerLost" } });
      expect(m.since(isSubmit)).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it("a submitting job whose sending process died: another process says it cannot be resumed, and why", async () => {
    const first = await startHarness();
    first.sandbox.visual.sim.inject({ kind: "hang-answer", match: isSubmit });
    const m = mark(first.sandbox.visual);
    const r = await first.call("jimeng_generate_image", { prompt: "the sender dies", wait_seconds: 0 });
    expect(jobOf(r).status).toBe("submitting");
    await first.app.close();
    orphanJob(first.dir, jobOf(r).job_id);
    const other = await first.restart();
    try {
      const done = await other.call("wait_for_job", { job_id: jobOf(r).job_id, wait_seconds: 10 });
      expect(jobOf(done)).toMatchObject({ status: "failed", error: { code: "CreateAnswerLost" } });
      expect(text(done)).toMatch(/stopped before .* answered/);
      expect(text(done)).toMatch(/offers no way to look a task up/);
      expect(m.since(isSubmit)).toHaveLength(1);
    } finally {
      await other.close();
      await first.close();
    }
  });
});

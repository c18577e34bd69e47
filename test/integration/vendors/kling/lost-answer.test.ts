/**
 * Issue 11 items 11 and 12 for Kling, on the engine's one lost-answer path: the wait budget bounds
 * a hung create (a `submitting` job), and a create whose answer is lost is found by the
 * external_task_id the job kept and attached to the same job, never sent again.
 */
import { describe, expect, it } from "vitest";
import type { SimRequest } from "../../../../src/sandbox/sim-server.js";
import { startHarness, text } from "../../../helpers/harness.js";
import { hungCreate } from "../../../helpers/hung-create.js";
import { jobOf, mark } from "../../../helpers/results.js";

const isCreate = (r: SimRequest) => r.method === "POST" && r.path === "/v1/videos/text2video";

describe("Kling create within the wait budget", () => {
  it("a hung create returns a submitting job in time; wait_for_job resolves it with one create", async () => {
    const h = await startHarness();
    try {
      const { done, creates } = await hungCreate(h, h.sandbox.kling, isCreate, "kling_text_to_video", {
        prompt: "a hung create",
        model: "kling-v3",
      });
      expect(jobOf(done)).toMatchObject({ status: "succeeded" });
      expect(creates).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});

describe("Kling create whose answer is lost", () => {
  it("is found by its external_task_id and attached to the same job; nothing is sent again", async () => {
    const h = await startHarness();
    try {
      h.sandbox.kling.sim.inject({ kind: "drop-answer", match: isCreate });
      const m = mark(h.sandbox.kling);
      const r = await h.call("kling_text_to_video", { prompt: "answer lost", wait_seconds: 20 });
      expect(text(r)).not.toMatch(/could not be reached/i);
      const created = [...h.sandbox.kling.tasks.values()].at(-1)!;
      expect(jobOf(r)).toMatchObject({ status: "succeeded", vendor_task_id: created.id });
      expect(m.since(isCreate)).toHaveLength(1);
      expect(m.since((q) => q.method === "GET" && q.path === `/v1/videos/text2video/${created.data.externalTaskId}`)).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it("when Kling cannot be asked, the job polls by the external id and resolves once Kling answers", async () => {
    const h = await startHarness();
    try {
      const kling = h.sandbox.kling;
      kling.sim.inject({ kind: "drop-answer", match: isCreate });
      kling.sim.inject({
        kind: "status",
        status: 503,
        times: 3,
        match: (q) => q.method === "GET",
        body: { code: 5001, message: "maintenance" },
      });
      const m = mark(kling);
      const said: string[] = [];
      const r = await h.call(
        "kling_text_to_video",
        { prompt: "answer lost, Kling down", wait_seconds: 20 },
        { onprogress: (p) => void said.push(p.message ?? "") },
      );
      expect(jobOf(r)).toMatchObject({ status: "succeeded" });
      // It says how the task was attached: never "found in Kling's task list", which Kling never showed.
      expect(said.join("\n")).toMatch(
        /Kling could not be asked for the task \(5001\), so the job polls it by the external_task_id it was sent with/,
      );
      expect(said.join("\n")).not.toMatch(/found task .* in Kling's task list/);
      expect(jobOf(r).vendor_task_id).toBe([...kling.tasks.values()].at(-1)!.data.externalTaskId);
      expect(m.since(isCreate)).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it("a create that never got a task says so without a second create", async () => {
    const h = await startHarness();
    try {
      h.sandbox.kling.sim.inject({ kind: "reset", match: isCreate });
      const m = mark(h.sandbox.kling);
      const r = await h.call("kling_text_to_video", { prompt: "reset before Kling", wait_seconds: 20 });
      expect(r.isError).toBe(true);
      expect(text(r)).not.toMatch(/could not be reached/i);
      expect(jobOf(r)).toMatchObject({ status: "failed", error: { code: "CreateAnswerLost" } });
      expect(m.since(isCreate)).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});

/**
 * Issue 11 items 11 and 12 for Animo: in async mode the wait budget bounds a hung submit (a
 * `submitting` job, one submit); in sync mode a render whose answer is lost says it may have been
 * billed and is not sent again.
 */
import { describe, expect, it } from "vitest";
import type { SimRequest } from "../../../../src/sandbox/sim-server.js";
import { startHarness, text } from "../../../helpers/harness.js";
import { hungCreate } from "../../../helpers/hung-create.js";
import { jobOf, mark } from "../../../helpers/results.js";

const isSubmit = (r: SimRequest) => r.method === "POST" && r.path.endsWith("/v1/video/generation");
const isRender = (r: SimRequest) => r.method === "POST" && r.path === "/animo";

describe("Animo within the wait budget", () => {
  it("async: a hung submit returns a submitting job in time; wait_for_job resolves it with one submit", async () => {
    const h = await startHarness({ env: { ANIMO_MODE: "async" } });
    try {
      const { done, creates } = await hungCreate(h, h.sandbox.animo, isSubmit, "animo_generate_video", { prompt: "a hung submit" });
      expect(jobOf(done)).toMatchObject({ status: "succeeded" });
      expect(creates).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it("sync: a render whose answer is lost may have been billed and is not sent again", async () => {
    const h = await startHarness();
    try {
      h.sandbox.animo.sim.inject({ kind: "drop-answer", match: isRender });
      const m = mark(h.sandbox.animo);
      const r = await h.call("animo_generate_video", { prompt: "answer lost", wait_seconds: 20 });
      expect(r.isError).toBe(true);
      expect(text(r)).not.toMatch(/could not be reached/i);
      expect(jobOf(r)).toMatchObject({ status: "failed", error: { code: "CreateAnswerLost" } });
      expect(text(r)).toMatch(/may have generated the output and billed it/);
      expect(m.since(isRender)).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});

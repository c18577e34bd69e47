/**
 * Issue 11 items 11 and 12 for gateway_speech (a synchronous, per-character billed call): a hung
 * call returns a running job by wait_seconds, and an answer lost after the request was sent says
 * it may have been billed, never "unreachable", and is not sent again.
 */
import { describe, expect, it } from "vitest";
import type { SimRequest } from "../../../../src/sandbox/sim-server.js";
import { startHarness, text } from "../../../helpers/harness.js";
import { jobOf, mark } from "../../../helpers/results.js";

const isSpeech = (r: SimRequest) => r.method === "POST" && r.path === "/v1/audio/speech";

describe("gateway_speech within the wait budget and with a lost answer", () => {
  it("a hung call returns by wait_seconds; its lost answer is worded as may-have-billed, with one request", async () => {
    const h = await startHarness({ env: { AI_GATEWAY_TIMEOUT_S: "2" } });
    try {
      h.sandbox.gateway.sim.inject({ kind: "hang-answer", match: isSpeech });
      const m = mark(h.sandbox.gateway);
      const t0 = Date.now();
      const r = await h.call("gateway_speech", { text: "hello", wait_seconds: 1 });
      expect(Date.now() - t0).toBeLessThan(1900);
      expect(jobOf(r).status).toBe("running");
      const done = await h.call("wait_for_job", { job_id: jobOf(r).job_id, wait_seconds: 10 });
      expect(done.isError).toBe(true);
      expect(text(done)).not.toMatch(/could not be reached/i);
      expect(jobOf(done)).toMatchObject({ status: "failed", error: { code: "CreateAnswerLost" } });
      expect(text(done)).toMatch(/may have generated the output and billed it/);
      expect(m.since(isSpeech)).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});

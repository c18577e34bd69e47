/** Jimeng job ids written by release 0.1.0 still poll: their x.rk / x.rj facts pick the req_key and req_json, the CVSync2Async family by default. */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeJobId } from "../../../../src/jobs/handle.js";
import type { VisualSimulator } from "../../../../src/vendors/visual/simulator.js";
import { startHarness, structured, type Harness } from "../../../helpers/harness.js";
import { lastRequest } from "../../../helpers/results.js";

const RELEASE_0_1_0 = JSON.parse(readFileSync(new URL("../../../fixtures/job-ids-0.1.0.json", import.meta.url), "utf8")) as Array<{
  tool: string;
  job_id: string;
}>;

describe("Jimeng job ids of release 0.1.0", () => {
  let h: Harness;
  let v: VisualSimulator;
  beforeAll(async () => {
    h = await startHarness();
    v = h.sandbox.visual;
  });
  afterAll(() => h.close());

  it("resume from the id alone against tasks the vendor still holds, with the recorded req_key and req_json", async () => {
    const visualTasks = RELEASE_0_1_0.map((e) => ({ ...e, handle: decodeJobId(e.job_id) })).filter(
      (e) => e.handle.vd === "visual" && e.handle.task,
    );
    expect(visualTasks.map((e) => e.tool).sort()).toEqual([
      "jimeng_generate_image",
      "jimeng_generate_video",
      "jimeng_portrait_photo",
      "volc_visual_call",
    ]);
    for (const { tool, job_id, handle } of visualTasks) {
      const kind = handle.op === "video" ? "video" : "image";
      v.tasks.set(handle.task!, {
        id: handle.task!,
        createdMs: v.sim.now(),
        queuedMs: 0,
        runningMs: 0,
        outcome: "succeeded",
        data: { reqKey: handle.x!.rk!, family: "async", body: {}, prompt: tool, kind },
      });
      const done = structured<{ status: string; assets: unknown[] }>(await h.call("wait_for_job", { job_id, wait_seconds: 20 }));
      expect(done.status, tool).toBe("succeeded");
      expect(done.assets.length, tool).toBeGreaterThan(0);
      const poll = lastRequest(v, (r) => r.query.get("Action") === "CVSync2AsyncGetResult");
      expect(poll.json, tool).toEqual({ req_key: handle.x!.rk, task_id: handle.task, ...(handle.x!.rj ? { req_json: handle.x!.rj } : {}) });
    }
  });
});

/** Jimeng jobs through the job tools: resuming after a restart, and cancel_job. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VisualSimulator } from "../../../../src/vendors/visual/simulator.js";
import { startHarness, structured, text, type Harness } from "../../../helpers/harness.js";
import { jobOf, lastRequest } from "../../../helpers/results.js";
import { isAction } from "./helpers.js";

describe("Jimeng tools through the MCP server", () => {
  let h: Harness;
  let v: VisualSimulator;
  beforeAll(async () => {
    h = await startHarness();
    v = h.sandbox.visual;
  });
  afterAll(() => h.close());

  const lastBody = (action: string) => lastRequest(v, isAction(action)).json as Record<string, unknown>;

  it("a restarted server resumes a Jimeng job from its id alone (req_key and req_json are in the handle)", async () => {
    const started = jobOf(await h.call("jimeng_generate_image", { prompt: "[slow] resume me", logo: { add: true }, wait_seconds: 0 }));
    const second = await h.restart();
    try {
      const done = jobOf(await second.call("wait_for_job", { job_id: started.job_id, wait_seconds: 20 }));
      expect(done.status).toBe("succeeded");
      expect(JSON.parse(lastBody("CVSync2AsyncGetResult").req_json as string)).toMatchObject({
        return_url: true,
        logo_info: { add_logo: true },
      });
    } finally {
      await second.close();
    }
  });

  it("cancel_job uses CVCancelTask and reports the vendor's answer", async () => {
    const queued = jobOf(await h.call("jimeng_generate_video", { prompt: "[slow] cancel me", wait_seconds: 0 }));
    const c = await h.call("cancel_job", { job_id: queued.job_id });
    expect(structured(c)).toMatchObject({ cancelled: true, status: "cancelled" });
    expect(text(c)).toMatch(/accepted CVCancelTask/);
    expect(lastRequest(v, isAction("CVCancelTask")).query.get("Version")).toBe("2024-06-06");
    const running = jobOf(await h.call("jimeng_generate_video", { prompt: "[slow] keep going", wait_seconds: 0 }));
    v.sim.advance(200);
    const refused = await h.call("cancel_job", { job_id: running.job_id });
    expect(structured(refused)).toMatchObject({ cancelled: false });
    expect(text(refused)).toMatch(/code 50200: .*generating/);
  });
});

/** Jimeng jobs through the job tools: resuming after a restart, and cancel_job. */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
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

  it("a CVProcess call cancelled while its answer arrives is read to the end: the billed image is kept", async () => {
    // The answer's first half comes once the image is made, the rest 2 s later.
    v.sim.inject({ kind: "slow-body", delayMs: 2000, match: isAction("CVProcess") });
    const ac = new AbortController();
    const args = { model: "jimeng_high_aes_general_v21_L", prompt: "a bell", width: 512, height: 512, wait_seconds: 30 };
    const pending = h.call("jimeng_generate_image", args, { signal: ac.signal });
    await vi.waitFor(() => expect(v.sim.requests.some(isAction("CVProcess"))).toBe(true));
    const sent = Date.now();
    const latest = async () => structured<{ jobs: Array<{ job_id: string; detail?: string }> }>(await h.call("list_jobs", {})).jobs[0]!;
    await vi.waitFor(async () => expect((await latest()).detail).toBe("downloading results"), { timeout: 5000, interval: 20 });
    expect(Date.now() - sent).toBeLessThan(1500); // the answer has begun, not ended
    ac.abort();
    await expect(pending).rejects.toThrow();
    const job = await latest();
    const done = jobOf(await h.call("wait_for_job", { job_id: job.job_id, wait_seconds: 20 }));
    expect(done).toMatchObject({ status: "succeeded", model: "jimeng_high_aes_general_v21_L" });
    expect(done.assets).toHaveLength(1);
  });
});

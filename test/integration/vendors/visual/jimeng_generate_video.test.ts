import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePng } from "../../../../src/sandbox/media-fixtures.js";
import type { VisualSimulator } from "../../../../src/vendors/visual/simulator.js";
import { startHarness, structured, text, type Harness } from "../../../helpers/harness.js";

type Job = {
  job_id: string;
  status: string;
  vendor: string;
  error?: { code: string; message: string };
  assets: Array<{ path: string; mime_type: string; url?: string; expires_at?: string }>;
};

const isAction = (a: string) => (r: { query: URLSearchParams }) => r.query.get("Action") === a;

describe("Jimeng tools through the MCP server", () => {
  let h: Harness;
  let v: VisualSimulator;
  beforeAll(async () => {
    h = await startHarness();
    v = h.sandbox.visual;
  });
  afterAll(() => h.close());

  const lastBody = (action: string) => v.sim.requests.filter(isAction(action)).at(-1)!.json as Record<string, unknown>;
  const requestsSince = (n: number) => v.sim.requests.length - n;

  it("jimeng_generate_video: duration becomes frames, aspect ratio for text only; a job handed back early resumes", async () => {
    const r = await h.call("jimeng_generate_video", { prompt: "waves at dusk", duration: 10, aspect_ratio: "9:16", wait_seconds: 0 });
    const started = structured<Job>(r);
    expect(["queued", "running"]).toContain(started.status);
    expect(lastBody("CVSync2AsyncSubmitTask")).toEqual({
      req_key: "jimeng_ti2v_v30_pro",
      prompt: "waves at dusk",
      seed: -1,
      frames: 241,
      aspect_ratio: "9:16",
    });
    const done = structured<Job>(await h.call("wait_for_job", { job_id: started.job_id, wait_seconds: 20 }));
    expect(done.status).toBe("succeeded");
    expect(done.assets[0]!.mime_type).toBe("video/mp4");
    const ttl = Date.parse(done.assets[0]!.expires_at!) - Date.now();
    expect(ttl).toBeLessThanOrEqual(3600_000);
  });

  it("first+last-frame video sends both frames in order; invalid combinations are refused first", async () => {
    const f = join(h.dir, "first.png");
    const l = join(h.dir, "last.png");
    writeFileSync(f, makePng(480, 320, 4));
    writeFileSync(l, makePng(480, 320, 5));
    const r = await h.call("jimeng_generate_video", { model: "jimeng_i2v_first_tail_v30", first_frame: f, last_frame: l, prompt: "morph" });
    expect(structured<Job>(r).status).toBe("succeeded");
    const body = lastBody("CVSync2AsyncSubmitTask");
    expect((body.binary_data_base64 as string[]).map((s) => Buffer.from(s, "base64").equals(makePng(480, 320, 4)))).toEqual([true, false]);
    expect(body.aspect_ratio).toBeUndefined();
    const before = v.sim.requests.length;
    const small = join(h.dir, "small.png");
    writeFileSync(small, makePng(200, 200, 6));
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ prompt: "x", last_frame: l }, /last_frame: needs first_frame/],
      [{ model: "jimeng_i2v_first_v30", prompt: "x" }, /first_frame: .*needs a first_frame/],
      [{ model: "jimeng_t2v_v30", first_frame: f }, /text-to-video only/],
      [{ model: "jimeng_i2v_first_tail_v30", first_frame: f }, /needs both/],
      [{ first_frame: f, aspect_ratio: "1:1" }, /aspect_ratio: applies to text-to-video only/],
      [{}, /prompt: text-to-video needs a prompt/],
      [{ prompt: "x", duration: 7 }, /duration/],
      [{ first_frame: small }, /short side must be at least 320/],
    ];
    for (const [args, re] of cases) {
      const res = await h.call("jimeng_generate_video", args);
      expect(res.isError, JSON.stringify(args)).toBe(true);
      expect(text(res)).toMatch(re);
    }
    expect(requestsSince(before)).toBe(0);
  });
});

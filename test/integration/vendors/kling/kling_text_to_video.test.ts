import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KlingSimulator } from "../../../../src/vendors/kling/simulator.js";
import { startHarness, text, type Harness } from "../../../helpers/harness.js";
import { refusedByKling, rejectedBeforeAnyRequest } from "./helpers.js";
import { jobOf, lastRequest } from "../../../helpers/results.js";

describe("Kling tools", () => {
  let h: Harness;
  let sim: KlingSimulator;
  beforeAll(async () => {
    h = await startHarness({ kling: { maxParallelVideo: 3 } });
    sim = h.sandbox.kling;
  });
  afterAll(() => h.close());

  const rejected = (name: string, args: Record<string, unknown>, pattern: RegExp) => rejectedBeforeAnyRequest(h, name, args, pattern);

  it("text-to-video: sends a string duration and the JWT, saves the MP4 and the watermarked copy", async () => {
    const r = await h.call("kling_text_to_video", {
      prompt: "a fox in snow",
      model: "kling-v2-6",
      duration: 5,
      mode: "pro",
      aspect_ratio: "9:16",
      sound: true,
      watermark: true,
      wait_seconds: 20,
    });
    const job = jobOf(r);
    expect(job.status).toBe("succeeded");
    expect(job.model).toBe("kling-v2-6");
    expect(job.assets.map((a) => [a.mime_type, a.role])).toEqual([
      ["video/mp4", undefined],
      ["video/mp4", "watermarked"],
    ]);
    expect(Date.parse(job.assets[0]!.expires_at!)).toBeGreaterThan(Date.now() + 29 * 86400_000);
    const sent = sim.sim.requests.find((q) => q.method === "POST" && (q.json as { prompt?: string }).prompt === "a fox in snow")!;
    expect(sent.json).toMatchObject({
      model_name: "kling-v2-6",
      duration: "5",
      mode: "pro",
      sound: "on",
      watermark_info: { enabled: true },
    });
    // the sandbox configures KLING_API_KEY, which is preferred (AK/SK signing is covered in the auth tests)
    expect(String(sent.headers.authorization)).toBe(`Bearer ${sim.apiKey}`);
    expect(text(r)).not.toContain(sim.apiKey);
  });

  it("text-to-video: shape rules before any call, per-model rules at Kling (explained), retired models before any call", async () => {
    await refusedByKling(
      h,
      "kling_text_to_video",
      { prompt: "x", model: "kling-v2-6", duration: 7 },
      /kling-v2-6\) takes duration 5, 10; got 7/,
    );
    await rejected(
      "kling_text_to_video",
      { prompt: "x", model: "kling-v2-master", negative_prompt: "blur" },
      /kling-v2-master was retired .* use kling-v3/,
    );
    await rejected("kling_text_to_video", { prompt: "x", model: "kling-v1", sound: true }, /kling-v1 was retired .*2026-09-15/);
    await rejected("kling_text_to_video", { prompt: "x", voice_ids: ["v1"] }, /voices need sound: true/);
    // camera_control and cfg_scale were Kling 1.x options; no model still served takes them (catalog.ts).
    await rejected("kling_text_to_video", { prompt: "x", camera_control: { type: "down_back" } }, /camera_control: is not an argument/);
    await rejected(
      "kling_text_to_video",
      { prompt: "x", model: "kling-v3", multi_shot: true, shot_type: "customize" },
      /needs multi_prompt/,
    );
    await rejected("kling_text_to_video", { prompt: "x", shot_type: "customize" }, /only applies with multi_shot/);
    await refusedByKling(
      h,
      "kling_text_to_video",
      { prompt: "x", model: "kling-v2-6", multi_shot: true, shot_type: "intelligence" },
      /kling-v2-6\) does not take multi_shot \(kling-v3 takes it\)/,
    );
    await rejected(
      "kling_text_to_video",
      {
        prompt: "x",
        model: "kling-v3",
        multi_shot: true,
        shot_type: "customize",
        duration: 10,
        multi_prompt: [
          { prompt: "a", duration: 3 },
          { prompt: "b", duration: 3 },
        ],
      },
      /add up to 6 s but duration is 10/,
    );
    await refusedByKling(
      h,
      "kling_text_to_video",
      { prompt: "x", model: "kling-video-o1" },
      /kling-video-o1 is not supported by videos\/text2video/,
    );
    await rejected("kling_text_to_video", { prompt: "x", mode: "standard" }, /mode/);
    await rejected("kling_text_to_video", { prompt: "x", cfg_scale: 0.5 }, /cfg_scale: is not an argument of kling_text_to_video/);
  });

  it("multi-shot on Kling 3.0 builds indexed shots with string durations", async () => {
    const r = await h.call("kling_text_to_video", {
      prompt: "two shots",
      model: "kling-v3",
      multi_shot: true,
      shot_type: "customize",
      duration: 8,
      multi_prompt: [
        { prompt: "a", duration: 3 },
        { prompt: "b", duration: 5 },
      ],
      wait_seconds: 0,
    });
    expect(["queued", "running", "succeeded"]).toContain(jobOf(r).status);
    const sent = lastRequest(sim, (q) => q.method === "POST").json;
    expect(sent).toMatchObject({
      multi_shot: true,
      shot_type: "customize",
      duration: "8",
      multi_prompt: [
        { index: 1, prompt: "a", duration: "3" },
        { index: 2, prompt: "b", duration: "5" },
      ],
    });
  });

  it("an unknown model name is passed through and Kling's answer explains it", async () => {
    const r = await h.call("kling_text_to_video", { prompt: "x", model: "kling-v9-future" });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(
      /Error: 1203 \(Kling, HTTP 404, request id [\w-]+\): model kling-v9-future is not supported by videos\/text2video/,
    );
    expect(text(r)).toMatch(/What to do: .*model/);
  });

  it("waits locally on 1303 and reports it as progress", async () => {
    sim.sim.advance(60_000);
    sim.sim.inject({
      kind: "status",
      status: 429,
      times: 2,
      match: (q) => q.method === "POST",
      body: { code: 1303, message: "parallel task over resource pack limit", request_id: "r1303" },
    });
    const messages: string[] = [];
    const r = await h.call(
      "kling_text_to_video",
      { prompt: "busy day", wait_seconds: 30 },
      { onprogress: (p) => messages.push(p.message ?? "") },
    );
    expect(jobOf(r).status).toBe("succeeded");
    expect(messages.some((m) => /parallel-task limit \(1303\); queued locally/.test(m))).toBe(true);
  });
});

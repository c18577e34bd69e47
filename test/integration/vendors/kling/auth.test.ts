/**
 * Kling's two credentials through the tools: an API key works everywhere (legacy and new standard)
 * and is preferred; an AK/SK pair works on the legacy endpoints, and a new-standard model called
 * with it alone is refused before anything is sent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KlingSimulator } from "../../../../src/vendors/kling/simulator.js";
import { startHarness, text, type Harness } from "../../../helpers/harness.js";
import { PNG } from "./helpers.js";
import { jobOf, lastRequest, mark } from "../../../helpers/results.js";

describe("Kling credentials", () => {
  let h: Harness;
  let sim: KlingSimulator;
  beforeAll(async () => {
    h = await startHarness({ kling: { maxParallelVideo: 50 } });
    sim = h.sandbox.kling;
  });
  afterAll(() => h.close());

  it("API key only: Kling 3.0 Turbo on the new standard (model in the path, options.external_task_id, GET /tasks), legacy models too", async () => {
    const seen = mark(sim);
    const r = await h.call("kling_text_to_video", {
      prompt: "a fox",
      model: "kling-3.0-turbo",
      duration: 8,
      mode: "pro",
      wait_seconds: 20,
    });
    expect(jobOf(r)).toMatchObject({ status: "succeeded", model: "kling-3.0-turbo" });
    const reqs = seen.since();
    const post = reqs.find((q) => q.method === "POST")!;
    expect(post.path).toBe("/text-to-video/kling-3.0-turbo");
    expect(post.json).toMatchObject({
      prompt: "a fox",
      settings: { duration: 8, resolution: "1080p" },
      options: { external_task_id: expect.stringMatching(/^aigc-/) },
    });
    expect(post.json).not.toHaveProperty("model_name");
    const taskId = jobOf(r).vendor_task_id;
    expect(reqs.some((q) => q.method === "GET" && q.path === "/tasks" && q.query.get("task_ids") === taskId)).toBe(true);
    const api = reqs.filter((q) => q.path === "/tasks" || q.path.startsWith("/text-to-video/"));
    expect(api.length).toBeGreaterThan(1);
    for (const q of api) expect(q.headers.authorization).toBe(`Bearer ${sim.apiKey}`);

    const i2v = await h.call("kling_image_to_video", { image: PNG, prompt: "it moves", model: "kling-3.0-turbo", wait_seconds: 20 });
    expect(jobOf(i2v)).toMatchObject({ status: "succeeded", model: "kling-3.0-turbo" });
    const i2vPost = lastRequest(sim, (q) => q.method === "POST");
    expect(i2vPost.path).toBe("/image-to-video/kling-3.0-turbo");
    expect((i2vPost.json as { contents: Array<{ type: string }> }).contents.map((c) => c.type)).toEqual(["prompt", "first_frame"]);

    const legacy = await h.call("kling_text_to_video", { prompt: "a fox", wait_seconds: 20 });
    expect(jobOf(legacy)).toMatchObject({ status: "succeeded", model: "kling-v3" });
    const legacyPost = lastRequest(sim, (q) => q.method === "POST");
    expect(legacyPost.path).toBe("/v1/videos/text2video");
    expect(legacyPost.headers.authorization).toBe(`Bearer ${sim.apiKey}`);
    expect(text(legacy)).not.toContain(sim.apiKey);
  });

  it("a new-standard job resumes in a restarted server from its id alone", async () => {
    const started = jobOf(await h.call("kling_text_to_video", { prompt: "later", model: "kling-3.0-turbo", wait_seconds: 0 }));
    expect(["queued", "running"]).toContain(started.status);
    const h2 = await h.restart();
    try {
      const done = jobOf(await h2.call("wait_for_job", { job_id: started.job_id, wait_seconds: 20 }));
      expect(done).toMatchObject({ status: "succeeded", model: "kling-3.0-turbo" });
      expect(done.assets[0]!.mime_type).toBe("video/mp4");
    } finally {
      await h2.close();
    }
  });

  it("both set: the API key is preferred", async () => {
    const both = await startHarness({
      existing: { sandbox: h.sandbox, dir: h.dir },
      env: { KLING_ACCESS_KEY: sim.accessKey, KLING_SECRET_KEY: sim.secretKey },
    });
    try {
      expect(jobOf(await both.call("kling_generate_image", { prompt: "a cup", wait_seconds: 20 })).status).toBe("succeeded");
      expect(lastRequest(sim, (q) => q.method === "POST").headers.authorization).toBe(`Bearer ${sim.apiKey}`);
    } finally {
      await both.close();
    }
  });

  it("AK/SK only: legacy endpoints sign an HS256 JWT; a new-standard model is refused before anything is sent", async () => {
    const aksk = await startHarness({
      existing: { sandbox: h.sandbox, dir: h.dir },
      env: { KLING_API_KEY: "", KLING_ACCESS_KEY: sim.accessKey, KLING_SECRET_KEY: sim.secretKey },
    });
    try {
      const r = await aksk.call("kling_text_to_video", { prompt: "signed", wait_seconds: 20 });
      expect(jobOf(r)).toMatchObject({ status: "succeeded", model: "kling-v3" });
      const sent = lastRequest(sim, (q) => q.method === "POST");
      expect(sent.path).toBe("/v1/videos/text2video");
      expect(String(sent.headers.authorization)).toMatch(/^Bearer eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(text(r)).not.toContain(sim.secretKey);
      const before = mark(sim);
      const refused = await aksk.call("kling_text_to_video", { prompt: "turbo", model: "kling-3.0-turbo" });
      expect(refused.isError).toBe(true);
      expect(text(refused)).toMatch(/KLING_API_KEY/);
      expect(text(refused)).toMatch(/Nothing was sent/);
      expect(before.since()).toHaveLength(0);
    } finally {
      await aksk.close();
    }
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ArkClient } from "../../../../src/vendors/ark/client.js";
import { ArkSimulator } from "../../../../src/vendors/ark/simulator.js";
import { startHarness, structured, text, type Harness } from "../../../helpers/harness.js";
import { failure } from "../../../helpers/failure.js";

const S45 = "doubao-seedream-4-5-251128";
const SD15 = "doubao-seedance-1-5-pro-251215";

describe("Ark adapter against the simulator", () => {
  let sim: ArkSimulator;
  let client: ArkClient;
  beforeAll(async () => {
    sim = await new ArkSimulator({ queuedMs: 100, runningMs: 200, imageDelayMs: 5, maxRenderEdge: 128 }).start();
    client = new ArkClient({ apiKey: sim.apiKey, baseUrl: sim.baseUrl, imageModel: S45, videoModel: SD15 }, 2000);
  });
  afterAll(() => sim.close());
  afterEach(() => sim.sim.clearFaults());

  it("generates images as url and b64_json, and image groups", async () => {
    const one = await client.generateImages({ model: S45, prompt: "cat", size: "2048x2048", response_format: "url" });
    expect(one.data).toHaveLength(1);
    expect(one.data![0]!.url).toMatch(/X-Tos-Expires=86400/);
    const b64 = await client.generateImages({ model: S45, prompt: "cat", response_format: "b64_json" });
    expect(Buffer.from(b64.data![0]!.b64_json!, "base64").subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    const group = await client.generateImages({
      model: S45,
      prompt: "cat",
      sequential_image_generation: "auto",
      sequential_image_generation_options: { max_images: 3 },
    });
    expect(group.data).toHaveLength(3);
  });

  it("runs the video task state machine and lists tasks", async () => {
    const id = await client.createVideoTask({ model: SD15, content: [{ type: "text", text: "dog" }] });
    expect(id).toMatch(/^cgt-\d{14}-\w{5}$/);
    expect((await client.getVideoTask(id)).status).toBe("queued");
    sim.sim.advance(150);
    expect((await client.getVideoTask(id)).status).toBe("running");
    sim.sim.advance(200);
    const done = await client.getVideoTask(id);
    expect(done.status).toBe("succeeded");
    expect(done.content?.video_url).toMatch(/\.mp4\?/);
    const listed = await client.listVideoTasks({ page_size: 50, status: "succeeded" });
    expect(listed.items.map((t) => t.id)).toContain(id);
  });

  it("maps 401 to an auth error with the request id and no key", async () => {
    const bad = new ArkClient({ apiKey: "wrong-key-123456", baseUrl: sim.baseUrl, imageModel: S45, videoModel: SD15 }, 2000);
    const e = await failure(bad.generateImages({ model: S45, prompt: "x" }));
    expect(e.info).toMatchObject({ category: "auth", code: "AuthenticationError", httpStatus: 401 });
    expect(e.info.requestId).toMatch(/^0217/);
    expect(e.info.hint).toMatch(/ARK_API_KEY/);
    expect(e.message).not.toContain("Request id");
  });

  it("maps an unknown model to not_found with an activation hint", async () => {
    const e = await failure(client.generateImages({ model: "doubao-nope", prompt: "x" }));
    expect(e.info).toMatchObject({ category: "not_found", code: "InvalidEndpointOrModel.NotFound" });
    expect(e.info.hint).toMatch(/activate/);
  });

  it("maps moderation to content_policy", async () => {
    const e = await failure(client.generateImages({ model: S45, prompt: "[blocked] x" }));
    expect(e.info).toMatchObject({ category: "content_policy", code: "InputTextSensitiveContentDetected", httpStatus: 400 });
  });

  it("retries a 429 on create (rejected, not billed) and succeeds", async () => {
    sim.sim.inject({
      kind: "status",
      status: 429,
      headers: { "retry-after": "0" },
      body: { error: { code: "RateLimitExceeded.EndpointRPMExceeded", message: "rpm", type: "TooManyRequests" } },
    });
    const id = await client.createVideoTask({ model: SD15, content: [{ type: "text", text: "x" }] });
    expect(id).toMatch(/^cgt-/);
  });

  it("gives up after repeated 429s with a rate_limit error", async () => {
    sim.sim.inject({
      kind: "status",
      status: 429,
      times: 3,
      headers: { "retry-after": "0" },
      body: { error: { code: "RateLimitExceeded.EndpointRPMExceeded", message: "rpm" } },
    });
    const e = await failure(client.createVideoTask({ model: SD15, content: [{ type: "text", text: "x" }] }));
    expect(e.info.category).toBe("rate_limit");
  });

  it("does not retry a 500 on create (it may have created a task)", async () => {
    sim.sim.inject({ kind: "status", status: 500 });
    const before = sim.sim.requests.length;
    const e = await failure(client.createVideoTask({ model: SD15, content: [{ type: "text", text: "x" }] }));
    expect(e.info).toMatchObject({ category: "vendor", code: "InternalServiceError", httpStatus: 500 });
    expect(sim.sim.requests.length - before).toBe(1);
  });

  it("retries status polls on 500", async () => {
    const id = await client.createVideoTask({ model: SD15, content: [{ type: "text", text: "x" }] });
    sim.sim.inject({ kind: "status", status: 502, times: 2 });
    expect((await client.getVideoTask(id)).id).toBe(id);
  });

  it("waits out a slow but healthy response", async () => {
    sim.sim.inject({ kind: "delay", delayMs: 400 });
    const t0 = Date.now();
    const r = await client.generateImages({ model: S45, prompt: "slow" });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(390);
    expect(r.data).toHaveLength(1);
  });

  it("times out a hanging response", async () => {
    sim.sim.inject({ kind: "hang" });
    const quick = new ArkClient({ apiKey: sim.apiKey, baseUrl: sim.baseUrl, imageModel: S45, videoModel: SD15 }, 300);
    const e = await failure(quick.generateImages({ model: S45, prompt: "x" }));
    expect(e.info.category).toBe("timeout");
  });

  it("reports malformed JSON and truncated bodies as bad responses", async () => {
    sim.sim.inject({ kind: "malformed" });
    expect((await failure(client.createVideoTask({ model: SD15, content: [{ type: "text", text: "x" }] }))).info.category).toBe(
      "bad_response",
    );
    sim.sim.inject({ kind: "truncate" });
    const e = await failure(client.createVideoTask({ model: SD15, content: [{ type: "text", text: "x" }] }));
    expect(["network", "bad_response"]).toContain(e.info.category);
  });

  it("refuses an oversized answer", async () => {
    sim.sim.inject({ kind: "oversize", bytes: 70 * 1024 * 1024 });
    const e = await failure(client.generateImages({ model: S45, prompt: "x" }));
    expect(e.info).toMatchObject({ category: "too_large", code: "ResponseTooLarge" });
  });

  it("applies the DELETE rules: queued cancels, running refuses", async () => {
    // Phases a minute long, moved only by advance(), so a slow machine cannot change the phase.
    const slow = await new ArkSimulator({ queuedMs: 60_000, runningMs: 60_000 }).start();
    const c = new ArkClient({ apiKey: slow.apiKey, baseUrl: slow.baseUrl, imageModel: S45, videoModel: SD15 }, 2000);
    try {
      const queued = await c.createVideoTask({ model: SD15, content: [{ type: "text", text: "x" }] });
      await c.deleteVideoTask(queued);
      expect((await c.getVideoTask(queued)).status).toBe("cancelled");
      const running = await c.createVideoTask({ model: SD15, content: [{ type: "text", text: "x" }] });
      slow.sim.advance(60_001);
      expect((await c.getVideoTask(running)).status).toBe("running");
      const e = await failure(c.deleteVideoTask(running));
      expect(e.info.httpStatus).toBe(403);
    } finally {
      await slow.close();
    }
  });
});

describe("Ark tools end to end (in-process)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("seedream_generate_image saves real JPEGs and embeds them", async () => {
    const r = await h.call("seedream_generate_image", { prompt: "a lighthouse", size: "2048x2048", max_images: 2 });
    expect(r.isError).toBeFalsy();
    const s = structured<{
      status: string;
      assets: Array<{ path: string; mime_type: string; width: number; url: string; expires_at: string; sha256: string }>;
    }>(r);
    expect(s.status).toBe("succeeded");
    expect(s.assets).toHaveLength(2);
    for (const a of s.assets) {
      expect(a.mime_type).toBe("image/jpeg");
      expect(a.path.startsWith(h.dir)).toBe(true);
      expect(a.width).toBe(256);
      expect(a.url).toMatch(/^http:\/\/127\.0\.0\.1/);
      expect(Date.parse(a.expires_at) - Date.now()).toBeGreaterThan(23 * 3600_000);
      expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(r.content.filter((c) => c.type === "resource")).toHaveLength(2);
    expect(text(r)).toContain(s.assets[0]!.path);
  });

  it("seedance_generate_video downloads the video and the last frame", async () => {
    const r = await h.call("seedance_generate_video", { prompt: "waves", duration: 5, return_last_frame: true, wait_seconds: 20 });
    const s = structured<{
      status: string;
      vendor_task_id: string;
      assets: Array<{ mime_type: string; duration_s?: number; role?: string }>;
    }>(r);
    expect(s.status).toBe("succeeded");
    expect(s.vendor_task_id).toMatch(/^cgt-/);
    expect(s.assets.map((a) => a.mime_type)).toEqual(["video/mp4", "image/png"]);
    expect(s.assets[0]!.duration_s).toBeCloseTo(5, 1);
    expect(s.assets[1]!.role).toBe("last_frame");
  });

  it("reports a failed task with the vendor code and isError", async () => {
    const r = await h.call("seedance_generate_video", { prompt: "[fail] storm", wait_seconds: 20 });
    expect(r.isError).toBe(true);
    expect(structured(r)).toMatchObject({ status: "failed", error: { code: "OutputVideoSensitiveContentDetected" } });
  });

  it("reports an expired task", async () => {
    const r = await h.call("seedance_generate_video", { prompt: "[expire] calm", wait_seconds: 20 });
    expect(structured(r)).toMatchObject({ status: "expired" });
    expect(r.isError).toBe(true);
  });

  it("reports a vendor URL that expired before download", async () => {
    const first = await startHarness();
    const r1 = await first.call("seedance_generate_video", { prompt: "late download", wait_seconds: 0 });
    const { job_id, vendor_task_id } = structured<{ job_id: string; vendor_task_id: string }>(r1);
    await first.app.jobs.close(); // the server goes away before the task finishes
    const later = await first.restart();
    try {
      first.ark.sim.advance(1000);
      const peek = await fetch(`${first.ark.baseUrl}/contents/generations/tasks/${vendor_task_id}`, {
        headers: { authorization: `Bearer ${first.ark.apiKey}` },
      });
      expect(((await peek.json()) as { status: string }).status).toBe("succeeded");
      first.ark.sim.advance(25 * 3600_000); // the output URL expires before anyone downloads it
      const r = await later.call("wait_for_job", { job_id, wait_seconds: 10 });
      expect(r.isError).toBe(true);
      expect(structured(r)).toMatchObject({ status: "failed", error: { code: "MediaUrlExpired" } });
      expect(text(r)).toMatch(/expired/);
    } finally {
      await later.close();
      await first.close();
    }
  });

  it("moderation failures come back as isError with what to change", async () => {
    const r = await h.call("seedream_generate_image", { prompt: "[blocked] something" });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/InputTextSensitiveContentDetected/);
    expect(text(r)).toMatch(/What to do|Rephrase/);
  });
});

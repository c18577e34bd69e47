import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ArkClient } from "../../../../src/vendors/ark/client.js";
import { ArkSimulator } from "../../../../src/vendors/ark/simulator.js";
import { failure } from "../../../helpers/failure.js";
import { mark } from "../../../helpers/results.js";

// Current models the simulated Ark serves (a group-capable Seedream, the default Seedance).
const S40 = "doubao-seedream-4-0-20260415";
const SD20 = "doubao-seedance-2-0-260128";

describe("Ark adapter against the simulator", () => {
  let sim: ArkSimulator;
  let client: ArkClient;
  beforeAll(async () => {
    sim = await new ArkSimulator({ queuedMs: 100, runningMs: 200, imageDelayMs: 5, maxRenderEdge: 128 }).start();
    client = new ArkClient({ apiKey: sim.apiKey, baseUrl: sim.baseUrl }, 2000);
  });
  afterAll(() => sim.close());
  afterEach(() => sim.sim.clearFaults());

  it("generates images as url and b64_json, and image groups", async () => {
    const one = await client.generateImages({ model: S40, prompt: "cat", size: "2048x2048", response_format: "url" });
    expect(one.data).toHaveLength(1);
    expect(one.data![0]!.url).toMatch(/X-Tos-Expires=86400/);
    const b64 = await client.generateImages({ model: S40, prompt: "cat", response_format: "b64_json" });
    expect(Buffer.from(b64.data![0]!.b64_json!, "base64").subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    const group = await client.generateImages({
      model: S40,
      prompt: "cat",
      sequential_image_generation: "auto",
      sequential_image_generation_options: { max_images: 3 },
    });
    expect(group.data).toHaveLength(3);
  });

  it("runs the video task state machine and lists tasks", async () => {
    const id = await client.createVideoTask({ model: SD20, content: [{ type: "text", text: "dog" }] });
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
    const bad = new ArkClient({ apiKey: "wrong-key-123456", baseUrl: sim.baseUrl }, 2000);
    const e = await failure(bad.generateImages({ model: S40, prompt: "x" }));
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

  it("maps a model Ark has shut down to not_found (ModelNotOpen), never to a retry", async () => {
    const before = mark(sim);
    const e = await failure(client.createVideoTask({ model: "doubao-seedance-1-5-pro-251215", content: [{ type: "text", text: "x" }] }));
    expect(e.info).toMatchObject({ category: "not_found", code: "ModelNotOpen", httpStatus: 404 });
    expect(before.since().length).toBe(1);
  });

  it("maps moderation to content_policy", async () => {
    const e = await failure(client.generateImages({ model: S40, prompt: "[blocked] x" }));
    expect(e.info).toMatchObject({ category: "content_policy", code: "InputTextSensitiveContentDetected", httpStatus: 400 });
  });

  it("retries a 429 on create (rejected, not billed) and succeeds", async () => {
    sim.sim.inject({
      kind: "status",
      status: 429,
      headers: { "retry-after": "0" },
      body: { error: { code: "RateLimitExceeded.EndpointRPMExceeded", message: "rpm", type: "TooManyRequests" } },
    });
    const id = await client.createVideoTask({ model: SD20, content: [{ type: "text", text: "x" }] });
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
    const e = await failure(client.createVideoTask({ model: SD20, content: [{ type: "text", text: "x" }] }));
    expect(e.info.category).toBe("rate_limit");
  });

  it("does not retry a 500 on create (it may have created a task)", async () => {
    sim.sim.inject({ kind: "status", status: 500 });
    const before = mark(sim);
    const e = await failure(client.createVideoTask({ model: SD20, content: [{ type: "text", text: "x" }] }));
    expect(e.info).toMatchObject({ category: "vendor", code: "InternalServiceError", httpStatus: 500 });
    expect(before.since().length).toBe(1);
  });

  it("retries status polls on 500", async () => {
    const id = await client.createVideoTask({ model: SD20, content: [{ type: "text", text: "x" }] });
    sim.sim.inject({ kind: "status", status: 502, times: 2 });
    expect((await client.getVideoTask(id)).id).toBe(id);
  });

  it("waits out a slow but healthy response", async () => {
    sim.sim.inject({ kind: "delay", delayMs: 400 });
    const t0 = Date.now();
    const r = await client.generateImages({ model: S40, prompt: "slow" });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(390);
    expect(r.data).toHaveLength(1);
  });

  it("times out a hanging response", async () => {
    sim.sim.inject({ kind: "hang" });
    const quick = new ArkClient({ apiKey: sim.apiKey, baseUrl: sim.baseUrl }, 300);
    const e = await failure(quick.generateImages({ model: S40, prompt: "x" }));
    expect(e.info.category).toBe("timeout");
  });

  it("reports malformed JSON and truncated bodies as bad responses", async () => {
    sim.sim.inject({ kind: "malformed" });
    expect((await failure(client.createVideoTask({ model: SD20, content: [{ type: "text", text: "x" }] }))).info.category).toBe(
      "bad_response",
    );
    sim.sim.inject({ kind: "truncate" });
    const e = await failure(client.createVideoTask({ model: SD20, content: [{ type: "text", text: "x" }] }));
    expect(["network", "bad_response"]).toContain(e.info.category);
  });

  it("refuses an oversized answer", async () => {
    sim.sim.inject({ kind: "oversize", bytes: 70 * 1024 * 1024 });
    const e = await failure(client.generateImages({ model: S40, prompt: "x" }));
    expect(e.info).toMatchObject({ category: "too_large", code: "ResponseTooLarge" });
  });

  it("applies the DELETE rules: queued cancels, running refuses", async () => {
    // Phases a minute long, moved only by advance(), so a slow machine cannot change the phase.
    const slow = await new ArkSimulator({ queuedMs: 60_000, runningMs: 60_000 }).start();
    const c = new ArkClient({ apiKey: slow.apiKey, baseUrl: slow.baseUrl }, 2000);
    try {
      const queued = await c.createVideoTask({ model: SD20, content: [{ type: "text", text: "x" }] });
      await c.deleteVideoTask(queued);
      expect((await c.getVideoTask(queued)).status).toBe("cancelled");
      const running = await c.createVideoTask({ model: SD20, content: [{ type: "text", text: "x" }] });
      slow.sim.advance(60_001);
      expect((await c.getVideoTask(running)).status).toBe("running");
      const e = await failure(c.deleteVideoTask(running));
      expect(e.info.httpStatus).toBe(403);
    } finally {
      await slow.close();
    }
  });
});

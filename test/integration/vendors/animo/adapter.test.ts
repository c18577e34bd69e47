import { existsSync, readdirSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MediaStore } from "../../../../src/media/store.js";
import { fetchPolicy } from "../../../../src/net/fetch-policy.js";
import { AnimoSimulator } from "../../../../src/vendors/animo/simulator.js";
import { AnimoClient } from "../../../../src/vendors/animo/client.js";
import type { AnimoConfig } from "../../../../src/vendors/animo/config.js";
import { animoSyncBody } from "../../../../src/vendors/animo/video.js";
import { tempDir } from "../../../helpers/harness.js";
import { failure } from "../../../helpers/failure.js";
import { lastRequest, mark } from "../../../helpers/results.js";

const MB = 1024 * 1024;

describe("Animo adapter against the simulator", () => {
  let sim: AnimoSimulator;
  let cfg: AnimoConfig;
  let client: AnimoClient;
  let store: MediaStore;
  beforeAll(async () => {
    sim = await new AnimoSimulator({
      renderMs: 20,
      chunkDelayMs: 1,
      queuedMs: 100,
      runningMs: 200,
      maxRenderEdge: 128,
      fps: 4,
      hugeBytes: 6 * MB,
    }).start();
    cfg = { apiKey: sim.apiKey, endpoint: sim.endpoint, mode: "sync", timeoutMs: 5000 };
    client = new AnimoClient(cfg, 64 * MB);
    // The configured endpoint is on the URL fetch policy's allow-list, as loadVendors does for the server.
    store = new MediaStore(tempDir("aigc-animo-"), 64 * MB, undefined, fetchPolicy([sim.endpoint]));
  });
  afterAll(() => sim.close());
  afterEach(() => sim.sim.clearFaults());

  const save = (stream: NonNullable<Awaited<ReturnType<AnimoClient["openVideo"]>>["outputs"]>[number]["stream"], stem: string) =>
    store.saveStream(stream!, { stem, expect: "video", vendor: "Animo" });

  it("POSTs the JSON body with Bearer auth and streams a real MP4 back", async () => {
    const before = mark(sim);
    const result = await client.openVideo(animoSyncBody({ prompt: "a paper boat", duration: 3, style: "anime", resolution: "1920x1080" }));
    expect(result.status).toBe("succeeded");
    expect(result.outputs![0]!.mime).toBe("video/mp4");
    const asset = await save(result.outputs![0]!.stream, "sync-ok");
    expect(asset).toMatchObject({ mime_type: "video/mp4", width: 128, height: 80 });
    expect(asset.duration_s).toBeCloseTo(3, 1);
    const req = before.since()[0]!;
    expect(req.method).toBe("POST");
    expect(req.path).toBe("/animo");
    expect(req.headers.authorization).toBe(`Bearer ${sim.apiKey}`);
    expect(req.headers["content-type"]).toBe("application/json");
    expect(req.json).toEqual({ prompt: "a paper boat", duration: 3, style: "anime", resolution: "1920x1080" });
    expect(before.since().length).toBe(1);
  });

  it("maps a wrong key to an auth error with the request id and no key", async () => {
    const bad = new AnimoClient({ ...cfg, apiKey: "wrong-animo-key-123" }, 64 * MB);
    const e = await failure(bad.openVideo(animoSyncBody({ prompt: "x" })));
    expect(e.info).toMatchObject({ category: "auth", code: "UNAUTHORIZED", httpStatus: 401 });
    expect(e.info.requestId).toMatch(/^animo-/);
    expect(e.info.hint).toMatch(/ANIMO_API_KEY/);
    expect(JSON.stringify(e.info)).not.toContain("wrong-animo-key-123");
  });

  it("refuses a non-video Content-Type and names what came back", async () => {
    const e = await failure(client.openVideo(animoSyncBody({ prompt: "[json] x" })));
    expect(e.info).toMatchObject({ category: "bad_response", code: "NotVideo", httpStatus: 200 });
    expect(e.message).toContain('Content-Type "application/json"');
    expect(e.message).toContain('"requestId":"animo-req-1"');
    expect(e.info.hint).toMatch(/ANIMO_MODE=async/);
  });

  it("refuses a web page where the video should be (a sync render may have been billed before any proxy answered)", async () => {
    const e = await failure(client.openVideo(animoSyncBody({ prompt: "[html] x" })));
    expect(e.info).toMatchObject({ category: "bad_response", code: "NotVideo", httpStatus: 200 });
    expect(e.message).toContain('Content-Type "text/html; charset=utf-8"');
    expect(e.message).toContain("Sign in to Animo");
    expect(e.info.hint).toMatch(/ANIMO_ENDPOINT/);
  });

  it("maps content policy, render failures and plain-text errors, and never repeats the POST", async () => {
    expect((await failure(client.openVideo(animoSyncBody({ prompt: "[blocked] x" })))).info).toMatchObject({
      category: "content_policy",
      code: "CONTENT_POLICY_VIOLATION",
      httpStatus: 400,
    });
    let before = mark(sim);
    expect((await failure(client.openVideo(animoSyncBody({ prompt: "[fail] x" })))).info).toMatchObject({
      category: "vendor",
      code: "RENDER_FAILED",
      httpStatus: 500,
    });
    expect(before.since().length).toBe(1);
    sim.sim.inject({ kind: "status", status: 503, headers: { "content-type": "text/plain" }, body: "upstream render farm unavailable" });
    before = mark(sim);
    const e = await failure(client.openVideo(animoSyncBody({ prompt: "x" })));
    expect(e.info).toMatchObject({ category: "vendor", code: "HTTP503", message: "upstream render farm unavailable" });
    sim.sim.inject({
      kind: "status",
      status: 429,
      headers: { "retry-after": "0" },
      body: { error: "Too many requests", code: "RATE_LIMITED" },
    });
    expect((await failure(client.openVideo(animoSyncBody({ prompt: "x" })))).info).toMatchObject({
      category: "rate_limit",
      code: "RATE_LIMITED",
    });
    expect(before.since().length).toBe(2); // one each: a sync POST is never retried
  });

  it("rejects invalid fields the way the endpoint reports them", async () => {
    const e = await failure(client.openVideo({ query: "plugin-style field" }));
    expect(e.info).toMatchObject({ category: "invalid_input", code: "MISSING_PARAMETER" });
    expect(e.message).toContain("'prompt'");
  });

  it("refuses a declared body over the media cap without reading it", async () => {
    const small = new AnimoClient(cfg, 2 * MB);
    const e = await failure(small.openVideo(animoSyncBody({ prompt: "[huge] x" })));
    expect(e.info).toMatchObject({ category: "too_large", code: "MediaTooLarge" });
    expect(e.message).toContain(String(6 * MB));
  });

  it("caps an undeclared (chunked) body while streaming and leaves no partial file", async () => {
    const capped = new MediaStore(tempDir("aigc-animo-cap-"), 2 * MB);
    const result = await client.openVideo(animoSyncBody({ prompt: "[huge-stream] x" }));
    const e = await failure(capped.saveStream(result.outputs![0]!.stream!, { stem: "huge", expect: "video", vendor: "Animo" }));
    expect(e.info).toMatchObject({ category: "too_large", code: "MediaTooLarge" });
    expect(readdirSync(capped.dir)).toEqual([]);
  });

  it("times out a vendor that never answers (ANIMO_TIMEOUT_S)", async () => {
    sim.sim.inject({ kind: "hang" });
    const quick = new AnimoClient({ ...cfg, timeoutMs: 300 }, 64 * MB);
    const started = Date.now();
    const e = await failure(quick.openVideo(animoSyncBody({ prompt: "x" })));
    expect(e.info.category).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("aborts the POST when the job is cancelled", async () => {
    const ac = new AbortController();
    const p = client.openVideo(animoSyncBody({ prompt: "[slow] x" }), ac.signal);
    setTimeout(() => ac.abort(), 50);
    expect((await failure(p)).info.category).toBe("cancelled");
  });

  describe("async API (animo.video)", () => {
    let asyncClient: AnimoClient;
    beforeAll(() => {
      asyncClient = new AnimoClient({ ...cfg, mode: "async" }, 64 * MB);
    });

    it("submits, polls PENDING → PROCESSING → COMPLETED and serves the video URL", async () => {
      const before = mark(sim);
      const id = await asyncClient.submit("a spinning cube");
      const req = before.since()[0]!;
      expect(req.path).toBe("/animo/v1/video/generation");
      // Nothing configured: neither engine nor model is sent, so the server uses its own default.
      expect(req.json).toEqual({ prompt: "a spinning cube" });
      expect(sim.tasks.get(id)!.data).toMatchObject({ engine: "openai", model: "gpt-5.6-terra" });
      expect((await asyncClient.status(id)).status).toBe("PENDING");
      sim.sim.advance(150);
      const mid = await asyncClient.status(id);
      expect(mid.status).toBe("PROCESSING");
      expect(mid.progress).toBeGreaterThan(0);
      sim.sim.advance(200);
      const done = await asyncClient.status(id);
      expect(done.status).toBe("COMPLETED");
      const asset = await store.saveFromUrl(done.videoUrl!, { stem: "async", expect: "video", vendor: "Animo" });
      expect(asset.mime_type).toBe("video/mp4");
      expect(existsSync(asset.path!)).toBe(true);
    });

    it("sends aspect_ratio, engine and model exactly as given, and reads the server's engines and models", async () => {
      const before = mark(sim);
      const id = await asyncClient.submit("a square", { aspect_ratio: "1:1", engine: "anthropic", model: "claude-opus-4-8" });
      expect(before.since()[0]!.json).toEqual({
        prompt: "a square",
        aspect_ratio: "1:1",
        engine: "anthropic",
        model: "claude-opus-4-8",
      });
      expect(sim.tasks.get(id)!.data).toMatchObject({ aspect: "1:1", engine: "anthropic", model: "claude-opus-4-8" });
      const engines = await asyncClient.models();
      expect(engines.map((e) => e.engine)).toEqual(["openai", "anthropic", "gemini", "featherless", "litellm"]);
      expect(engines[1]).toMatchObject({ engine: "anthropic", configured: true, default: "claude-sonnet-5" });
      expect(engines[1]!.models).toContain("claude-opus-4-8");
      expect(lastRequest(sim)).toMatchObject({ method: "GET", path: "/animo/v1/models" });
    });

    it("retries a 429 on submit (rejected, nothing created) but not a 500", async () => {
      sim.sim.inject({
        kind: "status",
        status: 429,
        headers: { "retry-after": "0" },
        body: { error: "Too many requests", code: "RATE_LIMITED" },
      });
      let before = mark(sim);
      expect(await asyncClient.submit("x")).toMatch(/^[0-9a-f]{24}$/);
      expect(before.since().length).toBe(2);
      sim.sim.inject({ kind: "status", status: 500, body: { error: "internal", code: "INTERNAL" } });
      before = mark(sim);
      expect((await failure(asyncClient.submit("x"))).info).toMatchObject({ category: "vendor", code: "INTERNAL" });
      expect(before.since().length).toBe(1);
    });

    it("retries status reads on 5xx and maps an unknown id to not_found", async () => {
      const id = await asyncClient.submit("x");
      sim.sim.inject({ kind: "status", status: 502, times: 2, body: "bad gateway" });
      expect((await asyncClient.status(id)).requestId).toBe(id);
      expect((await failure(asyncClient.status("nope"))).info).toMatchObject({ category: "not_found", httpStatus: 404 });
    });

    it("reports a submit answer without a requestId as malformed", async () => {
      sim.sim.inject({ kind: "status", status: 200, body: { message: "Video generation completed", video_url: "https://x/v.mp4" } });
      expect((await failure(asyncClient.submit("x"))).info).toMatchObject({ category: "bad_response", code: "MalformedResponse" });
    });
  });
});

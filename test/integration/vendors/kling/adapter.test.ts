import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { KlingSimulator } from "../../../../src/vendors/kling/simulator.js";
import { KlingClient, newExternalTaskId, parseKlingJson, stringifyKling } from "../../../../src/vendors/kling/client.js";
import { klingPollResult } from "../../../../src/vendors/kling/tasks.js";
import { KlingElements } from "../../../../src/vendors/kling/elements.js";
import { failure } from "../../../helpers/failure.js";
import { lastRequest, mark } from "../../../helpers/results.js";

const T2V = { model_name: "kling-v2-6", prompt: "a fox", duration: "5" };

describe("Kling client against the simulator", () => {
  let sim: KlingSimulator;
  let client: KlingClient;
  const cfg = () => ({
    accessKey: sim.accessKey,
    secretKey: sim.secretKey,
    baseUrl: sim.baseUrl,
    videoModel: "kling-v2-6",
    imageModel: "kling-v2-1",
  });
  beforeAll(async () => {
    sim = await new KlingSimulator({ queuedMs: 100, runningMs: 200, maxParallelVideo: 2, lostReplyDelayMs: 4000 }).start();
    client = new KlingClient(cfg(), { timeoutMs: 2000, backoffBaseMs: 50, backoffMaxMs: 200 });
  });
  afterAll(() => sim.close());
  afterEach(() => {
    sim.sim.clearFaults();
    sim.sim.advance(60_000); // every earlier task finishes, freeing parallel slots
  });

  it("runs submitted → processing → succeed with ms timestamps and string durations", async () => {
    const created = await client.createTask("videos/text2video", T2V);
    expect(created.externalTaskId).toMatch(/^aigc-/);
    const sent = lastRequest(sim).json as Record<string, unknown>;
    expect(sent.external_task_id).toBe(created.externalTaskId);
    expect((await client.getTask("videos/text2video", created.taskId)).task_status).toBe("submitted");
    sim.sim.advance(150);
    expect((await client.getTask("videos/text2video", created.taskId)).task_status).toBe("processing");
    sim.sim.advance(200);
    const done = await client.getTask("videos/text2video", created.taskId);
    expect(done.task_status).toBe("succeed");
    expect(done.created_at).toBeGreaterThan(1e12);
    expect(done.task_result!.videos![0]!.duration).toBe("5.0");
    const byExternal = await client.getTask("videos/text2video", created.externalTaskId);
    expect(byExternal.task_id).toBe(created.taskId);
    const r = klingPollResult(done, "kling-v2-6");
    expect(r.status).toBe("succeeded");
    expect(r.outputs![0]!.url).toMatch(/\.mp4\?/);
    expect(Date.parse(r.outputs![0]!.expiresAt!) - done.updated_at!).toBe(30 * 24 * 3600_000);
  });

  it("rejects a numeric duration with 1201 (the bug the simulator is there to catch)", async () => {
    const e = await failure(client.createTask("videos/text2video", { ...T2V, duration: 5 }));
    expect(e.info).toMatchObject({ category: "invalid_input", code: "1201", httpStatus: 400 });
    expect(e.message).toMatch(/string/);
  });

  it("rejects data: URIs where Kling wants raw base64", async () => {
    const e = await failure(
      client.createTask("videos/image2video", { model_name: "kling-v2-6", image: "data:image/png;base64,iVBORw0KGgo=" }),
    );
    expect(e.message).toMatch(/without the "data:" prefix/);
  });

  it("maps an unknown model to not_found and content safety to content_policy", async () => {
    expect((await failure(client.createTask("videos/text2video", { ...T2V, model_name: "kling-v9" }))).info).toMatchObject({
      category: "not_found",
      code: "1203",
    });
    expect((await failure(client.createTask("videos/text2video", { ...T2V, prompt: "[blocked] x" }))).info).toMatchObject({
      category: "content_policy",
      code: "1301",
    });
  });

  it("backs off on 1303 within the budget, telling the caller it is queued locally", async () => {
    await client.createTask("videos/text2video", T2V);
    await client.createTask("videos/text2video", T2V);
    const before = sim.created;
    const messages: string[] = [];
    const pending = client.createTask("videos/text2video", T2V, { deadlineMs: Date.now() + 5000, onQueued: (m) => messages.push(m) });
    await new Promise((r) => setTimeout(r, 120));
    sim.sim.advance(1000); // the two running tasks finish, freeing slots
    const created = await pending;
    expect(created.taskId).toBeTruthy();
    expect(messages[0]).toMatch(/parallel-task limit \(1303\); queued locally/);
    expect(sim.created).toBe(before + 1);
  });

  it("gives up on 1303 when the budget runs out, saying nothing was billed", async () => {
    await client.createTask("videos/text2video", T2V);
    await client.createTask("videos/text2video", T2V);
    const e = await failure(client.createTask("videos/text2video", T2V, { deadlineMs: Date.now() + 100 }));
    expect(e.info).toMatchObject({ category: "rate_limit", code: "1303", httpStatus: 429 });
    expect(e.message).toMatch(/nothing was created or billed/);
  });

  it("retries 1302 rate limits too", async () => {
    sim.sim.inject({ kind: "status", status: 429, times: 2, body: { code: 1302, message: "rate limit", request_id: "r-1302" } });
    expect((await client.createTask("videos/text2video", T2V, { deadlineMs: Date.now() + 5000 })).taskId).toBeTruthy();
  });

  it("a create whose answer is lost is thrown as it is (never sent again); its external_task_id finds the task", async () => {
    const quick = new KlingClient(cfg(), { timeoutMs: 2000, createTimeoutMs: 300 });
    sim.loseCreateReplies = 1;
    const before = sim.created;
    const seen = mark(sim);
    const ext = newExternalTaskId();
    const e = await failure(quick.createTask("videos/text2video", T2V, { externalTaskId: ext }));
    expect(e.info).toMatchObject({ category: "timeout" });
    expect(sim.created).toBe(before + 1);
    const found = await quick.lookupExternal("videos/text2video", ext);
    expect(sim.tasks.get(found!.task_id)!.data.externalTaskId).toBe(ext);
    const after = seen.since();
    expect(after.map((r) => r.method)).toEqual(["POST", "GET"]);
    expect(after[1]!.path).toBe(`/v1/videos/text2video/${ext}`);
  });

  it("new standard: the lookup by external id goes through GET /tasks?external_task_ids=", async () => {
    const keyed = new KlingClient({ ...cfg(), apiKey: sim.apiKey }, { timeoutMs: 2000, createTimeoutMs: 300 });
    sim.loseCreateReplies = 1;
    const before = sim.created;
    const seen = mark(sim);
    const ext = newExternalTaskId();
    const route = { standard: "new", product: "text-to-video", model: "kling-3.0-turbo" } as const;
    await failure(keyed.createTask(route, { prompt: "a fox" }, { externalTaskId: ext }));
    expect(sim.created).toBe(before + 1);
    const found = await keyed.lookupExternal(route, ext);
    const after = seen.since();
    expect(after.map((r) => r.method)).toEqual(["POST", "GET"]);
    expect((after[0]!.json as { options: { external_task_id: string } }).options.external_task_id).toBe(ext);
    expect(after[1]!.path).toBe("/tasks");
    expect(after[1]!.query.get("external_task_ids")).toBe(ext);
    sim.sim.advance(1000);
    const done = await keyed.getNewTask(found!.task_id);
    expect(done.task_status).toBe("succeed");
    expect(klingPollResult(done).outputs?.[0]?.url).toMatch(/^http/);
  });

  it("a lookup of an external id Kling never saw answers null", async () => {
    expect(await client.lookupExternal("videos/text2video", newExternalTaskId())).toBeNull();
  });

  it("creates an element on the current service, reads long ids exactly, lists both libraries and deletes", async () => {
    const png = (await import("../../../../src/sandbox/media-fixtures.js")).makePng(64, 64).toString("base64");
    const elements = new KlingElements(client);
    const created = await elements.create({
      element_name: "fox",
      element_description: "a red fox",
      frontal_image: png,
      refer_images: [png],
    });
    const sent = lastRequest(sim);
    expect(sent.path).toBe("/v1/general/advanced-custom-elements");
    expect(sent.json).toMatchObject({
      reference_type: "image_refer",
      element_image_list: { frontal_image: png, refer_images: [{ image_url: png }] },
    });
    sim.sim.advance(1000);
    const task = await elements.get(created.taskId);
    expect(task.task_status).toBe("succeed");
    const id = task.elements[0]!.element_id;
    expect(id).toMatch(/^\d{19}$/);
    const current = await elements.list("current", "custom", { pageNum: 1, pageSize: 30 });
    expect(current.elements.map((e) => e.element_id)).toContain(id);
    expect((await elements.list("old", "official", { pageNum: 1, pageSize: 30 })).elements.length).toBeGreaterThan(0);
    expect((await elements.list("current", "official", { pageNum: 1, pageSize: 30 })).elements.length).toBeGreaterThan(0);
    await elements.delete(id);
    expect(lastRequest(sim).body.toString()).toBe(`{"element_id":"${id}"}`);
    expect((await elements.list("current", "custom", { pageNum: 1, pageSize: 30 })).elements.map((e) => e.element_id)).not.toContain(id);
    expect(parseKlingJson('{"element_id":9100000000000007919}')).toEqual({ element_id: "9100000000000007919" });
    expect(stringifyKling({ element_list: [{ element_id: "9100000000000007919" }] })).toBe(
      '{"element_list":[{"element_id":9100000000000007919}]}',
    );
  });

  it("reads series images and watermarked copies", async () => {
    const png = (await import("../../../../src/sandbox/media-fixtures.js")).makePng(320, 320).toString("base64");
    const c = await client.createTask("images/omni-image", {
      model_name: "kling-v3-omni",
      prompt: "p",
      image_list: [{ image: png }],
      result_type: "series",
      series_amount: 3,
      watermark_info: { enabled: true },
    });
    sim.sim.advance(1000);
    const r = klingPollResult(await client.getTask("images/omni-image", c.taskId));
    expect(r.outputs!.map((o) => o.role)).toEqual([
      "series",
      "series_watermarked",
      "series",
      "series_watermarked",
      "series",
      "series_watermarked",
    ]);
  });
});

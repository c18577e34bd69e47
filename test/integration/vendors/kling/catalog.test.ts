/**
 * Kling's catalog through its tools against the simulator (which keeps its own model rules): every
 * current model and default works, retired models are refused before any request, per-model
 * capabilities advise instead of refusing, strict mode refuses, vendor refusals are explained, the
 * issue's rejected-valid-values are accepted, and a model added by AIGC_MCP_MODELS_FILE works.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelTool } from "../../../../src/tools/plugin.js";
import { DEFAULT_MODELS, KLING_MODELS } from "../../../../src/vendors/kling/catalog.js";
import { makePng } from "../../../../src/sandbox/media-fixtures.js";
import { startHarness, structured, tempDir, text, type Harness } from "../../../helpers/harness.js";
import { type JobResult, jobOf, lastRequest, mark, type ModelList, requestsTo } from "../../../helpers/results.js";

const PNG = `data:image/png;base64,${makePng(320, 320, 1).toString("base64")}`;
const URL_PNG = "https://example.com/frame.png";

describe("Kling catalog through the tools", () => {
  let h: Harness;
  let tools: ModelTool[];
  beforeAll(async () => {
    h = await startHarness({ kling: { maxParallelVideo: 50, maxParallelImage: 50 } });
    tools = h.app.vendors.find((v) => v.id === "kling")!.models!.tools;
  });
  afterAll(() => h.close());

  const requests = () => h.sandbox.kling.sim.requests.length;
  const sent = () => lastRequest(h.sandbox.kling, (r) => r.method === "POST");
  async function ok(tool: string, args: Record<string, unknown>): Promise<JobResult> {
    const r = await h.call(tool, { wait_seconds: 20, ...args });
    expect(r.isError, `${tool} ${JSON.stringify(args).slice(0, 160)}: ${text(r)}`).toBeFalsy();
    const job = jobOf(r);
    expect(job.status, `${tool} ${JSON.stringify(args).slice(0, 160)}: ${text(r)}`).toBe("succeeded");
    return job;
  }

  it("runs every current catalog model through each tool that lists it, with the tool's sample", async () => {
    let runs = 0;
    for (const t of tools) {
      for (const m of KLING_MODELS.filter((x) => x.status === "active" && x.endpoints.includes(t.endpoint))) {
        const job = await ok(t.tool, { ...t.sample, model: m.id });
        expect(job.model).toBe(m.id);
        runs++;
      }
    }
    expect(runs).toBeGreaterThanOrEqual(20);
  });

  it("runs every default through its tool, and the defaults are the current models the issue names", async () => {
    expect(DEFAULT_MODELS).toMatchObject({ video: "kling-v3", image: "kling-v3", omniVideo: "kling-v3-omni" });
    for (const t of tools.filter((x) => x.default)) {
      expect(KLING_MODELS.find((m) => m.id === t.default)?.status, t.tool).toBe("active");
      const job = await ok(t.tool, t.sample);
      expect(job.model, t.tool).toBe(t.default);
    }
  });

  it("refuses every retired model before any request, naming the date and the successor", async () => {
    const toolFor: Record<string, string> = Object.fromEntries(tools.map((t) => [t.endpoint, t.tool]));
    toolFor["videos/multi-image2video"] = "kling_multi_image_to_video";
    const sample = (tool: string) => tools.find((t) => t.tool === tool)!.sample;
    const cases = KLING_MODELS.filter((m) => m.status === "retired").flatMap((m) =>
      m.endpoints.map((e) => ({ id: m.id, tool: toolFor[e]!, successor: m.successor!, date: m.statusDate! })),
    );
    cases.push({ id: "kling-v2-1", tool: "kling_image_to_video", successor: "kling-v3", date: "2026-09-15" });
    expect(cases.map((c) => c.id)).toEqual(
      expect.arrayContaining(["kling-v1", "kling-v1-5", "kling-v1-6", "kling-v2-1-master", "kling-v2", "kling-v2-new"]),
    );
    for (const c of cases) {
      const before = requests();
      const r = await h.call(c.tool, { ...sample(c.tool), model: c.id });
      expect(r.isError, `${c.tool} ${c.id}`).toBe(true);
      expect(text(r)).toContain(`${c.id} was retired by the vendor on ${c.date}; use ${c.successor}`);
      expect(requests(), `${c.tool} ${c.id}`).toBe(before);
    }
    const multi = await h.call("kling_multi_image_to_video", { images: [URL_PNG], prompt: "p", model: "kling-v1-6" });
    expect(text(multi)).toMatch(/now runs on Kling's omni-video: use kling-v3-omni or kling-video-o1/);
  });

  it("advises on a capability the model lacks and still calls Kling (which here accepts it)", async () => {
    // Kling 2.5 Turbo's documented durations are 5 and 10; this simulator build was told otherwise.
    const extra = await startHarness({
      kling: { extraModels: [{ id: "kling-v2-5-turbo", endpoints: ["videos/text2video"], durations: [5, 7, 10], modes: ["std", "pro"] }] },
    });
    try {
      const before = extra.sandbox.kling.created;
      const r = await extra.call("kling_text_to_video", { prompt: "a fox", model: "kling-v2-5-turbo", duration: 7, wait_seconds: 20 });
      expect(r.isError).toBeFalsy();
      expect(text(r)).toMatch(/Note: Kling 2.5 Turbo \(kling-v2-5-turbo\) takes duration 5, 10; got 7/);
      expect(jobOf(r).warnings).toEqual(["Kling 2.5 Turbo (kling-v2-5-turbo) takes duration 5, 10; got 7"]);
      expect(extra.sandbox.kling.created).toBe(before + 1);
    } finally {
      await extra.close();
    }
  });

  it("refuses that call locally with AIGC_MCP_MODEL_CHECKS=strict", async () => {
    const strict = await startHarness({ env: { AIGC_MCP_MODEL_CHECKS: "strict" } });
    try {
      const before = mark(strict.sandbox.kling);
      const r = await strict.call("kling_text_to_video", { prompt: "a fox", model: "kling-v2-5-turbo", duration: 7 });
      expect(r.isError).toBe(true);
      expect(text(r)).toMatch(/duration: Kling 2.5 Turbo \(kling-v2-5-turbo\) takes duration 5, 10; got 7.*strict/);
      expect(before.since()).toHaveLength(0);
    } finally {
      await strict.close();
    }
  });

  it("explains Kling's 1201 with the model's documented capability and the models that take the value", async () => {
    const r = await h.call("kling_text_to_video", { prompt: "a fox", model: "kling-v2-6", duration: 7 });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/1201/);
    expect(text(r)).toMatch(/duration 7 is not supported by kling-v2-6/);
    expect(text(r)).toMatch(/Kling 2.6 \(kling-v2-6\) takes duration 5, 10; got 7 \(kling-v3 takes it\)/);
    const mode = await h.call("kling_text_to_video", { prompt: "a fox", model: "kling-v2-6", mode: "4k" });
    expect(text(mode)).toMatch(/takes mode std, pro; got "4k" \(kling-v3 takes it\)/);
  });

  it("accepts each value the issue found wrongly refused (reference §8 rows 1-7)", async () => {
    // 1: kling-v3 on images/generations.
    await ok("kling_generate_image", { prompt: "a cat", model: "kling-v3" });
    expect(sent().json).toMatchObject({ model_name: "kling-v3" });
    // 2 and 3: image_reference on kling-v2-1, with human_fidelity and "subject".
    await ok("kling_generate_image", { prompt: "a cat", model: "kling-v2-1", image: PNG, image_reference: "subject", human_fidelity: 0.6 });
    expect(sent().json).toMatchObject({ model_name: "kling-v2-1", image_reference: "subject", human_fidelity: 0.6 });
    await ok("kling_generate_image", { prompt: "a cat", model: "kling-v2-1", image: PNG, image_reference: "face" });
    // 4: kling-v3-omni text-to-video and first-frame video at 3-15 s.
    for (const duration of [3, 7, 15]) {
      await ok("kling_omni_video", { prompt: "a lighthouse", model: "kling-v3-omni", aspect_ratio: "16:9", duration });
      expect(sent().json).toMatchObject({ model_name: "kling-v3-omni", duration: String(duration) });
    }
    await ok("kling_omni_video", {
      prompt: "<<<image_1>>> moves",
      model: "kling-v3-omni",
      images: [{ image: PNG, role: "first_frame" }],
      duration: 11,
    });
    // 5: mode 4k on kling-v3 (text and image) and kling-v3-omni.
    await ok("kling_text_to_video", { prompt: "a fox", model: "kling-v3", mode: "4k" });
    expect(sent().json).toMatchObject({ mode: "4k" });
    await ok("kling_image_to_video", { image: PNG, model: "kling-v3", mode: "4k" });
    await ok("kling_omni_video", { prompt: "a lighthouse", model: "kling-v3-omni", aspect_ratio: "9:16", mode: "4k" });
    // 6: multi-shot with first and last frame on kling-v3.
    const shots = {
      multi_shot: true,
      shot_type: "customize",
      multi_prompt: [
        { prompt: "a", duration: 2 },
        { prompt: "b", duration: 3 },
      ],
      duration: 5,
    };
    const clean = await ok("kling_image_to_video", { image: PNG, image_tail: PNG, model: "kling-v3", ...shots });
    expect(clean.warnings).toBeUndefined();
    expect(sent().json).toMatchObject({ multi_shot: true, image_tail: expect.any(String) });
    // 7: series_auto (series_amount "auto") on kling-v3-omni.
    await ok("kling_omni_image", { prompt: "a comic", model: "kling-v3-omni", result_type: "series", series_auto: true });
    expect(sent().json).toMatchObject({ result_type: "series", series_amount: "auto" });
  });

  it("takes a model added through AIGC_MCP_MODELS_FILE, on either API standard, with no code change", async () => {
    const dir = tempDir();
    const file = join(dir, "models.json");
    writeFileSync(
      file,
      JSON.stringify({
        kling: [
          { id: "kling-v3-5", label: "Kling 3.5", endpoints: ["videos/text2video"], capabilities: { duration: { min: 3, max: 20 } } },
          { id: "kling-3.5-turbo", endpoints: ["text-to-video"], capabilities: { duration: { min: 3, max: 20 } } },
        ],
      }),
    );
    const released = await startHarness({
      env: { AIGC_MCP_MODELS_FILE: file },
      kling: {
        extraModels: [
          { id: "kling-v3-5", endpoints: ["videos/text2video"], durations: [3, 12, 20], modes: ["std", "pro"] },
          { id: "kling-3.5-turbo", endpoints: ["text-to-video"], durations: [3, 20], resolutions: ["720p", "1080p"] },
        ],
      },
    });
    try {
      const legacy = jobOf(
        await released.call("kling_text_to_video", { prompt: "a fox", model: "kling-v3-5", duration: 20, wait_seconds: 20 }),
      );
      expect(legacy).toMatchObject({ status: "succeeded", model: "kling-v3-5" });
      expect(legacy.warnings).toBeUndefined();
      const fresh = jobOf(
        await released.call("kling_text_to_video", { prompt: "a fox", model: "kling-3.5-turbo", duration: 20, wait_seconds: 20 }),
      );
      expect(fresh).toMatchObject({ status: "succeeded", model: "kling-3.5-turbo" });
      const paths = requestsTo(released.sandbox.kling, (r) => r.method === "POST").map((r) => r.path);
      expect(paths).toEqual(["/v1/videos/text2video", "/text-to-video/kling-3.5-turbo"]);
      const listed = structured<{ vendors: Array<{ tools: Array<{ endpoint: string; models: Array<{ id: string }> }> }> }>(
        await released.call("list_models", { vendor: "kling", tool: "kling_text_to_video" }),
      );
      const ids = listed.vendors[0]!.tools.flatMap((t) => t.models.map((m) => m.id));
      expect(ids).toEqual(expect.arrayContaining(["kling-v3-5", "kling-3.5-turbo", "kling-3.0-turbo"]));
    } finally {
      await released.close();
    }
  });
});

describe("list_models for Kling's two API standards", () => {
  it("says in one line why text- and image-to-video each appear twice", async () => {
    const h = await startHarness();
    try {
      const r = await h.call("list_models", { vendor: "kling" });
      const tools = structured<ModelList>(r).vendors[0]!.tools;
      for (const name of ["kling_text_to_video", "kling_image_to_video"]) {
        const entries = tools.filter((t) => t.tool === name);
        expect(entries).toHaveLength(2);
        expect(entries.map((t) => t.note)).toEqual([
          expect.stringMatching(/legacy API standard .*AK\/SK or KLING_API_KEY/),
          expect.stringMatching(/new API standard .*KLING_API_KEY only/),
        ]);
      }
      expect(text(r)).toMatch(/kling_text_to_video \(text-to-video\): default none — Kling's new API standard/);
    } finally {
      await h.close();
    }
  });
});

/**
 * Quotes of the Jimeng tools (issue 14): no req_key has a published price, so every built-in
 * estimate is unknown with the fix; a prices file (or a models file) gives one, and the meters
 * count the call in that price's unit (images, seconds of video by resolution, or one output).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Quote, ToolDef } from "../../../../src/tools/define.js";
import { startHarness, type Harness } from "../../../helpers/harness.js";
import { mark } from "../../../helpers/results.js";

const IMAGE = "https://example.com/a.png";

const tool = (h: Harness, name: string): ToolDef => h.app.vendors.flatMap((v) => v.tools).find((t) => t.name === name)!;

async function quote(h: Harness, name: string, args: Record<string, unknown>): Promise<Quote> {
  return tool(h, name).quote!(args, { app: h.app, signal: new AbortController().signal });
}

describe("Jimeng quotes", () => {
  let h: Harness;
  let priced: Harness;
  beforeAll(async () => {
    h = await startHarness();
    const prices = join(h.dir, "prices.json");
    writeFileSync(
      prices,
      JSON.stringify({
        visual: [
          { model: "jimeng_ti2v_v30_pro", currency: "CNY", unit: "second", amount: 1 },
          { model: "jimeng_t2i_v40", currency: "CNY", unit: "image", amount: 0.2 },
          { model: "jimeng_realman_avatar_picture_omni_v15", currency: "CNY", unit: "item", amount: 3 },
          { model: "jimeng_dreamactor_m20_gen_video", currency: "CNY", unit: "second", amount: 1 },
          { model: "jimeng_i2v_recamera_v30", currency: "CNY", unit: "image", amount: 1 },
          {
            model: "*",
            currency: "CNY",
            unit: "item",
            rates: [
              { when: { resolution: "720p", duration: 5 }, amount: 2.5 },
              { when: { resolution: "1080p", duration: 5 }, amount: 4 },
              { when: { force_single: true }, amount: 0.3 },
            ],
          },
        ],
      }),
    );
    const models = join(h.dir, "models.json");
    writeFileSync(models, JSON.stringify({ visual: [{ id: "jimeng_t2i_v31", price: { currency: "CNY", unit: "image", amount: 0.15 } }] }));
    priced = await startHarness({
      existing: { sandbox: h.sandbox, dir: h.dir },
      env: { AIGC_MCP_PRICES_FILE: prices, AIGC_MCP_MODELS_FILE: models },
    });
  });
  afterAll(async () => {
    await priced.close();
    await h.close();
  });

  it("every paid tool's smallest call, default model: unknown with the fix, and no vendor request", async () => {
    const before = mark(h.sandbox.visual);
    const calls: Array<[string, Record<string, unknown>, string]> = [
      ["jimeng_generate_image", { prompt: "a red panda" }, "jimeng_t2i_v40"],
      ["jimeng_generate_image", { prompt: "a red panda", images: [IMAGE] }, "jimeng_t2i_v40"],
      ["jimeng_generate_video", { prompt: "a red panda" }, "jimeng_ti2v_v30_pro"],
      ["jimeng_generate_video", { prompt: "a red panda", first_frame: IMAGE, last_frame: IMAGE }, "jimeng_i2v_first_tail_v30_1080"],
      ["jimeng_portrait_photo", { image: IMAGE }, "i2i_portrait_photo"],
      ["volc_visual_call", { req_key: "jimeng_upscale", body: {} }, "jimeng_upscale"],
    ];
    for (const [name, args, model] of calls) {
      const q = await quote(h, name, args);
      expect(q, name).toMatchObject({ vendor: "visual", model, estimate: { amount: null } });
      expect(q.estimate.reason, name).toBe(
        `no published price for ${model} is known to aigc-mcp; give one in AIGC_MCP_PRICES_FILE to get estimates and budgets for it`,
      );
    }
    expect(before.since()).toHaveLength(0);
  });

  it("video: seconds from frames × the price per second (3.0 Pro is 1080p)", async () => {
    const q = await quote(priced, "jimeng_generate_video", { prompt: "a red panda", duration: 10 });
    expect(q.model).toBe("jimeng_ti2v_v30_pro");
    expect(q.estimate).toMatchObject({ amount: 10 * 1, currency: "CNY", confidence: "contract" });
    expect(q.estimate.basis).toBe("241 frames / 24 fps = 10 s → 10 s × ¥1/s (resolution 1080p, duration 10) = ¥10 for jimeng_ti2v_v30_pro");
    const byDefault = await quote(priced, "jimeng_generate_video", { prompt: "a red panda" });
    expect(byDefault.estimate.amount).toBe(5 * 1);
  });

  it("video priced per clip by resolution and duration (a `*` entry); a price in images is refused with the fix", async () => {
    const first720 = await quote(priced, "jimeng_generate_video", { prompt: "p", first_frame: IMAGE, model: "jimeng_i2v_first_v30" });
    expect(first720.estimate).toMatchObject({ amount: 2.5 });
    expect(first720.estimate.basis).toContain("1 video of 5 s → 1 output × ¥2.5/output (resolution 720p, duration 5)");
    const tail1080 = await quote(priced, "jimeng_generate_video", { prompt: "p", first_frame: IMAGE, last_frame: IMAGE });
    expect(tail1080.estimate.amount).toBe(4);
    const ten = await quote(priced, "jimeng_generate_video", { prompt: "p", first_frame: IMAGE, last_frame: IMAGE, duration: 10 });
    expect(ten.estimate.amount).toBeNull();
    expect(ten.estimate.reason).toMatch(/no rate for resolution 1080p, duration 10/);
    const camera = await quote(priced, "jimeng_generate_video", { prompt: "p", first_frame: IMAGE, template_id: "robo_arm" });
    expect(camera.estimate.amount).toBeNull();
    expect(camera.estimate.reason).toMatch(/jimeng_i2v_recamera_v30 is per image, but a Jimeng video is counted in seconds/);
  });

  it("images: one per call with force_single, else a lower bound naming the extra images", async () => {
    const single = await quote(priced, "jimeng_generate_image", { prompt: "a red panda", force_single: true });
    expect(single.estimate).toMatchObject({ amount: 1 * 0.2 });
    expect(single.estimate.lowerBound).toBeUndefined();
    const several = await quote(priced, "jimeng_generate_image", { prompt: "a red panda", images: [IMAGE, IMAGE] });
    expect(several.estimate).toMatchObject({ amount: 0.2, lowerBound: true });
    expect(several.estimate.basis).toContain("plus any further images the model returns (up to 13, each billed; set force_single: true");
    // 3.1 returns one image; its price comes from the models file.
    const v31 = await quote(priced, "jimeng_generate_image", { prompt: "a red panda", model: "jimeng_t2i_v31" });
    expect(v31.estimate).toMatchObject({ amount: 0.15, confidence: "contract" });
    expect(v31.estimate.lowerBound).toBeUndefined();
  });

  it("volc_visual_call: a known family is metered as such, any other req_key per call", async () => {
    const omni = await quote(priced, "volc_visual_call", {
      req_key: "jimeng_realman_avatar_picture_omni_v15",
      mode: "submit_task",
      body: { image_url: IMAGE, audio_url: "https://example.com/a.mp3" },
    });
    expect(omni.estimate).toMatchObject({ amount: 3 });
    expect(omni.estimate.basis).toContain("1 call → 1 output × ¥3/output");
    const perSecond = await quote(priced, "volc_visual_call", { req_key: "jimeng_dreamactor_m20_gen_video", body: {} });
    expect(perSecond.estimate.amount).toBeNull();
    expect(perSecond.estimate.reason).toMatch(/only a price per call \(unit item\) can be estimated/);
    const video = await quote(priced, "volc_visual_call", { req_key: "jimeng_ti2v_v30_pro", body: { prompt: "p", frames: 121 } });
    expect(video.estimate.amount).toBe(5 * 1);
    const image = await quote(priced, "volc_visual_call", { req_key: "jimeng_t2i_v40", body: { prompt: "p", force_single: true } });
    expect(image.estimate.amount).toBe(0.2);
  });
});

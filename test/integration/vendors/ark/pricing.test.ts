import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { Quote } from "../../../../src/tools/define.js";
import { ArkClient } from "../../../../src/vendors/ark/client.js";
import { seedanceDriver } from "../../../../src/vendors/ark/seedance.js";
import { seedreamResult } from "../../../../src/vendors/ark/seedream.js";
import { actualCost } from "../../../../src/vendors/kit/price.js";
import { loadModelsFile } from "../../../../src/vendors/kit/models-file.js";
import { parseCoreConfig } from "../../../../src/config.js";
import { arkPlugin } from "../../../../src/tools/ark/plugin.js";
import { makeMp4 } from "../../../../src/sandbox/media-fixtures.js";
import { startHarness, tempDir, type Harness } from "../../../helpers/harness.js";
import { mark } from "../../../helpers/results.js";

const SD20 = "doubao-seedance-2-0-260128";
const S40 = "doubao-seedream-4-0-20260415";

/** The tool's quote for arguments as the server validates them (no vendor request). */
function quoter(h: Harness, tool: string): (args: Record<string, unknown>) => Promise<Quote> {
  const def = h.app.vendors.flatMap((v) => v.tools).find((t) => t.name === tool)!;
  return async (args) => def.quote!(z.object(def.input).parse(args), { app: h.app, signal: new AbortController().signal });
}

describe("Ark quotes with the built-in prices", () => {
  let h: Harness;
  let inputs: string;
  beforeAll(async () => {
    inputs = tempDir("aigc-inputs-");
    h = await startHarness({ env: { AIGC_MCP_INPUT_ROOTS: inputs } });
  });
  afterAll(() => h.close());

  it("quotes the smallest Seedance call on the default model, with Ark's defaults and no vendor request", async () => {
    const before = mark(h.ark);
    const q = await quoter(h, "seedance_generate_video")({ prompt: "waves" });
    expect(q).toMatchObject({ vendor: "ark", model: SD20 });
    // 720p, ratio adaptive (the largest 720p frame, 1112×834), 5 s, 24 fps; ¥46 per million tokens.
    expect(q.estimate.amount).toBeCloseTo((Math.round((5 * 1112 * 834 * 24) / 1024) / 1e6) * 46, 6);
    expect(q.estimate.basis).toMatch(/108 681 tokens → 0\.108681 M tokens × ¥46\/M tokens \(resolution 720p, video input no/);
    expect(q.estimate.confidence).toBe("transcribed");
    expect(before.since()).toHaveLength(0);
  });

  it("counts a local reference video's seconds and the video-input rate, as a lower bound (Ark's minimum charge)", async () => {
    const path = join(inputs, "ref.mp4");
    writeFileSync(path, makeMp4({ seconds: 3, fps: 8 }));
    const q = await quoter(h, "seedance_generate_video")({ prompt: "extend it", ratio: "16:9", reference_videos: [path] });
    expect(q.estimate.amount).toBeCloseTo((Math.round(((5 + 3) * 1280 * 720 * 24) / 1024) / 1e6) * 28, 6);
    expect(q.estimate.basis).toContain("(5 s + 3 s of input video) × 1280×720 px");
    expect(q.estimate.lowerBound).toBe(true);
  });

  it("quotes the smallest Seedream call (and a group on the group default) as unknown, saying where to give a price", async () => {
    const one = await quoter(h, "seedream_generate_image")({ prompt: "a kite" });
    expect(one).toMatchObject({ vendor: "ark", model: "doubao-seedream-5-0-pro-260628", estimate: { amount: null } });
    expect(one.estimate.reason).toMatch(/AIGC_MCP_PRICES_FILE/);
    expect((await quoter(h, "seedream_generate_image")({ prompt: "a kite", max_images: 4 })).model).toBe(S40);
  });

  it("takes a models-file price on a catalog model instead of the list price", async () => {
    const file = join(tempDir("aigc-models-"), "models.json");
    writeFileSync(file, JSON.stringify({ ark: [{ id: SD20, price: { currency: "CNY", unit: "second", amount: 1.5 } }] }));
    const env = { ARK_API_KEY: h.ark.apiKey, ARK_BASE_URL: h.ark.baseUrl };
    const vendor = await arkPlugin.load(env, parseCoreConfig(env), await loadModelsFile(file, ["ark"]));
    const def = vendor!.tools.find((t) => t.name === "seedance_generate_video")!;
    const q = await def.quote!(z.object(def.input).parse({ prompt: "waves", duration: 6 }), {
      app: h.app,
      signal: new AbortController().signal,
    });
    expect(q.estimate).toMatchObject({ amount: 6 * 1.5, confidence: "contract" });
  });

  it("reads the tokens the simulated Ark bills into PollResult.usage, and prices them at the quoted rate", async () => {
    const client = new ArkClient({ apiKey: h.ark.apiKey, baseUrl: h.ark.baseUrl }, 5000);
    const body = { model: SD20, content: [{ type: "text", text: "dog" }], ratio: "16:9", duration: 5 };
    const task = await client.createVideoTask(body);
    h.ark.sim.advance(60_000);
    const poll = await seedanceDriver(client).poll({ v: 1, vd: "ark", op: "video", task, t: 0 }, { signal: new AbortController().signal });
    expect(poll.status).toBe("succeeded");
    expect(poll.usage).toEqual({ tokens: (5 * 1280 * 720 * 24) / 1024 });
    const q = await quoter(h, "seedance_generate_video")({ prompt: "dog", ratio: "16:9", duration: 5 });
    expect(actualCost(q.estimate, poll.usage)?.amount).toBeCloseTo(((5 * 1280 * 720 * 24) / 1024 / 1e6) * 46, 6);
  });
});

describe("Ark quotes with AIGC_MCP_PRICES_FILE", () => {
  let h: Harness;
  beforeAll(async () => {
    const file = join(tempDir("aigc-prices-"), "prices.json");
    writeFileSync(
      file,
      JSON.stringify({
        ark: [
          { model: S40, currency: "CNY", unit: "image", amount: 0.2 },
          { model: SD20, currency: "CNY", unit: "million_tokens", amount: 40 },
        ],
      }),
    );
    h = await startHarness({ env: { AIGC_MCP_PRICES_FILE: file } });
  });
  afterAll(() => h.close());

  it("replaces the list price and prices what had none (a Seedream group per image)", async () => {
    const video = await quoter(h, "seedance_generate_video")({ prompt: "waves", ratio: "16:9" });
    expect(video.estimate).toMatchObject({ amount: ((5 * 1280 * 720 * 24) / 1024 / 1e6) * 40, confidence: "contract" });
    const group = await quoter(h, "seedream_generate_image")({ prompt: "four scenes", max_images: 4 });
    expect(group.estimate).toMatchObject({ amount: 4 * 0.2, currency: "CNY", confidence: "contract" });
    expect(group.estimate.basis).toContain("up to 4 images (max_images) → 4 images × ¥0.2/image");
  });

  it("prices the images the simulated Ark reports it generated", async () => {
    const client = new ArkClient({ apiKey: h.ark.apiKey, baseUrl: h.ark.baseUrl }, 5000);
    const res = await client.generateImages({
      model: S40,
      prompt: "three scenes",
      sequential_image_generation: "auto",
      sequential_image_generation_options: { max_images: 3 },
    });
    const poll = seedreamResult(res);
    expect(poll.usage).toEqual({ images: 3 });
    const q = await quoter(h, "seedream_generate_image")({ prompt: "three scenes", max_images: 3 });
    expect(actualCost(q.estimate, poll.usage)?.amount).toBeCloseTo(3 * 0.2, 6);
  });
});

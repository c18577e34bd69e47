/**
 * Kling cost (issue 14): every paid tool's quote for its smallest valid call, the default-model
 * path, prices-file and models-file overrides, and the usage the simulator reports flowing into
 * PollResult.usage and an actual cost.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { parseCoreConfig } from "../../../../src/config.js";
import { loadVendors } from "../../../../src/plugins.js";
import type { Quote, ToolDef } from "../../../../src/tools/define.js";
import { actualCost } from "../../../../src/vendors/kit/price.js";
import { KlingClient } from "../../../../src/vendors/kling/client.js";
import { KlingSimulator, type KlingSimOptions } from "../../../../src/vendors/kling/simulator.js";
import { klingDrivers } from "../../../../src/vendors/kling/tasks.js";
import type { KlingFamily, KlingRoute, NewProduct } from "../../../../src/vendors/kling/families.js";
import { KlingElements } from "../../../../src/vendors/kling/elements.js";
import { klingUsage } from "../../../../src/vendors/kling/pricing.js";
import { tempDir } from "../../../helpers/harness.js";

const URL_IMAGE = "https://example.com/a.png";
const KEY = "kling_test_api_key_0001";
const GLOBAL = "https://api-singapore.klingai.com";

/** The Kling tools as the server loads them from `env` (no simulator: a quote sends nothing). */
async function klingTools(env: Record<string, string>): Promise<Map<string, ToolDef>> {
  const full = { AIGC_MCP_OUTPUT_DIR: tempDir(), KLING_API_KEY: KEY, ...env };
  const vendors = await loadVendors(full, parseCoreConfig(full));
  return new Map(vendors.find((v) => v.id === "kling")!.tools.map((t) => [t.name, t]));
}

async function quote(tools: Map<string, ToolDef>, name: string, args: Record<string, unknown>): Promise<Quote> {
  const def = tools.get(name)!;
  const q = await def.quote?.(z.object(def.input).parse(args), { app: undefined as never, signal: new AbortController().signal });
  expect(q, `${name} has a quote`).toBeDefined();
  return q!;
}

describe("Kling quotes", () => {
  let tools: Map<string, ToolDef>;
  beforeAll(async () => {
    tools = await klingTools({ KLING_BASE_URL: GLOBAL });
  });

  it("quotes every paid tool's smallest call with its default model, priced or unknown with a reason", async () => {
    const cases: Array<[string, Record<string, unknown>, string | undefined, number | null]> = [
      ["kling_text_to_video", { prompt: "a fox" }, "kling-v3", 5 * 0.084],
      ["kling_image_to_video", { image: URL_IMAGE }, "kling-v3", 5 * 0.084],
      // omni-video's default mode is pro
      ["kling_omni_video", { prompt: "a fox", aspect_ratio: "16:9" }, "kling-v3-omni", 5 * 0.112],
      ["kling_multi_image_to_video", { images: [URL_IMAGE], prompt: "<<<image_1>>> runs" }, "kling-v3-omni", 5 * 0.112],
      ["kling_generate_image", { prompt: "a fox" }, "kling-v3", 1 * 0.028],
      ["kling_omni_image", { prompt: "a fox" }, "kling-v3-omni", 1 * 0.028],
      ["kling_multi_image_to_image", { subject_images: [URL_IMAGE] }, "kling-v2-1", null],
      [
        "kling_create_element",
        { element_name: "fox", element_description: "a red fox", frontal_image: URL_IMAGE, refer_images: [URL_IMAGE] },
        undefined,
        null,
      ],
    ];
    for (const [name, args, model, amount] of cases) {
      const q = await quote(tools, name, args);
      expect(q.vendor, name).toBe("kling");
      expect(q.model, name).toBe(model);
      if (amount === null) {
        expect(q.estimate.amount, name).toBeNull();
        expect(q.estimate.reason, name).toMatch(/AIGC_MCP_PRICES_FILE/);
      } else {
        expect(q.estimate.amount, name).toBeCloseTo(amount, 9);
        expect(q.estimate.currency, name).toBe("USD");
      }
    }
    expect((await quote(tools, "kling_create_element", cases[7]![1])).estimate.reason).toMatch(/no price for creating an element/);
    // every tool that spends money quotes; the free ones do not
    const paid = [...tools.values()].filter((t) => t.annotations.readOnlyHint === false && t.annotations.destructiveHint === false);
    expect(paid.map((t) => t.name).sort()).toEqual(cases.map((c) => c[0]).sort());
    expect("quote" in tools.get("kling_list_elements")!).toBe(false);
    expect("quote" in tools.get("kling_delete_element")!).toBe(false);
  });

  it("quotes a named model on the endpoint the call goes to", async () => {
    const q = await quote(tools, "kling_text_to_video", { prompt: "a fox", model: "kling-v2-6", mode: "pro", duration: 10, sound: true });
    expect(q.estimate.amount).toBeCloseTo(1.4, 9);
    const edit = await quote(tools, "kling_omni_video", {
      prompt: "make it night",
      video: { url: "https://example.com/v.mp4", refer_type: "base" },
    });
    expect(edit.estimate).toMatchObject({ lowerBound: true });
    expect(edit.estimate.amount).toBeCloseTo(3 * 0.168, 9);
    const turbo = await quote(tools, "kling_text_to_video", { prompt: "a fox", model: "kling-3.0-turbo" });
    expect(turbo.estimate.amount).toBeNull();
  });

  it("follows KLING_VIDEO_MODEL for the default model", async () => {
    const t = await klingTools({ KLING_BASE_URL: GLOBAL, KLING_VIDEO_MODEL: "kling-v2-6" });
    const q = await quote(t, "kling_image_to_video", { image: URL_IMAGE });
    expect(q.model).toBe("kling-v2-6");
    expect(q.estimate.amount).toBeCloseTo(0.21, 9);
  });

  it("gives no USD list price to a CNY account (the default Beijing host), but uses AIGC_MCP_PRICES_FILE", async () => {
    const beijing = await klingTools({});
    const q = await quote(beijing, "kling_text_to_video", { prompt: "a fox" });
    expect(q.estimate.amount).toBeNull();
    expect(q.estimate.reason).toMatch(/CNY/);
    const file = join(tempDir(), "prices.json");
    writeFileSync(
      file,
      JSON.stringify({ kling: [{ model: "kling-v3", currency: "CNY", unit: "second", rates: [{ when: { mode: "std" }, amount: 0.5 }] }] }),
    );
    const own = await klingTools({ AIGC_MCP_PRICES_FILE: file });
    const priced = await quote(own, "kling_text_to_video", { prompt: "a fox" });
    expect(priced.estimate).toMatchObject({ currency: "CNY", confidence: "contract" });
    expect(priced.estimate.amount).toBeCloseTo(5 * 0.5, 9);
  });

  it("prices a model the catalog has no price for from the models file", async () => {
    const file = join(tempDir(), "models.json");
    writeFileSync(file, JSON.stringify({ kling: [{ id: "kling-3.0-turbo", price: { currency: "USD", unit: "second", amount: 0.1 } }] }));
    const t = await klingTools({ KLING_BASE_URL: GLOBAL, AIGC_MCP_MODELS_FILE: file });
    const q = await quote(t, "kling_text_to_video", { prompt: "a fox", model: "kling-3.0-turbo", duration: 4 });
    expect(q.estimate.amount).toBeCloseTo(4 * 0.1, 9);
    expect(q.estimate.basis).toMatch(/resolution 720p, audio no/);
  });

  it("refuses to price a call with a price in a unit the call is not counted in (a video per image or per million tokens)", async () => {
    for (const unit of ["image", "million_tokens"]) {
      const file = join(tempDir(), "prices.json");
      writeFileSync(file, JSON.stringify({ kling: [{ model: "kling-3.0-turbo", currency: "USD", unit, amount: 0.1 }] }));
      const t = await klingTools({ KLING_BASE_URL: GLOBAL, AIGC_MCP_PRICES_FILE: file });
      const q = await quote(t, "kling_text_to_video", { prompt: "a fox", model: "kling-3.0-turbo" });
      expect(q.estimate.amount, unit).toBeNull();
      expect(q.estimate.reason).toMatch(/is per (image|M tokens), but this call is counted per s; give it per s in AIGC_MCP_PRICES_FILE/);
    }
  });
});

describe("Kling usage reported by the simulator", () => {
  const sims: KlingSimulator[] = [];
  afterAll(async () => {
    for (const s of sims) await s.close();
  });

  /** Creates a task on `family` (a new-standard product when `model` is given), lets it finish, and polls it through the Kling driver as the job engine would. */
  async function finished(opts: KlingSimOptions, currency: "USD" | "CNY", family: string, body: object, newModel?: string) {
    const sim = await new KlingSimulator({ queuedMs: 10, runningMs: 10, ...opts }).start();
    sims.push(sim);
    const client = new KlingClient(
      { apiKey: sim.apiKey, baseUrl: sim.baseUrl, videoModel: "kling-v3", imageModel: "kling-v3" },
      { timeoutMs: 5000 },
    );
    const route: KlingRoute = newModel
      ? { standard: "new", product: family as NewProduct, model: newModel }
      : { standard: "legacy", family: family as KlingFamily };
    const created = await client.createTask(route, body as Record<string, unknown>);
    sim.sim.advance(60_000);
    const op = family.startsWith("images/") ? "image" : "video";
    const driver = klingDrivers(client, currency).find((d) => d.op === op)!;
    const x: Record<string, string> = newModel ? { f: family, s: "new" } : { f: family };
    return driver.poll({ v: 1, vd: "kling", op, task: created.taskId, x, t: 0 }, { signal: new AbortController().signal });
  }

  it("turns a legacy cash deduction into usage, and actualCost charges it", async () => {
    const r = await finished({ billing: { discount: 0.8 } }, "USD", "videos/text2video", {
      model_name: "kling-v3",
      prompt: "a fox",
      mode: "pro",
      duration: "5",
    });
    expect(r.status).toBe("succeeded");
    expect(r.usage?.charged?.currency).toBe("USD");
    expect(r.usage?.charged?.amount).toBeCloseTo(5 * 0.112 * 0.8, 6);
    const actual = actualCost(undefined, r.usage);
    expect(actual?.amount).toBeCloseTo(5 * 0.112 * 0.8, 6);
    expect(actual?.basis).toMatch(/charged by the vendor: \$0\.448 \(Kling's final_balance_deduction, which names no currency: USD/);
  });

  it("reports a resource-pack deduction as units only (no money)", async () => {
    const r = await finished({ billing: { payWith: "unit" } }, "CNY", "images/generations", {
      model_name: "kling-v3",
      prompt: "a fox",
      n: 3,
    });
    expect(r.usage).toEqual({ units: 3 });
    expect(actualCost(undefined, r.usage)).toBeUndefined();
  });

  it("reads what an element creation took from its task (units; Kling publishes no price for it)", async () => {
    const sim = await new KlingSimulator({ queuedMs: 10, runningMs: 10 }).start();
    sims.push(sim);
    const client = new KlingClient(
      { apiKey: sim.apiKey, baseUrl: sim.baseUrl, videoModel: "kling-v3", imageModel: "kling-v3" },
      { timeoutMs: 5000 },
    );
    const elements = new KlingElements(client);
    const created = await elements.create({
      element_name: "fox",
      element_description: "a fox",
      frontal_image: URL_IMAGE,
      refer_images: [URL_IMAGE],
    });
    sim.sim.advance(60_000);
    const task = await elements.get(created.taskId);
    expect(task.task_status).toBe("succeed");
    expect(klingUsage(task, "USD")).toEqual({ units: 1 });
  });

  it("reads the new standard's billing[] with its own currency", async () => {
    const r = await finished(
      { billing: { currency: "CNY" } },
      "USD",
      "text-to-video",
      { prompt: "a fox", settings: { resolution: "1080p", duration: 4 } },
      "kling-3.0",
    );
    // Kling publishes no price for kling-3.0 on the new standard: the simulator charges its stand-in $0.1/s, × 7 in CNY
    expect(r.usage?.charged?.currency).toBe("CNY");
    expect(r.usage?.charged?.amount).toBeCloseTo(4 * 0.1 * 7, 6);
    expect(actualCost(undefined, r.usage)).toMatchObject({ currency: "CNY", basis: expect.stringMatching(/¥2\.8 \(Kling's billing\)/) });
  });
});

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { parseCoreConfig } from "../../../../src/config.js";
import { animoPlugin } from "../../../../src/tools/animo/plugin.js";
import type { Quote, ToolDef } from "../../../../src/tools/define.js";
import { loadPricesFile } from "../../../../src/vendors/kit/prices-file.js";
import { startHarness, tempDir, type Harness } from "../../../helpers/harness.js";
import { mark } from "../../../helpers/results.js";

const quote = (h: Harness, def: ToolDef, args: Record<string, unknown>): Promise<Quote> =>
  Promise.resolve(def.quote!(z.object(def.input).parse(args) as never, { app: h.app, signal: new AbortController().signal }));
const animoTool = (h: Harness) => h.app.vendors.find((v) => v.id === "animo")!.tools.find((t) => t.name === "animo_generate_video")!;

function pricesFile(entries: unknown[]): string {
  const file = join(tempDir("aigc-prices-"), "prices.json");
  writeFileSync(file, JSON.stringify({ animo: entries }));
  return file;
}

describe("animo_generate_video quotes", () => {
  let plain: Harness;
  let priced: Harness;
  beforeAll(async () => {
    plain = await startHarness();
    priced = await startHarness({
      env: { AIGC_MCP_PRICES_FILE: pricesFile([{ model: "*", currency: "CNY", unit: "second", amount: 0.1 }]) },
    });
  });
  afterAll(async () => {
    await plain.close();
    await priced.close();
  });

  it("is unknown without a prices file (Animo publishes no price), with the variable to set, and sends nothing", async () => {
    const before = mark(plain.sandbox.animo);
    const q = await quote(plain, animoTool(plain), { prompt: "a kite" });
    expect(q.vendor).toBe("animo");
    expect(q.estimate.amount).toBeNull();
    expect(q.estimate.reason).toMatch(/AIGC_MCP_PRICES_FILE/);
    expect(before.since()).toHaveLength(0);
  });

  it("prices the sync endpoint's seconds with a prices-file `*` entry (default duration 10 s)", async () => {
    const tool = animoTool(priced);
    const q = await quote(priced, tool, { prompt: "a kite" });
    expect(q.estimate).toMatchObject({ amount: 10 * 0.1, currency: "CNY", confidence: "contract" });
    expect(q.estimate.basis).toContain("10 s (default duration) → 10 s × ¥0.1/s (resolution 1280x720)");
    expect((await quote(priced, tool, { prompt: "a kite", duration: 4 })).estimate.amount).toBe(4 * 0.1);
  });

  it("prices the async API per video, and refuses a per-second price there with the reason", async () => {
    const env = {
      ANIMO_API_KEY: "animo-test-key-123",
      ANIMO_ENDPOINT: "http://127.0.0.1:9/animo",
      ANIMO_MODE: "async",
      ANIMO_ENGINE: "openai",
      ANIMO_MODEL: "gpt-x",
    };
    const core = parseCoreConfig(env);
    const load = async (entries: unknown[]) => {
      const prices = await loadPricesFile(pricesFile(entries), ["animo"]);
      const vendor = await animoPlugin.load(env, core, { models: {}, source: prices.source, prices: prices.entries });
      return vendor!.tools[0]!;
    };
    const perVideo = await load([{ model: "*", currency: "CNY", unit: "item", amount: 2 }]);
    const q = await quote(plain, perVideo, { prompt: "a kite" });
    expect(q).toMatchObject({ vendor: "animo", model: "gpt-x", estimate: { amount: 1 * 2 } });
    const perSecond = await load([{ model: "gpt-x", currency: "CNY", unit: "second", amount: 0.1 }]);
    const s = await quote(plain, perSecond, { prompt: "a kite" });
    expect(s.estimate.amount).toBeNull();
    expect(s.estimate.reason).toMatch(/takes no duration.*unit item/);
  });
});

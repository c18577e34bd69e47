/**
 * Prices, quotes and actual costs of the gateway tools (issue 14): the Model Studio list prices in
 * prices.ts, one quote per paid tool for its smallest call, the default model, a prices file and a
 * models file replacing a price, and the usage the simulator reports turned into an actual cost.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callBudget, type Quote, type ToolContext, type ToolDef } from "../../../../src/tools/define.js";
import { actualCost, type Actual, type VendorUsage } from "../../../../src/vendors/kit/price.js";
import { makeWav } from "../../../../src/sandbox/media-fixtures.js";
import { startHarness, structured, type Harness } from "../../../helpers/harness.js";
import { mark } from "../../../helpers/results.js";

const tool = (h: Harness, name: string): ToolDef => h.app.vendors.flatMap((v) => v.tools).find((t) => t.name === name)!;

async function quote(h: Harness, name: string, args: Record<string, unknown>): Promise<Quote> {
  return tool(h, name).quote!(args, { app: h.app, signal: new AbortController().signal });
}

/** Runs a tool as the server would, keeping what it reports it used. */
async function runReporting(h: Harness, name: string, args: Record<string, unknown>) {
  const reported: { usage?: VendorUsage; actual?: Actual } = {};
  const signal = new AbortController().signal;
  const ctx: ToolContext = {
    app: h.app,
    signal,
    progress: () => {},
    warn: () => {},
    budget: callBudget(h.app, Date.now()),
    delivery: h.app.config.delivery,
    limits: { signal, deadlineMs: Infinity },
    reportUsage: (u) => void (reported.usage = u),
    reportActual: (a) => void (reported.actual = a),
  };
  const result = await tool(h, name).run(args, ctx);
  return { result, ...reported };
}

describe("gateway prices, quotes and actual costs", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("chat (default model qwen-plus): input and output tokens at their two rates, output up to max_tokens", async () => {
    const before = mark(h.sandbox.gateway);
    const q = await quote(h, "gateway_chat", { prompt: "Say hello.", max_tokens: 100 });
    expect(before.since()).toHaveLength(0);
    expect(q).toMatchObject({ vendor: "gateway", model: "qwen-plus" });
    // 10 characters counted as 10 input tokens, plus 48 for the chat template (32 a call, 16 a message), at ¥0.8/M; 100 output tokens at ¥2/M.
    expect(q.estimate.amount).toBeCloseTo((58 * 0.8) / 1e6 + (100 * 2) / 1e6, 9);
    expect(q.estimate).toMatchObject({ currency: "CNY", confidence: "official" });
    expect(q.estimate.source?.url).toContain("help.aliyun.com");
    expect(q.estimate.basis).toContain("10 characters of messages (1 token per character, an upper bound for ordinary text)");
    expect(q.estimate.basis).toContain("× ¥0.8/M tokens (input: tokens input)");
    expect(q.estimate.basis).toContain(
      "up to max_tokens 100 output tokens → 0.0001 M tokens × ¥2/M tokens (output: tokens output, thinking no)",
    );
    // The chat template's tokens are an allowance: with max_tokens the estimate is the most the call costs.
    expect(q.estimate.basis).toContain("+ 48 tokens for the chat template (1 message)");
    expect(q.estimate.lowerBound).toBeUndefined();
    expect(q.estimate.unbounded).toBeUndefined();
  });

  it("chat without max_tokens is a lower bound saying so; thinking output has no known price", async () => {
    const open = await quote(h, "gateway_chat", { prompt: "Say hello." });
    expect(open.estimate.amount).toBeCloseTo((58 * 0.8) / 1e6, 9);
    expect(open.estimate.lowerBound).toBe(true);
    expect(open.estimate.basis).toContain("plus the answer's output tokens (no max_tokens given");
    // Nothing limits it: the argument that would is named (a budget or max_cost refuses it without).
    expect(open.estimate.unbounded).toBe("max_tokens");
    const thinking = await quote(h, "gateway_chat", { prompt: "Say hello.", max_tokens: 10, enable_thinking: true });
    expect(thinking.estimate.amount).toBeNull();
    expect(thinking.estimate.reason).toMatch(/no rate for tokens output, thinking yes .*AIGC_MCP_PRICES_FILE/);
  });

  it("a model with no known price is unknown with the fix; a refused call is refused by its quote too", async () => {
    const q = await quote(h, "gateway_chat", { prompt: "hi", model: "qwen3-8b" });
    expect(q.model).toBe("qwen3-8b");
    expect(q.estimate.amount).toBeNull();
    expect(q.estimate.reason).toMatch(/no published price for qwen3-8b .*AIGC_MCP_PRICES_FILE/);
    await expect(quote(h, "gateway_chat", {})).rejects.toThrow(/messages/);
  });

  it("embed, rerank, speech and transcribe quote their smallest calls", async () => {
    const embed = await quote(h, "gateway_embed", { texts: ["hello"] });
    expect(embed).toMatchObject({ model: "text-embedding-v4", estimate: { currency: "USD", confidence: "official" } });
    expect(embed.estimate.basis).toContain("5 characters of 1 text(s)");
    const long = await quote(h, "gateway_embed", { texts: ["a".repeat(10_000), "b".repeat(5_000)] });
    expect(long.estimate.amount).toBeCloseTo((15_000 * 0.072) / 1e6, 9);

    const rerank = await quote(h, "gateway_rerank", { query: "bird", documents: ["a paper crane", "a bamboo forest"] });
    expect(rerank.model).toBe("gte-rerank-v2");
    expect(rerank.estimate.amount).toBeCloseTo(((4 + 13 + 15) * 0.8) / 1e6, 6);

    const speech = await quote(h, "gateway_speech", { text: "Hello." });
    expect(speech.model).toBe("cosyvoice-v2");
    expect(speech.estimate.amount).toBeCloseTo((6 / 10_000) * 2, 9);
    // Each CJK character counts 2, the ideographic full stop 1.
    const chinese = await quote(h, "gateway_speech", { text: "你好。" });
    expect(chinese.estimate.amount).toBeCloseTo((5 / 10_000) * 2, 9);
    expect(chinese.estimate.basis).toContain("5 characters (CJK characters count 2)");

    const wav = `data:audio/wav;base64,${makeWav({ seconds: 2 }).toString("base64")}`;
    const stt = await quote(h, "gateway_transcribe", { audio: wav });
    expect(stt.model).toBe("paraformer-v2");
    expect(stt.estimate.amount).toBeCloseTo(2 * 0.00008, 9);
    expect(stt.estimate.basis).toContain("2 s of audio (only speech is billed, so an upper bound) → 2 s × ¥0.00008/s");
    const url = await quote(h, "gateway_transcribe", { audio: "https://example.com/a.wav" });
    expect(url.estimate.amount).toBeNull();
    expect(url.estimate.reason).toMatch(/the audio is a URL/);
  });

  it("chat's reported usage gives the actual cost at the input and output rates", async () => {
    const { result, actual } = await runReporting(h, "gateway_chat", { prompt: "Say hello." });
    const usage = structured<{ usage: { prompt_tokens: number; completion_tokens: number } }>(result).usage;
    expect(usage.prompt_tokens).toBeGreaterThan(0);
    expect(usage.completion_tokens).toBeGreaterThan(0);
    expect(actual).toMatchObject({ currency: "CNY" });
    expect(actual!.amount).toBeCloseTo((usage.prompt_tokens * 0.8 + usage.completion_tokens * 2) / 1e6, 6);
    expect(actual!.basis).toContain(
      `${usage.prompt_tokens} input tokens × ¥0.8/M tokens + ${usage.completion_tokens} output tokens × ¥2/M tokens`,
    );
  });

  it("embed and rerank report the tokens the gateway counted, priced at the quote's rate", async () => {
    const texts = ["tide tables and moon phases", "a paper crane"];
    const e = await runReporting(h, "gateway_embed", { texts });
    // The simulator counts ceil(1.3 tokens per word): ceil(5 × 1.3) + ceil(3 × 1.3) = 7 + 4.
    expect(e.usage).toEqual({ tokens: 11 });
    const embedQuote = await quote(h, "gateway_embed", { texts });
    const embedActual = actualCost(embedQuote.estimate, e.usage)!;
    expect(embedActual.currency).toBe("USD");
    expect(embedActual.amount).toBeCloseTo((11 * 0.072) / 1e6, 12);

    const args = { query: "origami bird", documents: Array.from({ length: 200 }, () => "how to fold a paper crane bird") };
    const r = await runReporting(h, "gateway_rerank", args);
    // ceil(2 × 1.3) for the query, ceil(7 × 1.3) for each document.
    expect(r.usage).toEqual({ tokens: 3 + 200 * 10 });
    const rerankQuote = await quote(h, "gateway_rerank", args);
    expect(actualCost(rerankQuote.estimate, r.usage)!.amount).toBeCloseTo(((3 + 200 * 10) * 0.8) / 1e6, 6);
  });

  it("a prices file and a models file replace the built-in prices", async () => {
    const prices = join(h.dir, "prices.json");
    writeFileSync(
      prices,
      JSON.stringify({
        gateway: [
          {
            model: "qwen-plus",
            currency: "CNY",
            unit: "million_tokens",
            rates: [
              { when: { tokens: "input" }, amount: 1 },
              { when: { tokens: "output" }, amount: 4 },
            ],
          },
        ],
      }),
    );
    const models = join(h.dir, "models.json");
    writeFileSync(
      models,
      JSON.stringify({
        gateway: [{ id: "qwen3-8b", endpoints: ["chat/completions"], price: { currency: "USD", unit: "million_tokens", amount: 0.5 } }],
      }),
    );
    const other = await startHarness({
      existing: { sandbox: h.sandbox, dir: h.dir },
      env: { AIGC_MCP_PRICES_FILE: prices, AIGC_MCP_MODELS_FILE: models },
    });
    try {
      const contract = await quote(other, "gateway_chat", { prompt: "Say hello.", max_tokens: 100 });
      expect(contract.estimate.amount).toBeCloseTo((58 * 1) / 1e6 + (100 * 4) / 1e6, 9);
      expect(contract.estimate.confidence).toBe("contract");
      const fromModels = await quote(other, "gateway_chat", { prompt: "Say hello.", max_tokens: 100, model: "qwen3-8b" });
      expect(fromModels.estimate).toMatchObject({ currency: "USD", confidence: "contract" });
      expect(fromModels.estimate.amount).toBeCloseTo((158 * 0.5) / 1e6, 9);
      // The built-in prices of the other models stay.
      const speech = await quote(other, "gateway_speech", { text: "Hello." });
      expect(speech.estimate.confidence).toBe("official");
    } finally {
      await other.close();
    }
  });
});

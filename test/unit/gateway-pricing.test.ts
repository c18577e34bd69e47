import { describe, expect, it } from "vitest";
import { GATEWAY_PRICES } from "../../src/vendors/gateway/prices.js";
import { chatActual, chatMeters, speechCharacters } from "../../src/vendors/gateway/pricing.js";
import { PriceBook } from "../../src/vendors/kit/price.js";

const book = new PriceBook("gateway", GATEWAY_PRICES);

describe("gateway pricing rules", () => {
  it("every built-in price names its official source and date", () => {
    for (const e of GATEWAY_PRICES) {
      expect(e.price.confidence, e.model).toBe("official");
      expect(e.price.source.url, e.model).toMatch(/^https:\/\/(help\.aliyun\.com|www\.alibabacloud\.com)\//);
      expect(e.price.source.date, e.model).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it("CosyVoice characters: a CJK character counts 2, anything else 1 (code points, not UTF-16 units)", () => {
    expect(speechCharacters("Hello.")).toBe(6);
    expect(speechCharacters("你好，world")).toBe(2 + 2 + 1 + 5);
    expect(speechCharacters("こんにちは")).toBe(10);
    expect(speechCharacters("🙂")).toBe(1);
  });

  it("chat meters: input always, output only with max_tokens, thinking as a dimension", () => {
    const messages = [{ role: "user" as const, content: "你好" }];
    // 2 characters, plus the template's allowance: 32 a call and 16 a message.
    expect(chatMeters(messages, undefined, false)).toMatchObject({ meters: [{ quantity: (2 + 48) / 1e6, part: "input" }] });
    expect(chatMeters([...messages, ...messages], 1, false).meters[0]!.quantity).toBe((4 + 64) / 1e6);
    expect(chatMeters(messages, undefined, false).lowerBound).toMatch(/no max_tokens/);
    expect(chatMeters(messages, 50, true).meters[1]).toMatchObject({ quantity: 50 / 1e6, dims: { tokens: "output", thinking: true } });
  });

  it("chat actual: both token counts at their rates, nothing without both or without a thinking rate", () => {
    const price = book.find("qwen-plus");
    const actual = chatActual(price, { prompt_tokens: 1_000, completion_tokens: 500 }, false);
    expect(actual).toMatchObject({ currency: "CNY", amount: (1_000 * 0.8 + 500 * 2) / 1e6 });
    expect(actual!.basis).toBe("1 000 input tokens × ¥0.8/M tokens + 500 output tokens × ¥2/M tokens reported by the gateway = ¥0.0018");
    expect(chatActual(price, { total_tokens: 1_500 }, false)).toBeUndefined();
    expect(chatActual(price, { prompt_tokens: 1_000, completion_tokens: 500 }, true)).toBeUndefined();
    expect(chatActual(undefined, { prompt_tokens: 1, completion_tokens: 1 }, false)).toBeUndefined();
  });
});

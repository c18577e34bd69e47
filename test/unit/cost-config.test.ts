/** Issue 14: the cost settings (AIGC_MCP_BUDGET, AIGC_MCP_CONFIRM_ABOVE, time zone, unknown-price rule) and the price arithmetic. */
import { describe, expect, it } from "vitest";
import { parseBudget, parseCostConfig, parseThresholds } from "../../src/cost/config.js";
import { checkMaxCost, fingerprint } from "../../src/tools/cost-guard.js";
import { costLine, costView, usageMeta } from "../../src/tools/cost-output.js";
import { actualCost, estimateCost, type Price } from "../../src/vendors/kit/price.js";

const PRICE: Price = {
  currency: "USD",
  unit: "second",
  rates: [
    { when: { mode: "pro", sound: true }, amount: 0.168 },
    { when: { mode: "pro" }, amount: 0.112 },
    { when: { mode: "std" }, amount: 0.084 },
  ],
  source: { url: "https://kling.ai/dev/pricing", date: "2026-11-30" },
  confidence: "official",
};

describe("AIGC_MCP_BUDGET", () => {
  it("reads overall and per-vendor daily and monthly limits with their currency", () => {
    expect(parseBudget("daily:200CNY, monthly:3000CNY,kling:daily:20.5USD", ["kling"])).toEqual([
      { period: "daily", amount: 200, currency: "CNY" },
      { period: "monthly", amount: 3000, currency: "CNY" },
      { period: "daily", amount: 20.5, currency: "USD", vendor: "kling" },
    ]);
    expect(parseBudget("daily:5rmb")[0]).toMatchObject({ currency: "CNY", amount: 5 });
  });
  it("refuses an entry without a currency, an unknown period or vendor, naming the entry", () => {
    expect(() => parseBudget("daily:200")).toThrow(/"200" needs a currency/);
    expect(() => parseBudget("weekly:200CNY")).toThrow(/weekly:200CNY.*daily or monthly/);
    expect(() => parseBudget("klnig:daily:2USD", ["kling"])).toThrow(/klnig is not a vendor id/);
    expect(() => parseBudget("daily:lots")).toThrow(/"lots" is not an amount/);
    expect(() => parseBudget("daily:-5CNY")).toThrow(/"-5CNY" must not be negative: give an amount such as 200CNY/);
    expect(() => parseThresholds("-1")).toThrow(/^AIGC_MCP_CONFIRM_ABOVE: "-1" must not be negative/);
    // The same scope twice: which one was meant is not guessed.
    expect(() => parseBudget("daily:5CNY,daily:6CNY")).toThrow(/"daily" in CNY is given twice; keep one/);
    expect(() => parseBudget("kling:daily:5USD,kling:daily:6USD")).toThrow(/"kling:daily" in USD is given twice/);
    expect(parseBudget("daily:5CNY,daily:6USD,kling:daily:1USD,monthly:9CNY")).toHaveLength(4);
    expect(() => parseThresholds("5CNY,6CNY")).toThrow(/an amount in CNY is given twice/);
    expect(parseThresholds("5CNY,1USD")).toHaveLength(2);
    // A decimal comma would be read as two thresholds, the CNY one higher than meant.
    expect(() => parseThresholds("2,5CNY")).toThrow(
      /"2,5CNY": a bare number \(any currency\) cannot be given with an amount in a currency.*2\.5CNY/,
    );
    expect(() => parseThresholds("1USD,3")).toThrow(/a bare number/);
    expect(parseThresholds("3")).toEqual([{ amount: 3 }]);
  });
  it("reads thresholds with or without a currency, the time zone and the unknown-price rule", () => {
    expect(parseThresholds("5CNY, 1USD")).toEqual([
      { amount: 5, currency: "CNY" },
      { amount: 1, currency: "USD" },
    ]);
    expect(parseThresholds("2.5")).toEqual([{ amount: 2.5 }]);
    expect(() => parseCostConfig({ AIGC_MCP_BUDGET_TIMEZONE: "Mars/Olympus" })).toThrow(/not an IANA time zone/);
    expect(() => parseCostConfig({ AIGC_MCP_BUDGET_UNKNOWN_PRICE: "maybe" })).toThrow(/refuse or allow/);
    expect(parseCostConfig({ AIGC_MCP_BUDGET_TIMEZONE: "Asia/Shanghai" })).toMatchObject({
      timezone: "Asia/Shanghai",
      unknownPrice: "refuse",
    });
  });
});

describe("estimates and actual costs", () => {
  it("multiplies the quantity by the first rate whose dimensions match, and says so in the basis", () => {
    const e = estimateCost("kling-v3", PRICE, [{ quantity: 5, dims: { mode: "pro", sound: false } }]);
    expect(e.amount).toBeCloseTo(5 * 0.112, 9);
    expect(e.basis).toBe("5 s × $0.112/s (mode pro, sound no) = $0.56 for kling-v3");
    expect(e.rate).toEqual({ amount: 0.112, unit: "second" });
    expect(estimateCost("kling-v3", PRICE, [{ quantity: 10, dims: { mode: "pro", sound: true } }]).amount).toBeCloseTo(10 * 0.168, 9);
  });
  it("is unknown, with what to do, without a price or without a rate for the call", () => {
    expect(estimateCost("x", undefined, [{ quantity: 1 }])).toMatchObject({
      amount: null,
      reason: expect.stringMatching(/AIGC_MCP_PRICES_FILE/),
    });
    expect(estimateCost("kling-v3", PRICE, [{ quantity: 5, dims: { mode: "4k" } }])).toMatchObject({
      amount: null,
      reason: expect.stringMatching(/no rate for mode 4k/),
    });
  });
  it("works out the actual from the vendor's usage at the estimate's rate, or takes what the vendor charged", () => {
    const e = estimateCost("seedance", { ...PRICE, currency: "CNY", unit: "million_tokens", rates: [{ amount: 46 }] }, [
      { quantity: 0.108 },
    ]);
    expect(actualCost(e, { tokens: 102_960 })).toMatchObject({ amount: 4.73616, currency: "CNY" });
    expect(actualCost(e, { charged: { amount: 3.2, currency: "CNY" } })).toMatchObject({ amount: 3.2 });
    expect(actualCost(e, { units: 7 })).toBeUndefined();
  });
  it("shows the cost in the result's words and in Dify's _meta.usage keys", () => {
    const e = estimateCost("kling-v3", PRICE, [{ quantity: 5, dims: { mode: "std" } }]);
    const view = costView(e, { amount: 0.42, currency: "USD", basis: "charged by the vendor: $0.42" });
    expect(costLine(view)).toMatch(/^Cost: \$0\.42 estimated \(5 s × \$0\.084\/s.*actual \$0\.42/);
    expect(usageMeta(view, { tokens: 12 })).toEqual({ total_price: "0.42", currency: "USD", total_tokens: 12 });
    expect(usageMeta(costView(estimateCost("x", undefined, [])))).toBeUndefined();
  });
  it("a failed job counted as spent says 'may bill it' only when the vendor may not have made the output", () => {
    const unknown = { ...costView(estimateCost("x", undefined, [])), counted_as_spent: true };
    expect(costLine(unknown)).toMatch(
      /; the request may have reached the vendor, which may bill it \(counted as a call of unknown cost\)\.$/,
    );
    expect(costLine(unknown, true)).toMatch(/; the vendor made the output, so it bills it \(counted as a call of unknown cost\)\.$/);
  });
});

describe("max_cost and idempotency fingerprints", () => {
  const quote = { vendor: "kling", model: "kling-v3", estimate: estimateCost("kling-v3", PRICE, [{ quantity: 5, dims: { mode: "pro" } }]) };
  it("refuses an estimate above max_cost, or an unknown one, and passes one at or under it", () => {
    expect(() => checkMaxCost(0.5, quote)).toThrow(/estimate \$0\.56 is above max_cost 0\.5 USD/);
    expect(() => checkMaxCost(0.56, quote)).not.toThrow();
    expect(() => checkMaxCost(undefined, quote)).not.toThrow();
    expect(() => checkMaxCost(1, { vendor: "animo", estimate: estimateCost("x", undefined, []) })).toThrow(/cannot be checked/);
  });
  it("is the same for the same call in any key order or wait, and differs for other arguments", () => {
    const a = fingerprint("t", { prompt: "p", duration: 5, wait_seconds: 0, delivery: "link", max_cost: 3 });
    expect(fingerprint("t", { duration: 5, prompt: "p" })).toBe(a);
    expect(fingerprint("t", { duration: 6, prompt: "p" })).not.toBe(a);
    expect(fingerprint("u", { duration: 5, prompt: "p" })).not.toBe(a);
  });
});

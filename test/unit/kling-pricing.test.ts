/** Kling's list prices, meters and reported usage (issue 14): estimates against hand-computed values, usage into actual costs. */
import { describe, expect, it } from "vitest";
import { Catalog } from "../../src/vendors/kit/catalog.js";
import { actualCost, catalogPrices, PriceBook, type PriceEntry } from "../../src/vendors/kit/price.js";
import { KLING_MODELS } from "../../src/vendors/kling/catalog.js";
import { regionCurrency, VENDOR_ID } from "../../src/vendors/kling/config.js";
import { imageMeters, klingEstimate, klingUsage, videoMeters, type ImageCall, type VideoCall } from "../../src/vendors/kling/pricing.js";

const book = new PriceBook(VENDOR_ID, catalogPrices(new Catalog(VENDOR_ID, KLING_MODELS)));
const video = (model: string, endpoint: string, c: VideoCall, b = book, currency?: "USD" | "CNY") =>
  klingEstimate(b, model, endpoint, (unit) => videoMeters(c, unit), currency);
const image = (model: string, c: ImageCall) => klingEstimate(book, model, c.family, () => imageMeters(c));
const T2V = "videos/text2video";
const OMNI = "videos/omni-video";

describe("Kling estimates from the list prices", () => {
  it("kling-v3 text-to-video, pro, 5 s, silent: 5 s × $0.112/s, with the basis naming quantity, rate and dimensions", () => {
    const e = video("kling-v3", T2V, { standard: "legacy", mode: "pro", duration: 5, sound: false });
    expect(e.amount).toBeCloseTo(5 * 0.112, 9);
    expect(e.currency).toBe("USD");
    expect(e.confidence).toBe("official");
    expect(e.source?.url).toBe("https://kling.ai/dev/pricing");
    expect(e.basis).toBe("5 s × $0.112/s (mode pro, sound no) = $0.56 for kling-v3");
    expect(video("kling-v3", T2V, { standard: "legacy", mode: "pro", duration: 5, sound: true }).amount).toBeCloseTo(5 * 0.168, 9);
    expect(video("kling-v3", T2V, { standard: "legacy", mode: "4k", duration: 15, sound: true }).amount).toBeCloseTo(15 * 0.42, 9);
  });

  it("applies Kling's defaults: mode std, 5 s, sound off (omni-video: mode pro), and says so", () => {
    const e = video("kling-v3", T2V, { standard: "legacy" });
    expect(e.amount).toBeCloseTo(5 * 0.084, 9);
    expect(e.basis).toMatch(/Kling's default mode std, duration 5 s → 5 s × \$0\.084\/s/);
    expect(video("kling-v3-omni", OMNI, { standard: "legacy", omni: true }).amount).toBeCloseTo(5 * 0.112, 9);
    // the shots' durations are the length when no duration is given
    const shots = { standard: "legacy" as const, multi_prompt: [{ duration: 3 }, { duration: 4 }] };
    expect(video("kling-v3", T2V, shots).amount).toBeCloseTo(7 * 0.084, 9);
  });

  it("prices omni-video with a video input at its own rate, and an edited video as a lower bound", () => {
    const ref = video("kling-v3-omni", OMNI, {
      standard: "legacy",
      omni: true,
      mode: "std",
      duration: 6,
      video: { refer_type: "feature" },
    });
    expect(ref.amount).toBeCloseTo(6 * 0.126, 9);
    expect(ref.basis).toMatch(/video input yes/);
    const edit = video("kling-video-o1", OMNI, {
      standard: "legacy",
      omni: true,
      mode: "pro",
      duration: 10,
      video: { refer_type: "base" },
    });
    expect(edit.amount).toBeCloseTo(3 * 0.168, 9);
    expect(edit.lowerBound).toBe(true);
    expect(edit.basis).toMatch(/the edited video's length, at least 3 s .*up to 15 s\): at most \$2\.52 in all$/);
    // The most it can cost, what a budget holds: the longest video Kling edits.
    expect(edit.most).toBeCloseTo(15 * 0.168, 9);
  });

  it("prices Kling 2.6 per clip by mode, duration, sound and voice control", () => {
    const c = (x: Partial<VideoCall>) => video("kling-v2-6", T2V, { standard: "legacy", ...x });
    expect(c({}).amount).toBeCloseTo(0.21, 9);
    expect(c({ mode: "pro", duration: 10, sound: true, voice_ids: ["v1"] }).amount).toBeCloseTo(1.68, 9);
    const clip = c({ mode: "pro", duration: 5, sound: true });
    expect(clip.amount).toBeCloseTo(0.7, 9);
    expect(clip.basis).toMatch(/^1 output × \$0\.7\/output \(mode pro, sound yes, duration 5, voice control no\)/);
    // std with sound: Kling lists no such clip (audio is pro only)
    expect(c({ mode: "std", sound: true }).amount).toBeNull();
  });

  it("prices images per image by resolution and input", () => {
    expect(image("kling-v3", { family: "images/generations", n: 4, resolution: "2k" }).amount).toBeCloseTo(4 * 0.028, 9);
    expect(image("kling-v2-1", { family: "images/generations" }).amount).toBeCloseTo(0.014, 9);
    expect(image("kling-v2-1", { family: "images/generations", image: true, n: 3 }).amount).toBeCloseTo(3 * 0.028, 9);
    expect(image("kling-v3-omni", { family: "images/omni-image", resolution: "4k", n: 2 }).amount).toBeCloseTo(2 * 0.056, 9);
    expect(image("kling-v3-omni", { family: "images/omni-image", result_type: "series" }).amount).toBeCloseTo(4 * 0.028, 9);
    const auto = image("kling-v3-omni", { family: "images/omni-image", result_type: "series", series_amount: "auto" });
    expect(auto.amount).toBeCloseTo(2 * 0.028, 9);
    expect(auto.lowerBound).toBe(true);
    expect(auto.most).toBeCloseTo(9 * 0.028, 9);
    // The smallest-series count is aigc-mcp's, not a Kling default.
    expect(auto.basis).toMatch(/^Kling's default resolution 1k; an auto series counted as its smallest, 2 images → /);
  });

  it("leaves unpublished prices unknown, with a reason the user can act on", () => {
    for (const [model, endpoint] of [
      ["kling-v2-5-turbo", T2V],
      ["kling-3.0-turbo", "text-to-video"],
      ["kling-3.0", "text-to-video"],
      ["kling-v2-1", "images/multi-image2image"],
    ] as const) {
      const e = video(model, endpoint, { standard: endpoint === T2V ? "legacy" : "new" });
      expect(e.amount, model).toBeNull();
      expect(e.reason, model).toMatch(/AIGC_MCP_PRICES_FILE/);
    }
    const silent4k = video("kling-v3-omni", OMNI, { standard: "legacy", omni: true, mode: "4k" });
    expect(silent4k.amount).toBeNull();
    expect(silent4k.reason).toMatch(/no rate for mode 4k, sound no, video input no/);
  });

  it("does not price a CNY account with the USD list; the user's own price (contract) is used in any currency", () => {
    const e = video("kling-v3", T2V, { standard: "legacy" }, book, "CNY");
    expect(e.amount).toBeNull();
    expect(e.reason).toMatch(/bills this account in CNY .* only in USD .*AIGC_MCP_PRICES_FILE/);
    const own: PriceEntry = {
      model: "kling-v3",
      price: {
        currency: "CNY",
        unit: "second",
        rates: [{ amount: 0.6 }],
        source: { url: "file:///p.json", date: "2026-11-30" },
        confidence: "contract",
      },
    };
    expect(video("kling-v3", T2V, { standard: "legacy" }, book.withEntries([own]), "CNY").amount).toBeCloseTo(5 * 0.6, 9);
    expect(video("kling-v3", T2V, { standard: "legacy" }, book, "USD").amount).toBeCloseTo(5 * 0.084, 9);
  });

  it("names the new standard's dimensions resolution and audio", () => {
    expect(videoMeters({ standard: "new", mode: "pro", sound: true, duration: 4 }, "second").meters[0]).toMatchObject({
      quantity: 4,
      dims: { resolution: "1080p", audio: true },
    });
  });

  it("takes the account currency from the host's region", () => {
    expect(regionCurrency("https://api-singapore.klingai.com")).toBe("USD");
    expect(regionCurrency("https://api-beijing.klingai.com")).toBe("CNY");
  });
});

describe("Kling usage from task answers", () => {
  const estimate = video("kling-v3", T2V, { standard: "legacy", mode: "pro", duration: 5 });

  it("reads a legacy cash deduction in the account's currency and says where the currency came from", () => {
    const usage = klingUsage({ final_unit_deduction: "0", final_balance_deduction: { quota: "0.5", list_price: "0.56" } }, "USD");
    expect(usage).toEqual({ charged: { amount: 0.5, currency: "USD", note: expect.stringMatching(/names no currency: USD/) } });
    expect(actualCost(estimate, usage)).toMatchObject({
      amount: 0.5,
      currency: "USD",
      basis: expect.stringMatching(/^charged by the vendor: \$0\.5 \(/),
    });
  });

  it("reads units alone as units, which have no money value", () => {
    const usage = klingUsage({ final_unit_deduction: "5", final_balance_deduction: { quota: "0", list_price: "0" } }, "CNY");
    expect(usage).toEqual({ units: 5 });
    expect(actualCost(estimate, usage)).toBeUndefined();
  });

  it("reads the new standard's billing[]: cash with its currency, units, trial money", () => {
    const cash = klingUsage({ billing: [{ charge_type: "cash", cash_type: "balance", amount: "3.2", currency: "CNY" }] }, "USD");
    expect(cash?.charged).toMatchObject({ amount: 3.2, currency: "CNY" });
    const both = klingUsage(
      {
        billing: [
          { charge_type: "unit", amount: "2" },
          { charge_type: "cash", cash_type: "test_balance", amount: "0.1", currency: "USD" },
        ],
      },
      undefined,
    );
    expect(both).toMatchObject({ units: 2, charged: { amount: 0.1, currency: "USD", note: expect.stringMatching(/trial/) } });
    expect(klingUsage({ billing: [] }, "USD")).toBeUndefined();
    expect(klingUsage({}, "USD")).toBeUndefined();
  });
});

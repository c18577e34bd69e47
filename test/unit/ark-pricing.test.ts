import { describe, expect, it } from "vitest";
import { seedanceMeters, seedanceUsage, seedreamMeters, seedreamUsage, SEEDANCE_PRICES } from "../../src/vendors/ark/pricing.js";
import { seedanceResult } from "../../src/vendors/ark/seedance.js";
import { seedreamResult } from "../../src/vendors/ark/seedream.js";
import { actualCost, estimateCost, type Meter } from "../../src/vendors/kit/price.js";

const SD20 = "doubao-seedance-2-0-260128";
const price = SEEDANCE_PRICES[SD20];
const meters = (m: ReturnType<typeof seedanceMeters>): { meters: Meter[]; lowerBound?: string } => {
  if ("unknown" in m) throw new Error(m.unknown);
  return m;
};

describe("Seedance meters and list prices", () => {
  it("prices 5 s of 720p 16:9 without a video input by Ark's token rule at ¥46 per million tokens", () => {
    const m = meters(seedanceMeters({ duration: 5, resolution: "720p", ratio: "16:9" }, "million_tokens"));
    const e = estimateCost(SD20, price, m.meters);
    // The 2.0 series' 720p 16:9 frame is 1280×720; 24 fps; tokens = s × w × h × fps / 1024.
    expect(e.amount).toBeCloseTo(((5 * 1280 * 720 * 24) / 1024) * (46 / 1e6), 6);
    expect(e.amount).toBe(4.968);
    expect(e).toMatchObject({ currency: "CNY", confidence: "transcribed", rate: { amount: 46, unit: "million_tokens" } });
    expect(e.lowerBound).toBeUndefined();
    expect(e.basis).toContain("(5 s) × 1280×720 px × 24 fps / 1024 = 108 000 tokens");
    expect(e.basis).toContain("¥46/M tokens (resolution 720p, video input no");
    expect(e.source?.url).toBe("https://www.volcengine.com/docs/82379/1544106");
  });

  it("applies Ark's defaults (720p, ratio adaptive = the largest 720p frame, 5 s)", () => {
    const m = meters(seedanceMeters({}, "million_tokens"));
    const e = estimateCost(SD20, price, m.meters);
    expect(e.amount).toBe(Math.round((Math.round((5 * 1112 * 834 * 24) / 1024) / 1e6) * 46 * 1e6) / 1e6);
    expect(e.basis).toContain("1112×834 px (ratio adaptive: the largest 720p frame)");
  });

  it("uses the video-input rate at 1080p and says the estimate is a lower bound when an input's length is unknown", () => {
    const m = meters(
      seedanceMeters({ duration: 5, resolution: "1080p", ratio: "16:9", referenceVideoSeconds: [3, undefined] }, "million_tokens"),
    );
    const e = estimateCost(SD20, price, m.meters, m.lowerBound);
    expect(e.amount).toBeCloseTo((Math.round(((5 + 3) * 1920 * 1080 * 24) / 1024) / 1e6) * 31, 6);
    expect(e.lowerBound).toBe(true);
    expect(e.basis).toMatch(/input videos whose length is not known.*minimum token charge/);
  });

  it("knows no 4k, flex or draft price: unknown with the missing rate named", () => {
    for (const call of [{ resolution: "4k", ratio: "16:9" }, { service_tier: "flex" }, { draft: true }]) {
      const m = seedanceMeters(call, "million_tokens");
      const e = "unknown" in m ? { amount: null, reason: m.unknown } : estimateCost(SD20, price, m.meters);
      expect(e.amount).toBeNull();
      expect(e.reason).toMatch(/AIGC_MCP_PRICES_FILE|frame size/);
    }
    expect(
      estimateCost(
        "doubao-seedance-2-0-fast-260128",
        SEEDANCE_PRICES["doubao-seedance-2-0-fast-260128"],
        meters(seedanceMeters({ resolution: "1080p" }, "million_tokens")).meters,
      ).amount,
    ).toBeNull();
  });

  it("counts the 1.0 series' own frames (720p 16:9 is 1248×704 there)", () => {
    const m = meters(seedanceMeters({ model: "doubao-seedance-1-0-lite-t2v-250428", ratio: "16:9" }, "million_tokens"));
    expect(m.meters[0]!.quantity).toBe(Math.round((5 * 1248 * 704 * 24) / 1024) / 1e6);
  });

  it("prices duration -1 at the longest the model may choose, and per second or per video for a prices-file price", () => {
    expect(meters(seedanceMeters({ duration: -1, maxDuration: 15 }, "second")).meters[0]!.quantity).toBe(15);
    expect("unknown" in seedanceMeters({ duration: -1 }, "second")).toBe(true);
    expect(meters(seedanceMeters({ duration: 8 }, "item")).meters[0]!.quantity).toBe(1);
    expect("unknown" in seedanceMeters({}, "image")).toBe(true);
  });

  it("reads the billed tokens of a finished task into PollResult.usage, priced at the estimate's rate", () => {
    const task = {
      id: "cgt-1",
      status: "succeeded",
      model: SD20,
      content: { video_url: "https://x/v.mp4" },
      usage: { completion_tokens: 108000, total_tokens: 108000 },
    };
    const poll = seedanceResult(task);
    expect(poll.usage).toEqual({ tokens: 108000 });
    expect(seedanceUsage({ id: "x", status: "running" })).toBeUndefined();
    const e = estimateCost(SD20, price, meters(seedanceMeters({ ratio: "16:9" }, "million_tokens")).meters);
    expect(actualCost(e, poll.usage)?.amount).toBeCloseTo((108000 / 1e6) * 46, 6);
  });
});

describe("Seedream meters", () => {
  it("counts max_images images (a group is billed per image returned) and reads usage.generated_images", () => {
    expect(seedreamMeters({}, "image")).toEqual({ meters: [{ quantity: 1 }] });
    expect(seedreamMeters({ max_images: 4, size: "2k" }, "image")).toMatchObject({ meters: [{ quantity: 4, dims: { size: "2K" } }] });
    expect("unknown" in seedreamMeters({ max_images: 4 }, "second")).toBe(true);
    const res = { model: "m", data: [{ url: "https://x/a.jpeg" }, { url: "https://x/b.jpeg" }], usage: { generated_images: 2 } };
    expect(seedreamUsage(res)).toEqual({ images: 2 });
    expect(seedreamResult(res).usage).toEqual({ images: 2 });
  });
});

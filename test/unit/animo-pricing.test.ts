import { describe, expect, it } from "vitest";
import { animoMeters } from "../../src/vendors/animo/pricing.js";

describe("Animo meters", () => {
  it("meters one video, or the sync endpoint's seconds (default 10 s)", () => {
    expect(animoMeters({}, "sync", "item")).toEqual({ meters: [{ quantity: 1, dims: { resolution: "1280x720" } }] });
    expect(animoMeters({}, "sync", "second")).toMatchObject({ meters: [{ quantity: 10, how: "10 s (default duration)" }] });
    expect(animoMeters({ duration: 4, resolution: "1920x1080" }, "sync", "second")).toMatchObject({
      meters: [{ quantity: 4, dims: { resolution: "1920x1080" } }],
    });
    expect(animoMeters({}, "async", "item")).toEqual({ meters: [{ quantity: 1 }] });
  });

  it("cannot price the async API per second (it takes no duration) and says what to give instead", () => {
    const m = animoMeters({}, "async", "second");
    expect("unknown" in m && m.unknown).toMatch(/unit item/);
    expect("unknown" in animoMeters({}, "sync", "image")).toBe(true);
  });
});

/** The viewer's text formatting (src/viewer/format.ts): pure functions, run here in Node. */
import { describe, expect, it } from "vitest";
import {
  backoffMs,
  base64Bytes,
  formatBytes,
  formatCost,
  formatDuration,
  formatElapsed,
  formatMoney,
  isWebUrl,
} from "../../src/viewer/format.js";

describe("viewer formatting", () => {
  it("bytes, durations and elapsed time", () => {
    expect([0, 999, 1000, 66_012, 12_345_678, 2e9].map(formatBytes)).toEqual(["0 B", "999 B", "1.0 kB", "66 kB", "12 MB", "2.0 GB"]);
    expect([5, 4.25, 65, 3723].map(formatDuration)).toEqual(["5 s", "4.3 s", "1:05", "1:02:03"]);
    expect([0, 8_900, 125_000, 3_780_000, -5].map(formatElapsed)).toEqual(["0 s", "8 s", "2 min 05 s", "1 h 03 min", "0 s"]);
  });

  it("cost: the actual amount when reported, else the estimate; not billed; unknown is nothing", () => {
    expect(formatMoney(0.25, "CNY")).toBe("CNY 0.25");
    expect(formatMoney(0.0042, "USD")).toBe("USD 0.0042");
    expect(formatCost({ estimated: 5, currency: "CNY", actual: 4.97, actual_currency: "CNY" })).toBe("CNY 4.97");
    expect(formatCost({ estimated: 5, currency: "CNY" })).toBe("about CNY 5.00 (estimate)");
    expect(formatCost({ estimated: 0.2, currency: "CNY", lower_bound: true })).toBe("at least CNY 0.20 (estimate)");
    expect(formatCost({ estimated: 5, currency: "CNY", not_billed: true })).toBe("not billed");
    expect(formatCost({ estimated: null })).toBeUndefined();
    expect(formatCost(undefined)).toBeUndefined();
  });

  it("only http(s) links are offered; status retries back off to 30 s", () => {
    expect(["https://x.example/a.mp4", "http://127.0.0.1:8080/f"].map(isWebUrl)).toEqual([true, true]);
    expect(["javascript:alert(1)", "data:text/html,<b>", "file:///etc/passwd", "not a url", undefined].map(isWebUrl)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect([0, 1, 2, 5, 9].map(backoffMs)).toEqual([1000, 2000, 4000, 30_000, 30_000]);
  });
  it("counts the bytes a base64 text decodes to", () => {
    for (const n of [0, 1, 2, 3, 4, 65850]) {
      const b64 = Buffer.alloc(n, 7).toString("base64");
      expect(base64Bytes(b64)).toBe(n);
      expect(base64Bytes(b64.replace(/(.{76})/g, "$1\n"))).toBe(n);
    }
  });
});

/**
 * A call whose estimate is a lower bound (the vendor bills what the estimate could not count) is
 * held at the most it can cost, so concurrent calls never pass a budget together and max_cost is
 * never exceeded; one with no known most is refused under a budget or max_cost. What a call spent
 * is counted from what it returned (Jimeng's images) or reported (an unpriced model's charge).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { startHarness, tempDir, text, type Harness } from "../../helpers/harness.js";
import { mark } from "../../helpers/results.js";

type Budget = { limits: Array<{ spent: number; reserved: number; vendor?: string }>; days: Array<Record<string, unknown>> };
const budgetOf = async (h: Harness) => (await h.call("get_budget", {})).structuredContent as Budget;
const costOf = (r: CallToolResult) => (r.structuredContent as { cost: Record<string, unknown> }).cost;

function pricesFile(prices: unknown): string {
  const path = join(tempDir("aigc-prices-"), "prices.json");
  writeFileSync(path, JSON.stringify(prices));
  return path;
}

describe("calls whose estimate is a lower bound", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("Kling Omni edits are held at the longest video the model edits: concurrent ones never pass the budget, max_cost holds", async () => {
    h = await startHarness({ env: { AIGC_MCP_BUDGET: "kling:daily:2USD" } });
    const source = await h.call("kling_text_to_video", { prompt: "a harbour", duration: 5, wait_seconds: 30 });
    const url = (source.structuredContent as { assets: Array<{ url: string }> }).assets[0]!.url;
    const edit = { prompt: "make it night", model: "kling-video-o1", video: { url, refer_type: "base" }, wait_seconds: 30 };
    // o1 edits videos of 3-10 s at $0.168/s (pro, video input): $0.504 to $1.68.
    const capped = await h.call("kling_omni_video", { ...edit, max_cost: 0.6 });
    expect(text(capped)).toMatch(/^Error: CostAboveMax \(Kling\): the most this call can cost, \$1\.68, is above max_cost 0\.6 USD/);
    const before = (await budgetOf(h)).limits[0]!.spent;
    const edits = await Promise.all([1, 2, 3].map((i) => h!.call("kling_omni_video", { ...edit, prompt: `make it night ${i}` })));
    // The source video spent $0.42 (5 s std), leaving $1.58: not enough for one edit's most. Held at its
    // lower bound ($0.504), as before, all three ran and spent $2.52 together.
    expect(before).toBeCloseTo(0.42, 6);
    expect(edits.filter((r) => !r.isError)).toHaveLength(0);
    for (const r of edits) expect(text(r)).toMatch(/^Error: BudgetExceeded .*this call may cost up to \$1\.68, the most it can \(/);
    await h.close();

    h = await startHarness({ env: { AIGC_MCP_BUDGET: "kling:daily:3USD" } });
    const again = await h.call("kling_text_to_video", { prompt: "a harbour", duration: 5, wait_seconds: 30 });
    const url2 = (again.structuredContent as { assets: Array<{ url: string }> }).assets[0]!.url;
    const results = await Promise.all(
      [1, 2, 3].map((i) => h!.call("kling_omni_video", { ...edit, video: { url: url2, refer_type: "base" }, prompt: `night ${i}` })),
    );
    // $0.42 + one hold of $1.68 fit in $3; a second would not.
    expect(results.filter((r) => !r.isError)).toHaveLength(1);
    const done = results.find((r) => !r.isError)!;
    expect(costOf(done)).toMatchObject({ lower_bound: true, estimated_max: 1.68, actual: 0.84 });
    expect(text(done)).toMatch(/Cost: \$0\.504 to \$1\.68 estimated/);
    const b = (await budgetOf(h)).limits[0]!;
    expect(b.spent).toBeCloseTo(0.42 + 0.84, 6);
    expect(b.reserved).toBe(0);
  });

  it("Jimeng image groups are held at 15 images and counted at the images returned", async () => {
    h = await startHarness({
      env: {
        AIGC_MCP_BUDGET: "visual:daily:20CNY",
        AIGC_MCP_PRICES_FILE: pricesFile({ visual: [{ model: "jimeng_t2i_v40", currency: "CNY", unit: "image", amount: 1 }] }),
      },
    });
    const calls = await Promise.all(
      [1, 2, 3].map((i) => h!.call("jimeng_generate_image", { model: "jimeng_t2i_v40", prompt: `cats [group] ${i}`, wait_seconds: 30 })),
    );
    // Each is held at ¥15 (15 images, no input): one fits in ¥20 at a time.
    const ran = calls.filter((r) => !r.isError);
    expect(ran).toHaveLength(1);
    expect(costOf(ran[0]!)).toMatchObject({ estimated: 1, estimated_max: 15, actual: 3 });
    const b = (await budgetOf(h)).limits[0]!;
    expect(b.spent).toBe(3);
    expect(b.reserved).toBe(0);
    // Priced per output (unit item), the same call counts the images returned too.
    await h.close();
    h = await startHarness({
      env: {
        AIGC_MCP_BUDGET: "visual:daily:20CNY",
        AIGC_MCP_PRICES_FILE: pricesFile({ visual: [{ model: "jimeng_t2i_v40", currency: "CNY", unit: "item", amount: 1 }] }),
      },
    });
    const item = await h.call("jimeng_generate_image", { model: "jimeng_t2i_v40", prompt: "cats [group] 4", wait_seconds: 30 });
    expect(costOf(item)).toMatchObject({ estimated: 1, estimated_max: 15, actual: 3 });
    expect((await budgetOf(h)).limits[0]!.spent).toBe(3);
    // One image asked for (force_single) is held at exactly that.
    const single = await h.call("jimeng_generate_image", {
      model: "jimeng_t2i_v40",
      prompt: "one cat",
      force_single: true,
      wait_seconds: 30,
    });
    expect(costOf(single)).toMatchObject({ estimated: 1, actual: 1 });
    expect(costOf(single).estimated_max).toBeUndefined();
  });

  it("a lower bound with no known most (Seedance with a reference video URL) is refused under a budget or max_cost", async () => {
    h = await startHarness({ env: { AIGC_MCP_BUDGET: "daily:100CNY" } });
    const m = mark(h.ark);
    const args = { prompt: "like this", reference_videos: ["https://example.com/ref.mp4"], duration: 5, wait_seconds: 0 };
    const r = await h.call("seedance_generate_video", args);
    expect(text(r)).toMatch(/^Error: BudgetUnbounded \(Ark\): .*nothing limits this call's cost before it runs/);
    expect(text(r)).toMatch(/What to do: Set AIGC_MCP_BUDGET_UNKNOWN_PRICE=allow/);
    const capped = await h.call("seedance_generate_video", { ...args, max_cost: 50 });
    expect(text(capped)).toMatch(/^Error: CostUnbounded \(Ark\): max_cost 50 cannot hold this call/);
    expect(m.since()).toHaveLength(0);
  });

  it("an unpriced model's reported charge is counted in the currency its vendor bills, without a budget", async () => {
    h = await startHarness({});
    const r = await h.call("kling_text_to_video", { prompt: "turbo", model: "kling-3.0-turbo", wait_seconds: 30 });
    const actual = costOf(r);
    expect(actual).toMatchObject({ estimated: null, actual_currency: "USD" });
    const rows = (await budgetOf(h)).days.filter((row) => row.vendor === "kling");
    expect(rows).toEqual([expect.objectContaining({ currency: "USD", spent: actual.actual, unpriced: 1 })]);
  });
});

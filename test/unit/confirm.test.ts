import { describe, expect, it } from "vitest";
import type { ElicitRequestFormParams } from "@modelcontextprotocol/sdk/types.js";
import { parseCostConfig } from "../../src/cost/config.js";
import { confirmSpend } from "../../src/tools/confirm.js";
import type { Quote } from "../../src/tools/define.js";

/** The approval form confirmSpend shows for `quote`, the user declining it. */
async function formFor(quote: Quote): Promise<ElicitRequestFormParams> {
  let form: ElicitRequestFormParams | undefined;
  const config = parseCostConfig({ AIGC_MCP_CONFIRM_ABOVE: "1CNY" });
  const elicit = (params: ElicitRequestFormParams) => ((form = params), Promise.resolve({ action: "decline" as const }));
  await expect(confirmSpend({ tool: "t", quote, confirm: undefined, config, elicit })).rejects.toThrow(/did not approve/);
  return form!;
}

describe("the approval form", () => {
  it("says 'about' an estimate, and not about an unknown amount", async () => {
    const priced = await formFor({ vendor: "ark", estimate: { amount: 3, currency: "CNY", basis: "3 images" } });
    expect(priced.message).toMatch(/^Approve spending about ¥3 with ark\?/i);
    const unknown = await formFor({ vendor: "ark", estimate: { amount: null, basis: "no price", reason: "no price is known" } });
    expect(unknown.message).toMatch(/^Approve spending an unknown amount with ark\?\n/i);
    expect(unknown.requestedSchema.properties.approve).toMatchObject({ title: "Spend an unknown amount" });
  });

  it("gives the basis once, on its own line", async () => {
    const basis = "(5 s) × 1112×834 px × 24 fps / 1024 = 113 073 tokens × ¥46/M tokens";
    const form = await formFor({ vendor: "ark", estimate: { amount: 5.2, currency: "CNY", basis } });
    expect(form.message.split(basis)).toHaveLength(2);
    expect(form.message).toMatch(
      /\nBasis: \(5 s\).*\n\(This call needs your approval because it is estimated at ¥5\.2, above 1 CNY: AIGC_MCP_CONFIRM_ABOVE\.\)$/,
    );
  });
});

/**
 * How a paid call's cost appears in its result (issue 14 item 3): `structuredContent.cost`, one
 * text line, and `_meta.usage` in the keys Dify reads into its LLM usage (`total_price` as a
 * decimal string, `currency`, token counts).
 */
import { z } from "zod";
import type { JobCost, JobStatus } from "../jobs/types.js";
import { CURRENCIES, formatMoney, type Actual, type Currency, type Estimate, type VendorUsage } from "../vendors/kit/price.js";

export const costSchema = z
  .object({
    estimated: z.number().nullable().describe("estimated before the call; null = unknown (basis says why)"),
    currency: z.enum(CURRENCIES).optional(),
    basis: z.string(),
    lower_bound: z.boolean().optional().describe("the vendor bills something the estimate could not count"),
    estimated_max: z.number().optional().describe("with lower_bound: the most the call can cost (what a budget holds)"),
    actual: z.number().optional().describe("from the vendor's reported usage or charge"),
    actual_currency: z.enum(CURRENCIES).optional(),
    actual_basis: z.string().optional(),
    price_source: z.string().optional(),
    price_date: z.string().optional(),
    price_confidence: z.enum(["official", "transcribed", "contract"]).optional(),
    not_billed: z.boolean().optional().describe("true: the vendor reported the task failed, cancelled or refused it, so it was not billed"),
    counted_as_spent: z
      .boolean()
      .optional()
      .describe(
        "true: the job did not succeed, but its request may have reached the vendor, which may bill it, so the budget counts it as spent (at the estimate when known)",
      ),
  })
  .describe("what the call costs");

export type CostView = z.output<typeof costSchema>;

/** The `cost` of a result from an estimate and, once known, the actual cost. */
export function costView(estimate: Estimate, actual?: Actual): CostView {
  return {
    estimated: estimate.amount,
    ...(estimate.currency ? { currency: estimate.currency } : {}),
    basis: estimate.basis,
    ...(estimate.lowerBound ? { lower_bound: true } : {}),
    ...(estimate.lowerBound && estimate.most !== undefined ? { estimated_max: estimate.most } : {}),
    ...(actual ? { actual: actual.amount, actual_currency: actual.currency, actual_basis: actual.basis } : {}),
    ...(estimate.source ? { price_source: estimate.source.url, price_date: estimate.source.date } : {}),
    ...(estimate.confidence ? { price_confidence: estimate.confidence } : {}),
  };
}

/** A job's `cost`: not billed, or counted as spent although the job did not succeed (it may have been billed). */
export function jobCostView(cost: JobCost | undefined, status?: JobStatus): CostView | undefined {
  if (!cost) return undefined;
  const view = costView(cost.estimate, cost.actual);
  if (cost.settled === "released") return { ...view, not_billed: true };
  const unsure = cost.settled === "spent" && !cost.actual && status !== undefined && status !== "succeeded";
  return unsure ? { ...view, counted_as_spent: true } : view;
}

/** At most `n` characters of a basis, cut at a word. */
function brief(text: string, n = 140): string {
  return text.length <= n ? text : `${text.slice(0, text.lastIndexOf(" ", n - 1))} …`;
}

/**
 * "Cost: ¥4.968 estimated (108 000 tokens × ¥46/M tokens …); actual ¥4.968." or "Cost: unknown: …":
 * one short line for the text (the whole basis is in structuredContent.cost). `made`: a failed job's
 * vendor made the output (JobCost.made).
 */
export function costLine(view: CostView, made?: boolean): string {
  if (view.not_billed)
    return `Cost: not billed (the vendor reported the task failed, cancelled or refused it)${view.estimated !== null && view.currency ? `; the estimate was ${formatMoney(view.estimated, view.currency)} and any budget hold was released` : ""}.`;
  const est =
    view.estimated === null || !view.currency
      ? `Cost: ${brief(view.basis, 240)}`
      : `Cost: ${amountLine(view.estimated, view.currency, view.lower_bound, view.estimated_max)} estimated (${brief(view.basis)})`;
  const act = view.actual !== undefined && view.actual_currency ? `; actual ${formatMoney(view.actual, view.actual_currency)}` : "";
  // `made`: the vendor made the output (JobCost.made), so billing it is no "may".
  const why = made ? "the vendor made the output, so it bills it" : "the request may have reached the vendor, which may bill it";
  const counted = !view.counted_as_spent
    ? ""
    : view.estimated === null
      ? `; ${why} (counted as a call of unknown cost)`
      : `; counted as spent: ${why}`;
  return `${est}${act}${counted}.`;
}

/** "¥2", "¥2 to ¥30" (a lower bound with a known most), "at least ¥2". */
export function amountLine(amount: number, currency: Currency, lowerBound?: boolean, most?: number): string {
  if (!lowerBound) return formatMoney(amount, currency);
  return most === undefined
    ? `at least ${formatMoney(amount, currency)}`
    : `${formatMoney(amount, currency)} to ${formatMoney(most, currency)}`;
}

/** `_meta.usage` for clients that read usage from results (Dify): the actual cost when known, else the estimate. */
export function usageMeta(view: CostView, usage?: VendorUsage): Record<string, unknown> | undefined {
  if (view.not_billed) return view.currency ? { total_price: "0", currency: view.currency } : undefined;
  const amount = view.actual ?? view.estimated;
  const currency = view.actual !== undefined ? view.actual_currency : view.currency;
  if (amount === null || amount === undefined || !currency) return undefined;
  return {
    total_price: String(amount),
    currency,
    ...(usage?.tokens !== undefined ? { total_tokens: usage.tokens } : {}),
  };
}

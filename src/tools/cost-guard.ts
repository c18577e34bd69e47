/**
 * The cost guard every paid tool runs through (issue 14): the call's quote, its `max_cost`
 * ceiling, the budget reservation, the user's confirmation above AIGC_MCP_CONFIRM_ABOVE, and its
 * `idempotency_key`, all before any vendor request; then the cost in the result. A paid tool is a
 * tool with a `quote`.
 */
import { createHash, randomUUID } from "node:crypto";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { appliesTo, type CostConfig } from "../cost/config.js";
import type { Reservation } from "../cost/ledger.js";
import { callScope, inCallScope, type CallScope } from "../cost/scope.js";
import { actualIn, mayHaveBilled } from "../cost/settle.js";
import { AigcError, vendorDisplayName } from "../errors.js";
import { log } from "../log.js";
import { actualCost, ceilingOf, formatMoney, type Actual, type VendorUsage } from "../vendors/kit/price.js";
import { confirmSpend, type Elicit } from "./confirm.js";
import { costLine, costView, usageMeta } from "./cost-output.js";
import { errorResult, type Quote, type ToolContext, type ToolDef } from "./define.js";
import { claimKey, replayKey } from "./idempotency.js";
import { describeError } from "../errors.js";
import { budgetRefusal, pricesFileHint, refusedBeforeLedger } from "./budget-messages.js";
import { budgetStatus } from "../cost/status.js";
import { idText, quietRange } from "./bounds.js";

/**
 * The arguments every paid tool takes (listed on each; explained once in the server instructions).
 * `confirm` only when AIGC_MCP_CONFIRM_ABOVE is set: it does nothing otherwise.
 */
export function costArguments(cost: CostConfig | undefined): z.ZodRawShape {
  return {
    max_cost: quietRange(z.number(), 0, 1e9, true).optional(),
    idempotency_key: idText(128)
      .min(8, "must be at least 8 characters (e.g. a UUID)")
      .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces")
      .optional(),
    ...(cost?.confirmAbove.length ? { confirm: z.boolean().optional() } : {}),
  };
}

/** The argument names the guard takes out before the tool sees the call. */
export const COST_ARGUMENT_NAMES = ["max_cost", "idempotency_key", "confirm"] as const;

/** Arguments that do not change what is generated: a retry may change them and still be the same call. */
const NOT_THE_CALL = new Set(["wait_seconds", "delivery", ...COST_ARGUMENT_NAMES]);

/** sha256 of the tool name and its arguments (keys sorted, wait and delivery left out): "the same call". */
export function fingerprint(tool: string, args: Record<string, unknown>): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === "object"
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  const kept = Object.fromEntries(Object.entries(args).filter(([k, v]) => !NOT_THE_CALL.has(k) && v !== undefined));
  return createHash("sha256")
    .update(JSON.stringify([tool, canonical(kept)]))
    .digest("hex");
}

export interface PaidCall {
  def: ToolDef;
  /** The call's arguments, `delivery` taken out, cost arguments still in. */
  args: Record<string, unknown>;
  ctx: ToolContext;
  elicit: Elicit | undefined;
}

/** Runs a paid tool's call through the guard. Throws AigcError for a refusal (nothing was sent). */
export async function runPaid({ def, args: raw, ctx, elicit }: PaidCall): Promise<CallToolResult> {
  const { max_cost, idempotency_key, confirm, ...args } = raw as Record<string, unknown> & {
    max_cost?: number;
    idempotency_key?: string;
    confirm?: boolean;
  };
  const store = ctx.app.jobs.store;
  const key = idempotency_key;
  const claimId = randomUUID();
  const claimed = key ? { key, claimId } : undefined;
  if (key) {
    const print = fingerprint(def.name, args);
    const budget = ctx.budget(args.wait_seconds as number | undefined);
    // A first call refused unbilled lets the key go: a repeat waiting on it then runs as the call with that key.
    for (;;) {
      const claim = await claimKey(store, key, { fingerprint: print, tool: def.name, owner: store.owner(), claim: claimId });
      if (claim.claimed) break;
      const replayed = await replayKey(ctx, key, claim.entry, { tool: def.name, fingerprint: print }, budget);
      if (replayed) return replayed;
    }
  }
  let jobId: string | undefined;
  let reservation: Reservation | undefined;
  let sent = false;
  try {
    const quote = await def.quote!(args, ctx);
    // What the quote read is dropped: its room is not held while a person is asked to confirm.
    ctx.limits.loads?.release();
    checkMaxCost(max_cost, quote, ctx.app.config.cost.pricesFile);
    reservation = await reserve(ctx.app, quote);
    await confirmSpend({ tool: def.name, quote, confirm, config: ctx.app.config.cost, elicit });
    const reported: { usage?: VendorUsage; actual?: Actual } = {};
    ctx.reportUsage = (usage) => void (reported.usage = usage);
    ctx.reportActual = (actual) => void (reported.actual = actual);
    const scope: CallScope = {
      ...callScope(),
      cost: { estimate: quote.estimate, ...(reservation ? { reservation } : {}) },
      onJob: (id) => {
        jobId = id;
        if (key)
          void store.keys
            .complete(key, { job_id: id })
            .catch((err: unknown) => log.warn("could not record an idempotency key's job", { error: String(err) }));
      },
    };
    sent = true;
    let result: CallToolResult;
    try {
      result = await inCallScope(scope, () => def.run(args, ctx));
    } catch (err) {
      // A job, once made, ends its reservation itself; a call that made none ends it here.
      if (jobId) throw err;
      const failure = errorResult(describeError(err));
      if (!mayHaveBilled(err)) {
        await endWithoutJob(ctx.app, reservation, claimed, false, undefined, failure);
        throw err;
      }
      // Billed though it failed (an answer the checks refused, one cut off): the failure says what it cost.
      const actual = withCost(failure, quote, reported);
      await endWithoutJob(ctx.app, reservation, claimed, true, actual, failure);
      return failure;
    }
    if (jobId) return result;
    const actual = withCost(result, quote, reported);
    await endWithoutJob(ctx.app, reservation, claimed, true, actual, result);
    return result;
  } catch (err) {
    if (!sent) {
      // Not waited for (nor in endWithoutJob): the ledger's next limit check and report wait for it (cost/background.ts).
      if (reservation) void ctx.app.jobs.store.spend.release(reservation).catch(() => undefined);
      if (key) await store.keys.forget(key, claimId).catch(() => undefined);
    }
    throw err;
  }
}

/**
 * Adds what a billed call that made no job cost to its result: the text's "Cost:" line,
 * `structuredContent.cost` and `_meta.usage` (Dify's). A failure without the vendor's actual cost
 * is marked counted as spent. Returns the actual cost, when the vendor reported one.
 */
function withCost(result: CallToolResult, quote: Quote, reported: { usage?: VendorUsage; actual?: Actual }): Actual | undefined {
  const actual = reported.actual ?? actualCost(quote.estimate, reported.usage);
  const view = costView(quote.estimate, actual);
  if (result.isError && !actual) view.counted_as_spent = true;
  const first = result.content.find((b) => b.type === "text");
  if (first?.type === "text") first.text += `\n${costLine(view)}`;
  if (result.structuredContent) result.structuredContent = { ...result.structuredContent, cost: view };
  const usage = usageMeta(view, reported.usage);
  if (usage) result._meta = { ...result._meta, usage };
  return actual;
}

/** Ends the reservation and the key of a call that made no job: spent (at the actual, else the estimate) or released. */
async function endWithoutJob(
  app: AppContext,
  reservation: Reservation | undefined,
  claimed: { key: string; claimId: string } | undefined,
  billed: boolean,
  actual: Actual | undefined,
  result: CallToolResult,
): Promise<void> {
  const { spend, keys } = app.jobs.store;
  if (reservation) {
    const amount = actualIn(reservation, actual);
    void (billed ? spend.settle(reservation, amount) : spend.release(reservation)).catch((err: unknown) =>
      log.warn("could not settle a budget reservation; it is tried again in the background", { error: String(err) }),
    );
  }
  if (!claimed) return;
  // A refusal that was not billed frees the key for a corrected retry; anything billed is answered again, never re-run.
  if (!billed) return void (await keys.forget(claimed.key, claimed.claimId).catch(() => undefined));
  await keys
    .complete(claimed.key, { result: storedResult(result) })
    .catch((err: unknown) => log.warn("could not record an idempotency key's result", { error: String(err) }));
}

/** A result as a key keeps it: whole when small, else its text and structured content only (under 256 KiB). */
function storedResult(result: CallToolResult): string {
  const whole = JSON.stringify(result);
  if (whole.length <= 200_000) return whole;
  const text = result.content.filter((b) => b.type === "text").map((b) => ({ ...b, text: b.text.slice(0, 50_000) }));
  const lean = JSON.stringify({ ...result, content: text });
  return lean.length <= 200_000 ? lean : JSON.stringify({ content: text, ...(result.isError ? { isError: true } : {}) });
}

/** Refuses a call whose estimate is above `max_cost` (in the estimate's currency), or unknown. */
export function checkMaxCost(maxCost: number | undefined, quote: Quote, pricesFile?: string): void {
  const refusal = maxCostRefusal(maxCost, quote, pricesFile);
  if (refusal) throw refusal;
}

/** Why `max_cost` refuses the call (CostUnknown, CostUnbounded, CostAboveMax), or undefined when it holds it. */
export function maxCostRefusal(maxCost: number | undefined, quote: Quote, pricesFile?: string): AigcError | undefined {
  if (maxCost === undefined) return undefined;
  const { estimate } = quote;
  if (estimate.amount === null || !estimate.currency)
    return new AigcError({
      category: "invalid_input",
      code: "CostUnknown",
      vendor: quote.vendor,
      message: `max_cost ${maxCost} cannot be checked: the cost of this call is unknown (${estimate.reason ?? estimate.basis}); nothing was sent to ${vendorDisplayName(quote.vendor)}`,
      hint: `Leave out max_cost to run it without a ceiling, or give the model's price. ${pricesFileHint(quote, { pricesFile })}`,
    });
  const most = ceilingOf(estimate);
  if (most === undefined)
    return new AigcError({
      category: "invalid_input",
      code: "CostUnbounded",
      vendor: quote.vendor,
      message: `max_cost ${maxCost} cannot hold this call: nothing limits its cost before it runs (${estimate.basis}); nothing was sent to ${vendorDisplayName(quote.vendor)}`,
      hint: estimate.unbounded
        ? `Give ${estimate.unbounded}: the estimate then counts everything it allows, and max_cost is checked against it. Or leave out max_cost.`
        : "Leave out max_cost to run it without a ceiling.",
    });
  if (most > maxCost) {
    const what = estimate.lowerBound
      ? `the most this call can cost, ${formatMoney(most, estimate.currency)},`
      : `the estimate ${formatMoney(most, estimate.currency)}`;
    return new AigcError({
      category: "invalid_input",
      code: "CostAboveMax",
      vendor: quote.vendor,
      message: `${what} is above max_cost ${maxCost} ${estimate.currency} (${estimate.basis}); nothing was sent to ${vendorDisplayName(quote.vendor)}`,
      hint: `Raise max_cost to at least ${most} (it is in ${estimate.currency}, the currency this model is priced in), or ask for less (shorter, lower resolution, fewer images, a cheaper model).`,
    });
  }
  return undefined;
}

/**
 * Holds the estimate against the budget (issue 14 item 5). Every paid call is recorded, so
 * get_budget shows spend without limits too; with limits, a call that would pass one is refused.
 * Without limits a ledger that cannot be reached does not stop the call (it is logged), and the
 * call does not wait for the ledger write (src/cost/background.ts).
 */
async function reserve(app: AppContext, quote: Quote): Promise<Reservation | undefined> {
  const cost = app.config.cost;
  const limits = cost.limits.filter((l) => appliesTo(l, quote.vendor));
  const { estimate } = quote;
  const priced = estimate.amount !== null && estimate.currency !== undefined;
  const refused = refusedBeforeLedger(quote, limits, cost);
  if (refused) throw refused;
  // A call is held at the most it can cost: a hold below that would let concurrent calls pass the limit together.
  const most = ceilingOf(estimate);
  // An unpriced call let through (AIGC_MCP_BUDGET_UNKNOWN_PRICE=allow) cannot be held against a limit,
  // but it never runs once a limit that applies to it is used up.
  if (!priced && limits.length) {
    const used = (await budgetStatus(app.jobs.store.spend, cost, 1)).limits.find((l) => l.left <= 0 && appliesTo(l, quote.vendor));
    if (used)
      throw budgetRefusal(quote, {
        limit: limits.find((l) => l.period === used.period && l.currency === used.currency && l.vendor === used.vendor)!,
        spent: used.spent,
        reserved: used.reserved,
        wanted: 0,
        resetsAt: used.resetsAt,
      });
  }
  const inCurrency = priced ? limits.filter((l) => l.currency === estimate.currency) : [];
  const request = {
    id: randomUUID(),
    vendor: quote.vendor,
    // An unpriced call is recorded in the currency its vendor bills, so an actual it reports counts there.
    currency: estimate.currency ?? quote.billedIn ?? limits[0]?.currency ?? "CNY",
    amount: priced ? (most ?? estimate.amount!) : 0,
    priced,
    limits: inCurrency,
    timezone: cost.timezone,
    // No limit to check: the reservation only records the spend, so the call need not wait for its write.
    background: limits.length === 0,
  };
  try {
    const got = await app.jobs.store.spend.reserve(request);
    if (got.ok) return got.reservation;
    throw budgetRefusal(quote, got.refusal);
  } catch (err) {
    if (limits.length || (err instanceof AigcError && err.code === "BudgetExceeded")) throw err;
    log.warn("could not record a call's cost in the spend ledger", { vendor: quote.vendor, error: String(err) });
    return undefined;
  }
}

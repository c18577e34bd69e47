/** The words of a budget refusal: which limit, what is spent and held, what the call wanted, when it resets. */
import type { CostConfig, SpendLimit } from "../cost/config.js";
import type { BudgetRefusal } from "../cost/ledger.js";
import { AigcError, joinSentences, vendorDisplayName } from "../errors.js";
import { overLimit, toUnits } from "../cost/spend.js";
import type { LimitStatus } from "../cost/status.js";
import { ceilingOf, formatMoney, PRICE_UNITS, type Currency } from "../vendors/kit/price.js";
import type { Quote } from "./define.js";

export function budgetRefusal(quote: Quote, r: BudgetRefusal): AigcError {
  const { limit } = r;
  const { estimate } = quote;
  const money = (n: number) => formatMoney(n, limit.currency);
  const scope = limit.vendor ? `${vendorDisplayName(limit.vendor)}'s ${limit.period} budget` : `the ${limit.period} budget (all vendors)`;
  const state = `${scope} of ${money(limit.amount)} has ${money(r.spent)} spent and ${money(r.reserved)} held for calls still running`;
  // A call that may cost more than its estimate is held at the most it may cost: that is what is compared, named as such.
  const upTo = estimate.lowerBound === true && estimate.most !== undefined;
  // An unpriced call (let through by AIGC_MCP_BUDGET_UNKNOWN_PRICE=allow) wants nothing: the limit is simply used up.
  const why =
    estimate.amount === null
      ? `; it is used up, and this call, whose cost is unknown (${estimate.reason ?? estimate.basis}), does not run once it is`
      : upTo
        ? `; this call may cost up to ${money(r.wanted)}, the most it can (${estimate.basis}), which would pass it`
        : `; this call's estimate of ${estimate.lowerBound ? "at least " : ""}${money(r.wanted)} (${estimate.basis}) would pass it`;
  // Waiting frees nothing for a call that alone costs more than the whole limit.
  const alone = r.wanted > limit.amount;
  const fix = exactFix(quote, r);
  const otherwise = alone
    ? "Make a cheaper call (shorter, lower resolution, fewer images, a cheaper model; estimate_cost prices one without running it), or have the operator raise AIGC_MCP_BUDGET: waiting for the reset does not help this one."
    : "Wait until it resets, make a cheaper call (estimate_cost prices one without running it; get_budget shows the spend), or have the operator raise AIGC_MCP_BUDGET.";
  return new AigcError({
    category: "quota",
    code: "BudgetExceeded",
    vendor: quote.vendor,
    message: `${state}${why}, so nothing was sent.${alone ? ` This call alone ${upTo ? "may cost" : "costs"} more than the whole limit.` : ""} The budget resets at ${r.resetsAt}`,
    hint: joinSentences(fix, fix ? `Otherwise, ${otherwise.charAt(0).toLowerCase()}${otherwise.slice(1)}` : otherwise),
  });
}

/** The argument that makes the call cost exactly its estimate (Estimate.exactWith), when the limit would then hold it. */
function exactFix(quote: Quote, r: BudgetRefusal): string | undefined {
  const { exactWith, amount } = quote.estimate;
  if (!exactWith || amount === null || amount >= r.wanted) return undefined;
  const cost = formatMoney(amount, r.limit.currency);
  if (!overLimit(toUnits(r.spent), toUnits(r.reserved), toUnits(amount), r.limit.amount))
    return `Set ${exactWith}: the call then costs exactly ${cost}, which the budget has left`;
  if (!overLimit(0, 0, toUnits(amount), r.limit.amount))
    return `With ${exactWith} the call costs exactly ${cost}, which fits once the budget resets`;
  return undefined;
}

/**
 * The BudgetExceeded refusal a call would get from the ledger as it stands (`status`), or
 * undefined: estimate_cost's "Refused if called" line, by the rule the ledger applies (file-ledger.ts,
 * redis-ledger.ts) to the amount cost-guard holds (the most the call may cost). `limits`: those that
 * apply to the call's vendor.
 */
export function ledgerRefusal(quote: Quote, limits: readonly SpendLimit[], status: readonly LimitStatus[]): AigcError | undefined {
  const { estimate } = quote;
  const priced = estimate.amount !== null && estimate.currency !== undefined;
  const held = priced ? (ceilingOf(estimate) ?? estimate.amount!) : 0;
  for (const limit of limits) {
    if (priced && limit.currency !== estimate.currency) continue;
    const now = status.find((l) => l.period === limit.period && l.currency === limit.currency && l.vendor === limit.vendor);
    if (!now) continue;
    const over = priced ? overLimit(toUnits(now.spent), toUnits(now.reserved), toUnits(held), limit.amount) : now.left <= 0;
    if (over) return budgetRefusal(quote, { limit, spent: now.spent, reserved: now.reserved, wanted: held, resetsAt: now.resetsAt });
  }
  return undefined;
}

/**
 * What to do about a call whose price is unknown: for a model with no price at all, the prices-file
 * entry that prices it (vendor id, model, the unit the tool counts in, the currency the vendor bills
 * the account in when the tool knows it, else `budgetCurrency`, else CNY), the amount left for the
 * user to fill in (aigc-mcp never guesses a price). With `pricesFile` (AIGC_MCP_PRICES_FILE) set,
 * the entry is to be added to it.
 */
export function pricesFileHint(quote: Quote, { budgetCurrency, pricesFile }: { budgetCurrency?: Currency; pricesFile?: string }): string {
  const { estimate } = quote;
  const currency = quote.billedIn ?? budgetCurrency ?? "CNY";
  if (estimate.source)
    return "Fix the model's price in AIGC_MCP_PRICES_FILE as the reason above says (the file is read at start-up: restart the server).";
  const unit = estimate.unit;
  const per = unit ? ` per ${PRICE_UNITS[unit].one}` : "";
  const price = `{"model":"${quote.model ?? "*"}","currency":"${currency}","unit":"${unit ?? "<image|second|item|million_tokens|ten_thousand_characters>"}","amount":<what you pay${per}>}`;
  const restart = `then restart the server (the file is read at start-up; README "Where the prices come from")`;
  // With a prices file already in use, the entry goes into it: a new file would drop its prices.
  if (pricesFile) return `Add ${price} to the "${quote.vendor}" list of your prices file ${pricesFile} (AIGC_MCP_PRICES_FILE), ${restart}.`;
  return `Write the model's price into a JSON file and point AIGC_MCP_PRICES_FILE at it, e.g. AIGC_MCP_PRICES_FILE=/path/to/prices.json holding {"${quote.vendor}":[${price}]}, ${restart}.`;
}

/** What the budget's limits that apply to a call cover: the vendor's spending, or all spending. */
export function limitedSpending(quote: Quote, limits: readonly SpendLimit[]): string {
  return limits.some((l) => l.vendor) ? `${vendorDisplayName(quote.vendor)}'s spending` : "spending";
}

/**
 * Why no limit could hold a priced call (`limits`: those that apply to its vendor), in words, or
 * undefined when one can: none is in the call's currency, or the vendor's own limits are all in
 * others (they could not hold it, whatever the overall ones). Unpriced calls: undefined.
 */
export function currencyMismatch(quote: Quote, limits: readonly SpendLimit[]): { message: string; hint: string } | undefined {
  const { amount, currency } = quote.estimate;
  if (amount === null || currency === undefined) return undefined;
  const own = limits.filter((l) => l.vendor === quote.vendor);
  const unheld = !limits.some((l) => l.currency === currency) ? limits : own.some((l) => l.currency === currency) ? [] : own;
  if (!unheld.length) return undefined;
  return {
    message: `AIGC_MCP_BUDGET limits ${limitedSpending(quote, unheld)} in ${[...new Set(unheld.map((l) => l.currency))].join("/")}, but this call is priced in ${currency} (${formatMoney(amount, currency)})`,
    hint: `Add a ${currency} limit (e.g. AIGC_MCP_BUDGET=…,${quote.vendor}:daily:20${currency}), or give ${quote.vendor}'s prices in ${unheld[0]!.currency} in AIGC_MCP_PRICES_FILE.`,
  };
}

/**
 * The budget refusal a call gets before the ledger is asked, or undefined: its price is unknown
 * (BudgetUnknownPrice) or unbounded (BudgetUnbounded) under AIGC_MCP_BUDGET_UNKNOWN_PRICE=refuse,
 * or no limit in its currency can hold it (BudgetCurrency). `limits`: those that apply to its
 * vendor. One rule for the call (cost-guard) and for estimate_cost's "Refused if called" line.
 */
export function refusedBeforeLedger(quote: Quote, limits: readonly SpendLimit[], cost: CostConfig): AigcError | undefined {
  if (!limits.length) return undefined;
  const { estimate } = quote;
  const priced = estimate.amount !== null && estimate.currency !== undefined;
  const nothingSent = `nothing was sent to ${vendorDisplayName(quote.vendor)}`;
  if (!priced && cost.unknownPrice === "refuse")
    return new AigcError({
      category: "invalid_input",
      code: "BudgetUnknownPrice",
      vendor: quote.vendor,
      message: `AIGC_MCP_BUDGET limits ${limitedSpending(quote, limits)}, but the cost of this call is unknown (${estimate.reason ?? estimate.basis}); ${nothingSent}`,
      hint: `${pricesFileHint(quote, { budgetCurrency: limits[0]!.currency, pricesFile: cost.pricesFile })} Or set AIGC_MCP_BUDGET_UNKNOWN_PRICE=allow to let calls without a price run uncounted.`,
    });
  // A call is held at the most it can cost: a hold below that would let concurrent calls pass the limit together.
  if (priced && ceilingOf(estimate) === undefined && cost.unknownPrice === "refuse")
    return new AigcError({
      category: "invalid_input",
      code: "BudgetUnbounded",
      vendor: quote.vendor,
      message: `AIGC_MCP_BUDGET limits ${limitedSpending(quote, limits)}, but nothing limits this call's cost before it runs (${estimate.basis}); ${nothingSent}`,
      hint: `${estimate.unbounded ? `Give ${estimate.unbounded}: the estimate then counts everything it allows, and the call is held at it. Or set` : "Set"} AIGC_MCP_BUDGET_UNKNOWN_PRICE=allow to let such calls run, held at their estimate and counted at what the vendor reports.`,
    });
  const mismatch = currencyMismatch(quote, limits);
  if (mismatch)
    return new AigcError({
      category: "invalid_input",
      code: "BudgetCurrency",
      vendor: quote.vendor,
      message: `${mismatch.message}; ${nothingSent}`,
      hint: mismatch.hint,
    });
  return undefined;
}

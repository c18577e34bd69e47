/** The words of a budget refusal: which limit, what is spent and held, what the call wanted, when it resets. */
import type { BudgetRefusal } from "../cost/ledger.js";
import { AigcError, vendorDisplayName } from "../errors.js";
import { formatMoney } from "../vendors/kit/price.js";
import type { Quote } from "./define.js";

export function budgetRefusal(quote: Quote, r: BudgetRefusal): AigcError {
  const { limit } = r;
  const money = (n: number) => formatMoney(n, limit.currency);
  const scope = limit.vendor ? `${vendorDisplayName(limit.vendor)}'s ${limit.period} budget` : `the ${limit.period} budget (all vendors)`;
  return new AigcError({
    category: "quota",
    code: "BudgetExceeded",
    vendor: quote.vendor,
    message: `${scope} of ${money(limit.amount)} has ${money(r.spent)} spent and ${money(r.reserved)} held for calls still running; this call's estimate of ${money(r.wanted)} (${quote.estimate.basis}) would pass it, so nothing was sent. The budget resets at ${r.resetsAt}`,
    hint: "Wait until it resets, make a cheaper call (estimate_cost prices one without running it; get_budget shows the spend), or have the operator raise AIGC_MCP_BUDGET.",
  });
}

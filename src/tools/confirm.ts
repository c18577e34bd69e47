/**
 * Confirmation above AIGC_MCP_CONFIRM_ABOVE (issue 14 item 6): a client that supports elicitation
 * shows the user a form (tool, model, basis, estimate) before any vendor request, and the call runs
 * only if the user approves; a client without it gets a refusal telling the model to ask the user
 * and repeat the call with `confirm: true`. With elicitation the form is always shown: a model
 * cannot approve spending for the user by passing `confirm`.
 */
import type { ElicitRequestFormParams, ElicitResult } from "@modelcontextprotocol/sdk/types.js";
import type { CostConfig } from "../cost/config.js";
import { AigcError, isAbortError, vendorDisplayName } from "../errors.js";
import { ceilingOf } from "../vendors/kit/price.js";
import { amountLine } from "./cost-output.js";
import type { Quote } from "./define.js";

/** Sends an elicitation/create request to the client (form mode) and resolves to its answer. */
export type Elicit = (params: ElicitRequestFormParams) => Promise<ElicitResult>;

/** The threshold that applies to an estimate: the one in its currency, else one without a currency. */
function thresholdFor(config: CostConfig, currency: string | undefined) {
  return config.confirmAbove.find((t) => t.currency === currency) ?? config.confirmAbove.find((t) => !t.currency);
}

/** Why a call needs the user's approval (words for its error, its form and estimate_cost). */
export interface ApprovalReason {
  /** Whether the estimate has an amount and currency. */
  known: boolean;
  /** "¥4.999326", or "an unknown amount". */
  estimate: string;
  /** The threshold(s) it is over: "4 CNY". */
  above: string;
  /** Why, with the estimate's basis: "it is estimated at ¥5 (…), above 4 CNY". */
  why: string;
  /** The same without the basis, for the form, which shows the basis on a line of its own. */
  short: string;
}

/**
 * Why AIGC_MCP_CONFIRM_ABOVE makes the call `quote` prices need the user's approval, or undefined
 * when it does not. One rule for the call (confirmSpend) and estimate_cost.
 */
export function approvalReason(quote: Quote, config: CostConfig): ApprovalReason | undefined {
  if (!config.confirmAbove.length) return undefined;
  const { amount, currency } = quote.estimate;
  const threshold = thresholdFor(config, currency);
  const most = ceilingOf(quote.estimate);
  // Compared at the most it can cost; one nothing bounds (a chat without max_tokens) at its least, as asking at every chat would be noise.
  const compared = most ?? amount;
  // A call whose cost is unknown, or in a currency no threshold is given in, cannot be shown to be under it: it is asked about too.
  if (threshold && compared !== null && currency && compared <= threshold.amount) return undefined;
  const known = amount !== null && !!currency;
  const estimate = known ? amountLine(amount, currency, quote.estimate.lowerBound, most) : "an unknown amount";
  const above = threshold
    ? `${threshold.amount}${threshold.currency ? ` ${threshold.currency}` : ""}`
    : config.confirmAbove.map((t) => `${t.amount}${t.currency ? ` ${t.currency}` : ""}`).join(" / ");
  const why = (basis: boolean) =>
    !known
      ? `its cost is unknown (${quote.estimate.reason ?? quote.estimate.basis})`
      : threshold
        ? `it is estimated at ${estimate}${basis ? ` (${quote.estimate.basis})` : ""}, above ${above}`
        : `it is priced in ${currency} (${estimate}${basis ? `: ${quote.estimate.basis}` : ""}) and AIGC_MCP_CONFIRM_ABOVE gives no ${currency} amount`;
  return { known, estimate, above, why: why(true), short: why(false) };
}

export async function confirmSpend(opts: {
  tool: string;
  quote: Quote;
  confirm: boolean | undefined;
  config: CostConfig;
  elicit: Elicit | undefined;
}): Promise<void> {
  const { quote } = opts;
  const reason = approvalReason(quote, opts.config);
  if (!reason) return;
  const { known, estimate, above, why } = reason;
  const about = known ? "about " : "";
  if (opts.elicit) {
    const answer = await askUser(opts.elicit, quote, {
      mode: "form",
      message: [
        `Approve spending ${about}${estimate} with ${vendorDisplayName(quote.vendor)}?`,
        `Tool: ${opts.tool}`,
        `Model: ${quote.model ?? "the vendor's default"}`,
        `Estimate: ${estimate}`,
        `Basis: ${quote.estimate.basis}`,
        `(This call needs your approval because ${reason.short}: AIGC_MCP_CONFIRM_ABOVE.)`,
      ].join("\n"),
      requestedSchema: {
        type: "object",
        properties: {
          approve: { type: "boolean", title: `Spend ${about}${estimate}`, description: "Run this paid call now", default: false },
        },
        required: ["approve"],
      },
    });
    if (answer.action === "accept" && answer.content?.approve === true) return;
    throw new AigcError({
      category: "cancelled",
      code: "NotConfirmed",
      vendor: quote.vendor,
      message: `the user did not approve spending ${estimate} (${answer.action === "accept" ? "approve was not ticked" : answer.action}); nothing was sent to ${vendorDisplayName(quote.vendor)} and nothing was billed`,
      hint: "Ask the user what to change (a cheaper call: shorter, lower resolution, fewer images) before trying again.",
    });
  }
  if (opts.confirm === true) return;
  throw new AigcError({
    category: "invalid_input",
    code: "ConfirmationRequired",
    vendor: quote.vendor,
    message: `this call needs the user's approval (AIGC_MCP_CONFIRM_ABOVE ${above}) because ${why}; nothing was sent to ${vendorDisplayName(quote.vendor)}`,
    hint: `${known ? "Tell the user the estimate" : "Tell the user no estimate can be given for this call (its cost is unknown)"} and get their explicit approval${known ? "" : " to run it anyway"}, then repeat the same call with confirm: true. Do not set confirm without asking them.`,
  });
}

/** The client's answer to the approval form; a client whose form failed is said to have failed, not the server. */
async function askUser(elicit: Elicit, quote: Quote, params: ElicitRequestFormParams): Promise<ElicitResult> {
  try {
    return await elicit(params);
  } catch (err) {
    if (isAbortError(err)) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new AigcError({
      category: "cancelled",
      code: "ApprovalFailed",
      vendor: quote.vendor,
      message: `the client could not ask the user to approve this call (its approval form answered: ${why.slice(0, 300)}); nothing was sent to ${vendorDisplayName(quote.vendor)} and nothing was billed`,
      hint: "Call again to show the form again; if this client cannot show forms, the operator can raise AIGC_MCP_CONFIRM_ABOVE.",
    });
  }
}

/**
 * The `cost` toolset (issue 14 items 2 and 5): estimate_cost prices a call to any paid tool
 * without running it; get_budget shows the limits, what is spent and held against them, and the
 * spend by vendor and day. Both are free and read-only.
 */
import { z } from "zod";
import type { AppContext } from "../context.js";
import { appliesTo } from "../cost/config.js";
import { budgetStatus, type BudgetStatus } from "../cost/status.js";
import { AigcError, inputError } from "../errors.js";
import { nearest } from "../nearest.js";
import { formatMoney } from "../vendors/kit/price.js";
import { checkArguments } from "./arguments.js";
import { idText, quietRange } from "./bounds.js";
import { ledgerRefusal, refusedBeforeLedger } from "./budget-messages.js";
import { approvalReason } from "./confirm.js";
import { COST_ARGUMENT_NAMES, maxCostRefusal } from "./cost-guard.js";
import { costSchema, costView } from "./cost-output.js";
import { defineTool, type ToolDef } from "./define.js";
import { listedTool } from "./listed-tool.js";

const FREE_READ = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };

/** The `arguments` of estimate_cost: an object, or a string holding one (coerce.ts, as for every object argument). */
const callArguments = z.record(z.string().max(64), z.unknown());

export function estimateCostTool(app: AppContext, tools: () => ToolDef[]): ToolDef {
  return defineTool({
    name: "estimate_cost",
    title: "Estimate a call's cost",
    description: "Prices a paid tool's call (its name and the same arguments) without running it. Free.",
    input: { tool: idText(64).min(1), arguments: callArguments.optional() },
    output: {
      tool: z.string(),
      vendor: z.string().optional(),
      model: z.string().optional(),
      cost: costSchema,
      budget: z.array(z.string()).optional().describe("each limit that applies, with what is left"),
      refusal: z
        .object({ code: z.string(), message: z.string(), hint: z.string().optional() })
        .optional()
        .describe("the error the call would get before anything is sent (max_cost, a budget, an unknown price)"),
      approval: z
        .string()
        .optional()
        .describe("why the call would need the user's approval first (AIGC_MCP_CONFIRM_ABOVE), and how it is asked"),
    },
    annotations: FREE_READ,
    async run(args, ctx) {
      const all = tools();
      const def = all.find((t) => t.name === args.tool);
      if (!def) {
        const near = nearest(
          args.tool,
          all.map((t) => t.name),
        );
        throw inputError("tool", `${args.tool.slice(0, 64)} is not a tool of this server${near ? `; did you mean ${near}?` : ""}`);
      }
      if (!def.quote) {
        const free = { estimated: 0, basis: `free: ${def.name} sends no paid vendor request` };
        return {
          content: [{ type: "text", text: `${def.name} is free: it sends no paid vendor request.` }],
          structuredContent: { tool: def.name, cost: free },
        };
      }
      const { parsed } = withField(() => checkArguments(listedTool(def, app.config.cost), args.arguments ?? {}));
      const { delivery: _d, ...call } = parsed;
      const maxCost = call.max_cost as number | undefined;
      const confirmed = call.confirm === true;
      for (const name of COST_ARGUMENT_NAMES) delete call[name];
      const quote = await def.quote(call, ctx);
      const view = costView(quote.estimate);
      const currency = view.currency;
      const limits = app.config.cost.limits.filter((l) => appliesTo(l, quote.vendor));
      // The same checks, in the same order, as the call itself (cost-guard.ts runPaid).
      let refused = maxCostRefusal(maxCost, quote, app.config.cost.pricesFile) ?? refusedBeforeLedger(quote, limits, app.config.cost);
      const refusedLine = (e: AigcError) => `Refused if called (${e.info.code}): ${e.info.message}. ${e.info.hint}`;
      // A price needs no ledger: one that cannot be read (Redis down) leaves only the headroom unknown.
      const budget = refused
        ? [refusedLine(refused)]
        : limits.length
          ? await budgetStatus(app.jobs.store.spend, app.config.cost, 1).then(
              (status) => {
                // What is left, then the ledger's refusal of the call as quoted (held at the most it may cost), if it would refuse it.
                refused = ledgerRefusal(quote, limits, status.limits);
                const left = view.estimated !== null && currency ? describeHeadroom(status, quote.vendor, currency) : [];
                return refused ? [...left, refusedLine(refused)] : left;
              },
              (err: unknown) => [`Budget left: not known now (${err instanceof AigcError ? err.info.message : String(err)}).`],
            )
          : [];
      const price =
        view.estimated === null || !view.currency
          ? `cost unknown: ${quote.estimate.reason ?? view.basis}`
          : `${view.lower_bound ? "at least " : ""}${formatMoney(view.estimated, view.currency)}: ${view.basis} (prices as of ${view.price_date}, ${view.price_confidence})`;
      const reason = approvalReason(quote, app.config.cost);
      const approval = reason
        ? `Needs the user's approval (AIGC_MCP_CONFIRM_ABOVE ${reason.above}) because ${reason.short}: a client that can show forms asks the user when it is called${confirmed ? " (confirm: true or not); with confirm: true, any other runs it" : "; any other gets ConfirmationRequired until the call is repeated with confirm: true after the user approved"}.`
        : undefined;
      const text = [`${def.name}${quote.model ? ` with ${quote.model}` : ""}: ${price}`, ...budget, ...(approval ? [approval] : [])].join(
        "\n",
      );
      return {
        content: [{ type: "text", text }],
        structuredContent: {
          tool: def.name,
          vendor: quote.vendor,
          ...(quote.model ? { model: quote.model } : {}),
          cost: view,
          ...(budget.length ? { budget } : {}),
          ...(approval ? { approval } : {}),
          ...(refused
            ? {
                refusal: {
                  code: refused.info.code,
                  message: refused.info.message,
                  ...(refused.info.hint ? { hint: refused.info.hint } : {}),
                },
              }
            : {}),
        },
      };
    },
  });
}

/** Argument errors of the priced call, named as fields of `arguments`. */
function withField<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof AigcError && err.code === "InvalidInput") err.info.message = `arguments.${err.info.message}`;
    throw err;
  }
}

function describeHeadroom(status: BudgetStatus, vendor: string, currency: string): string[] {
  return status.limits
    .filter((l) => appliesTo(l, vendor) && l.currency === currency)
    .map((l) => `${l.label}: ${formatMoney(l.left, l.currency)} left of ${formatMoney(l.amount, l.currency)} (resets ${l.resetsAt})`);
}

export function getBudgetTool(app: AppContext): ToolDef {
  return defineTool({
    name: "get_budget",
    title: "Show spending and budgets",
    description: "Spending by vendor and day, and what is left of each budget limit. Free.",
    input: { days: quietRange(z.number().int(), 1, 366).optional().describe("default 7") },
    output: {
      limits: z.array(
        z.object({
          label: z.string(),
          vendor: z.string().optional(),
          period: z.enum(["daily", "monthly"]),
          currency: z.string(),
          amount: z.number(),
          spent: z.number(),
          reserved: z.number(),
          left: z.number(),
          resets_at: z.string(),
        }),
      ),
      days: z.array(
        z.object({
          day: z.string(),
          vendor: z.string(),
          currency: z.string(),
          spent: z.number(),
          reserved: z.number(),
          calls: z.number(),
          unpriced: z.number(),
        }),
      ),
    },
    annotations: FREE_READ,
    async run(args) {
      const status = await budgetStatus(app.jobs.store.spend, app.config.cost, args.days ?? 7);
      return {
        content: [{ type: "text", text: status.text }],
        structuredContent: {
          limits: status.limits.map(({ resetsAt, ...l }) => ({ ...l, resets_at: resetsAt })),
          days: status.rows,
        },
      };
    },
  });
}

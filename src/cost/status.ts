/**
 * What get_budget and `aigc-mcp budget` show: each AIGC_MCP_BUDGET limit with what is spent and
 * held against it now and when it resets, and the spend by vendor and day. No MCP types here.
 */
import type { CostConfig, Period } from "./config.js";
import type { SpendLedger, SpendRow } from "./ledger.js";
import { formatMoney, type Currency } from "../vendors/kit/price.js";
import { periodsAt, resetsAt } from "./periods.js";

export interface LimitStatus {
  label: string;
  vendor?: string;
  period: Period;
  currency: Currency;
  amount: number;
  spent: number;
  reserved: number;
  left: number;
  resetsAt: string;
}

export interface BudgetStatus {
  limits: LimitStatus[];
  /** Spend by day, vendor and currency over the days asked for, oldest first. */
  rows: SpendRow[];
  text: string;
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;

/** The limits' standing now and the last `days` days of spend, read from the ledger. */
export async function budgetStatus(ledger: SpendLedger, cost: CostConfig, days = 7, now = new Date()): Promise<BudgetStatus> {
  const { day: today, month } = periodsAt(now, cost.timezone);
  const from = shiftDay(today, -(days - 1));
  const start = [from, `${month}-01`].sort()[0]!;
  // Calls filed while AIGC_MCP_BUDGET_TIMEZONE named a zone ahead of this one are dated there (zones are up to 26 h apart).
  const all = await ledger.report(start, shiftDay(today, 2));
  const limits = cost.limits.map((l): LimitStatus => {
    const rows = all.filter(
      (r) =>
        r.currency === l.currency &&
        (!l.vendor || r.vendor === l.vendor) &&
        (l.period === "daily" ? r.day === today : r.day.startsWith(month)),
    );
    const spent = round(rows.reduce((n, r) => n + r.spent, 0));
    const reserved = round(rows.reduce((n, r) => n + r.reserved, 0));
    const label = `${l.vendor ? `${l.vendor} ` : ""}${l.period} ${l.amount} ${l.currency}`;
    return {
      label,
      ...(l.vendor ? { vendor: l.vendor } : {}),
      period: l.period,
      currency: l.currency,
      amount: l.amount,
      spent,
      reserved,
      left: round(Math.max(0, l.amount - spent - reserved)),
      resetsAt: resetsAt(l.period, now, cost.timezone),
    };
  });
  // A day whose only calls were given back (the vendor refused or cancelled them) has nothing to show.
  const rows = all.filter((r) => r.day >= from && (r.spent || r.reserved || r.calls || r.unpriced));
  return { limits, rows, text: describe(limits, rows, days, cost.timezone) };
}

function describe(limits: LimitStatus[], rows: SpendRow[], days: number, timezone: string): string {
  const lines = limits.length
    ? limits.map(
        (l) =>
          `${l.label}: ${formatMoney(l.spent, l.currency)} spent, ${formatMoney(l.reserved, l.currency)} held for running calls, ${formatMoney(l.left, l.currency)} left (resets ${l.resetsAt})`,
      )
    : ["No budget is set (AIGC_MCP_BUDGET); spending is still recorded."];
  lines.push(rows.length ? `Spend in the last ${days} day(s) (${timezone}):` : `No paid calls in the last ${days} day(s).`);
  for (const r of rows)
    lines.push(
      `${r.day} ${r.vendor}: ${formatMoney(r.spent, r.currency)} spent${r.reserved ? `, ${formatMoney(r.reserved, r.currency)} held` : ""}, ${r.calls} priced call(s)${r.unpriced ? `, ${r.unpriced} without a known price` : ""}`,
    );
  return lines.join("\n");
}

/** YYYY-MM-DD moved by `n` days. */
function shiftDay(day: string, n: number): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

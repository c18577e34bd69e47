/**
 * The cost guard's settings (issue 14): spending limits (AIGC_MCP_BUDGET), the time zone their
 * days and months are counted in, what a budget does with a call whose price is unknown, and the
 * amount above which a call needs the user's confirmation (AIGC_MCP_CONFIRM_ABOVE).
 */
import { resolve } from "node:path";
import { ConfigError, type Env } from "../config.js";
import { expandHome } from "../home-path.js";
import { CURRENCIES, type Currency } from "../vendors/kit/price.js";

export const PERIODS = ["daily", "monthly"] as const;
export type Period = (typeof PERIODS)[number];

/** One spending limit: at most `amount` of `currency` per period, for one vendor or (no vendor) for all together. */
export interface SpendLimit {
  period: Period;
  amount: number;
  currency: Currency;
  vendor?: string;
}

/** Whether a limit (or its status) applies to a call to `vendor`: the vendor's own, or one for all vendors. */
export function appliesTo(limit: { vendor?: string }, vendor: string): boolean {
  return !limit.vendor || limit.vendor === vendor;
}

/** An amount, in one currency or (no currency) in whatever currency a call is priced in. */
export interface Threshold {
  amount: number;
  currency?: Currency;
}

export interface CostConfig {
  /** AIGC_MCP_PRICES_FILE, resolved; read by loadVendors. */
  pricesFile?: string;
  limits: SpendLimit[];
  /** IANA time zone in which budget days and months start. */
  timezone: string;
  /** `refuse`: under a budget, a call whose price is unknown is refused; `allow`: it runs, counted as unpriced. */
  unknownPrice: "refuse" | "allow";
  /** Calls estimated above any of these need the user's confirmation (empty = never asked). */
  confirmAbove: Threshold[];
}

const MONEY = /^(\d+(?:\.\d+)?)\s*(CNY|USD|RMB)?$/i;

function money(variable: string, text: string, needCurrency: boolean): { amount: number; currency?: Currency } {
  const m = MONEY.exec(text.trim());
  if (!m && MONEY.test(text.trim().replace(/^-\s*/, "")))
    throw new ConfigError(variable, `"${text.trim()}" must not be negative: give an amount such as 200CNY or 30USD`);
  if (!m) throw new ConfigError(variable, `"${text.trim()}" is not an amount such as 200CNY or 30USD`);
  const currency = m[2] ? (m[2].toUpperCase() === "RMB" ? "CNY" : (m[2].toUpperCase() as Currency)) : undefined;
  if (needCurrency && !currency)
    throw new ConfigError(variable, `"${text.trim()}" needs a currency (${CURRENCIES.join(" or ")}), e.g. 200CNY`);
  return { amount: Number(m[1]), ...(currency ? { currency } : {}) };
}

/**
 * Parses AIGC_MCP_BUDGET. Throws ConfigError naming the entry. `vendors` are the ids an entry may
 * name (undefined: any name, checked later by loadVendors against the plugins).
 */
export function parseBudget(text: string | undefined, vendors?: readonly string[]): SpendLimit[] {
  const V = "AIGC_MCP_BUDGET";
  if (!text?.trim()) return [];
  return text
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean)
    .map((entry) => {
      const parts = entry.split(":").map((p) => p.trim());
      const [vendor, period, amount] = parts.length === 3 ? parts : [undefined, ...parts];
      if (parts.length < 2 || parts.length > 3 || !period || amount === undefined)
        throw new ConfigError(V, `"${entry}" is not [vendor:]daily|monthly:<amount><currency>, e.g. daily:200CNY`);
      if (!(PERIODS as readonly string[]).includes(period.toLowerCase()))
        throw new ConfigError(V, `"${entry}": the period must be daily or monthly`);
      const v = vendor?.toLowerCase();
      if (v !== undefined && vendors && !vendors.includes(v))
        throw new ConfigError(V, `"${entry}": ${vendor} is not a vendor id (${vendors.join(", ")})`);
      const m = money(V, amount, true);
      return { period: period.toLowerCase() as Period, amount: m.amount, currency: m.currency!, ...(v ? { vendor: v } : {}) };
    })
    .map((limit, i, all) => {
      // Two limits on one scope would leave one of them meaningless; which one was meant is the operator's to say.
      const twin = all.findIndex((l) => l.period === limit.period && l.currency === limit.currency && l.vendor === limit.vendor);
      if (twin !== i)
        throw new ConfigError(
          V,
          `"${limit.vendor ? `${limit.vendor}:` : ""}${limit.period}" in ${limit.currency} is given twice; keep one`,
        );
      return limit;
    });
}

/** Parses AIGC_MCP_CONFIRM_ABOVE. Throws ConfigError naming the entry. */
export function parseThresholds(text: string | undefined): Threshold[] {
  if (!text?.trim()) return [];
  return text
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean)
    .map((e) => money("AIGC_MCP_CONFIRM_ABOVE", e, false))
    .map((t, i, all) => {
      if (all.findIndex((o) => o.currency === t.currency) !== i)
        throw new ConfigError(
          "AIGC_MCP_CONFIRM_ABOVE",
          `${t.currency ? `an amount in ${t.currency}` : "an amount without a currency"} is given twice; keep one`,
        );
      // "2,5CNY" (a decimal comma) would else be 2 in any currency and 5 CNY: a higher CNY threshold than meant.
      if (!t.currency && all.some((o) => o.currency))
        throw new ConfigError(
          "AIGC_MCP_CONFIRM_ABOVE",
          `"${text.trim()}": a bare number (any currency) cannot be given with an amount in a currency; write each amount with its currency, and decimals with a point (2.5CNY)`,
        );
      return t;
    });
}

function timezone(text: string | undefined): string {
  const tz = text?.trim() || "UTC";
  // UTC is always valid; checking it would start ICU's time zone data (15–40 ms) on every start.
  if (tz === "UTC") return tz;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
  } catch {
    throw new ConfigError("AIGC_MCP_BUDGET_TIMEZONE", `"${tz}" is not an IANA time zone such as UTC or Asia/Shanghai`);
  }
  return tz;
}

export function parseCostConfig(env: Env, vendors?: readonly string[]): CostConfig {
  const unknown = (env.AIGC_MCP_BUDGET_UNKNOWN_PRICE || "refuse").trim().toLowerCase();
  if (unknown !== "refuse" && unknown !== "allow") throw new ConfigError("AIGC_MCP_BUDGET_UNKNOWN_PRICE", "must be refuse or allow");
  return {
    ...(env.AIGC_MCP_PRICES_FILE ? { pricesFile: resolve(expandHome(env.AIGC_MCP_PRICES_FILE)) } : {}),
    limits: parseBudget(env.AIGC_MCP_BUDGET, vendors),
    timezone: timezone(env.AIGC_MCP_BUDGET_TIMEZONE),
    unknownPrice: unknown,
    confirmAbove: parseThresholds(env.AIGC_MCP_CONFIRM_ABOVE),
  };
}

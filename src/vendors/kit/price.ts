/**
 * Prices as catalog data (issue 14): what a model costs per unit, with the source and the date it
 * was read, and the one way an estimate and an actual cost are worked out from them. A price the
 * vendor has not published is absent (`unknown`), never guessed; AIGC_MCP_PRICES_FILE (or a models
 * file entry's `price`) replaces a built-in one, since contract prices differ from list prices.
 * No MCP types here.
 */
import type { Source } from "./catalog.js";

export const CURRENCIES = ["CNY", "USD"] as const;
export type Currency = (typeof CURRENCIES)[number];

/** What one unit of a price is, and how a quantity of it is written in a basis. */
export const PRICE_UNITS = {
  /** One generated image. */
  image: { one: "image", many: "images" },
  /** One second of output video (or of audio, for speech recognition). */
  second: { one: "s", many: "s" },
  /** One whole output (a video clip priced per clip, a call priced per call). */
  item: { one: "output", many: "outputs" },
  /** One million tokens. */
  million_tokens: { one: "M tokens", many: "M tokens" },
  /** Ten thousand characters (speech synthesis). */
  ten_thousand_characters: { one: "10k characters", many: "10k characters" },
} as const;
export type PriceUnit = keyof typeof PRICE_UNITS;

/** The facts of a call that pick a rate, e.g. `{ resolution: "1080p", video_input: true }`. */
export type Dims = Record<string, string | number | boolean>;

export interface Rate {
  /** The rate applies when every key here equals the call's dimension; absent = any call. The first match wins. */
  when?: Dims;
  /** Currency units per price unit. */
  amount: number;
}

export interface Price {
  currency: Currency;
  unit: PriceUnit;
  rates: Rate[];
  source: Source;
  /**
   * `official`: read on the vendor's own page (or its verbatim copy); `transcribed`: the vendor's
   * figures as several independent third parties quote them (check them against the live page);
   * `contract`: from AIGC_MCP_PRICES_FILE or a models file.
   */
  confidence: "official" | "transcribed" | "contract";
  note?: string;
}

/** One metered part of a call: how many price units it takes, and the dimensions that pick its rate. */
export interface Meter {
  quantity: number;
  dims?: Dims;
  /** How the quantity was worked out, e.g. "1248×704 px × 24 fps × 5 s / 1024 = 102 960 tokens". */
  how?: string;
  /** The part's name when a price has several (e.g. "input", "output" tokens). */
  part?: string;
}

/** A cost worked out before the call. `amount` is null when it cannot be known; `reason` says why. */
export interface Estimate {
  amount: number | null;
  currency?: Currency;
  /** How the amount was reached: "5 s × $0.112/s (kling-v3; mode pro, sound off) = $0.56". */
  basis: string;
  reason?: string;
  source?: Source;
  confidence?: Price["confidence"];
  /** Set when the vendor bills something the estimate could not count: the amount is a lower bound. */
  lowerBound?: boolean;
  /**
   * With `lowerBound`: the most the call can cost, when the vendor's documented limits bound what the
   * amount leaves out (an Omni edit's input video is 3-15 s). A budget holds this, and max_cost is
   * checked against it; a lower bound without it is held like an unbounded one.
   */
  most?: number;
  /**
   * Set when that uncounted part has no limit before the call (a chat's output without max_tokens):
   * the argument that would give it one. A budget or max_cost cannot hold such a call.
   */
  unbounded?: string;
  /** With `lowerBound`: the argument that makes the call cost exactly `amount` (Jimeng's "force_single: true"). */
  exactWith?: string;
  /** The rate used, when one rate priced the whole call: an actual is worked out from usage with it. */
  rate?: { amount: number; unit: PriceUnit };
  /** A call with no price: the unit a price for it is written in, where the tool knows it (the refusal's example names it). */
  unit?: PriceUnit;
}

/** What a vendor reports a finished call used or charged (every field optional: vendors report different things). */
export interface VendorUsage {
  tokens?: number;
  images?: number;
  seconds?: number;
  characters?: number;
  /** Resource-pack units deducted (Kling), which have no currency. */
  units?: number;
  /** Cash the vendor says it deducted; `note` (how the figure was read, e.g. where its currency came from) ends the actual's basis. */
  charged?: { amount: number; currency: Currency; note?: string };
}

/** The cost of a finished call, from what the vendor reported. */
export interface Actual {
  amount: number;
  currency: Currency;
  basis: string;
}

const SYMBOL: Record<Currency, string> = { CNY: "¥", USD: "$" };

/** "¥4.736", "$0.56", "$0.00000036": 6 decimals, or 3 significant digits below a hundredth of a cent; trailing zeros dropped. */
export function formatMoney(amount: number, currency: Currency): string {
  const shown =
    Math.abs(amount) >= 1e-4 || amount === 0
      ? String(Math.round(amount * 1e6) / 1e6)
      : Number(amount.toPrecision(3))
          .toFixed(12)
          .replace(/\.?0+$/, "");
  return `${SYMBOL[currency]}${shown}`;
}

/** Rounds to 10 decimals: float noise goes, a single embedding call's $0.00000036 stays. */
export function roundMoney(amount: number): number {
  return Math.round(amount * 1e10) / 1e10;
}

function formatQuantity(q: number): string {
  return Number.isInteger(q) ? q.toLocaleString("en-US").replace(/,/g, " ") : String(Math.round(q * 1e6) / 1e6);
}

function formatDims(dims: Dims | undefined): string {
  return Object.entries(dims ?? {})
    .map(([k, v]) => (typeof v === "boolean" ? `${k.replace(/_/g, " ")} ${v ? "yes" : "no"}` : `${k} ${v}`))
    .join(", ");
}

/** The first rate whose `when` the dimensions satisfy. */
export function pickRate(price: Price, dims: Dims | undefined): Rate | undefined {
  return price.rates.find((r) => Object.entries(r.when ?? {}).every(([k, v]) => dims?.[k] === v));
}

/**
 * The most a call can cost, in the estimate's currency: its amount, or with a lower bound its
 * `most`. Undefined when nothing known bounds it (a lower bound without `most`) or it is unknown.
 */
export function ceilingOf(e: Estimate): number | undefined {
  if (e.amount === null) return undefined;
  return e.lowerBound ? e.most : e.amount;
}

/** An estimate that cannot be made, with the reason in words a user can act on. */
export function unknownEstimate(reason: string, source?: Source): Estimate {
  return { amount: null, basis: `unknown: ${reason}`, reason, ...(source ? { source } : {}) };
}

/** The estimate of a call of a model with no price, with the unit its price would be written in when the tool knows it. */
export function unpricedEstimate(model: string, unit?: PriceUnit): Estimate {
  return {
    ...unknownEstimate(
      `no published price for ${model} is known to aigc-mcp; give one in AIGC_MCP_PRICES_FILE to get estimates and budgets for it`,
    ),
    ...(unit ? { unit } : {}),
  };
}

/**
 * Prices the metered parts of a call of `model` with `price`. Returns an unknown estimate naming
 * what is missing when there is no price or no rate for a part's dimensions. `lowerBound` names
 * what the vendor bills that the meters could not count. `metered`, the unit the meters count in,
 * goes on an unpriced estimate (the prices-file entry to write is in it), and a price in another
 * unit (a video priced per image) leaves the estimate unknown rather than multiply the wrong quantity.
 */
export function estimateCost(
  model: string,
  price: Price | undefined,
  meters: Meter[],
  lowerBound?: string,
  metered?: PriceUnit,
  /** With `lowerBound`: the meters at the most the vendor can bill (see Estimate.most). */
  most?: Meter[],
): Estimate {
  if (!price) return unpricedEstimate(model, metered);
  const unit = PRICE_UNITS[price.unit];
  if (metered && price.unit !== metered) {
    const per = PRICE_UNITS[metered].one;
    return unknownEstimate(
      `the price of ${model} (${price.source.url}) is per ${unit.one}, but this call is counted per ${per}; give it per ${per} in AIGC_MCP_PRICES_FILE`,
      price.source,
    );
  }
  const lines: string[] = [];
  let total = 0;
  let single: Rate | undefined;
  for (const m of meters) {
    const rate = pickRate(price, m.dims);
    if (!rate)
      return unknownEstimate(
        `the price of ${model} has no rate for ${formatDims(m.dims) || "this call"} (${price.source.url}); add one in AIGC_MCP_PRICES_FILE`,
        price.source,
      );
    single = meters.length === 1 ? rate : undefined;
    total += m.quantity * rate.amount;
    const qty = `${formatQuantity(m.quantity)} ${m.quantity === 1 ? unit.one : unit.many}`;
    const what = [m.part, formatDims(m.dims)].filter(Boolean).join(": ");
    lines.push(`${m.how ? `${m.how} → ` : ""}${qty} × ${formatMoney(rate.amount, price.currency)}/${unit.one}${what ? ` (${what})` : ""}`);
  }
  const amount = roundMoney(total);
  const ceiling = lowerBound && most ? priced(price, most) : undefined;
  const more = !lowerBound
    ? ""
    : ceiling === undefined
      ? `; plus ${lowerBound}, not counted`
      : `; plus ${lowerBound}: at most ${formatMoney(ceiling, price.currency)} in all`;
  return {
    amount,
    currency: price.currency,
    basis: `${lines.join(" + ")} = ${formatMoney(amount, price.currency)} for ${model}${more}`,
    source: price.source,
    confidence: price.confidence,
    ...(lowerBound ? { lowerBound: true } : {}),
    ...(ceiling !== undefined ? { most: Math.max(ceiling, amount) } : {}),
    ...(single ? { rate: { amount: single.amount, unit: price.unit } } : {}),
  };
}

/** What `meters` cost at `price`'s rates; undefined when a rate is missing. */
function priced(price: Price, meters: Meter[]): number | undefined {
  let total = 0;
  for (const m of meters) {
    const rate = pickRate(price, m.dims);
    if (!rate) return undefined;
    total += m.quantity * rate.amount;
  }
  return roundMoney(total);
}

/** The usage field that counts a price unit, and its size in that unit. */
const USAGE_OF: Partial<Record<PriceUnit, { field: keyof VendorUsage; per: number; label: string }>> = {
  image: { field: "images", per: 1, label: "images" },
  second: { field: "seconds", per: 1, label: "s" },
  million_tokens: { field: "tokens", per: 1e6, label: "tokens" },
  ten_thousand_characters: { field: "characters", per: 1e4, label: "characters" },
};

/**
 * The actual cost of a finished call: what the vendor says it charged, else its reported usage
 * at the estimate's rate. Undefined when the vendor reported neither (or usage in a unit the
 * price does not use, e.g. Kling units).
 */
export function actualCost(estimate: Estimate | undefined, usage: VendorUsage | undefined): Actual | undefined {
  if (!usage) return undefined;
  if (usage.charged)
    return {
      amount: roundMoney(usage.charged.amount),
      currency: usage.charged.currency,
      basis: `charged by the vendor: ${formatMoney(usage.charged.amount, usage.charged.currency)}${usage.charged.note ? ` (${usage.charged.note})` : ""}`,
    };
  if (!estimate?.rate || !estimate.currency) return undefined;
  const of = USAGE_OF[estimate.rate.unit];
  const used = of ? usage[of.field] : undefined;
  if (!of || typeof used !== "number") return undefined;
  const amount = roundMoney((used / of.per) * estimate.rate.amount);
  const unit = PRICE_UNITS[estimate.rate.unit].one;
  return {
    amount,
    currency: estimate.currency,
    basis: `${formatQuantity(used)} ${of.label} in the vendor's answer × ${formatMoney(estimate.rate.amount, estimate.currency)}/${unit} = ${formatMoney(amount, estimate.currency)}`,
  };
}

export { catalogPrices, PriceBook, type PriceEntry } from "./price-book.js";

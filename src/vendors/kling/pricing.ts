/**
 * Meters for Kling calls (issue 14): what a call is about to buy, in the units and dimensions of
 * prices.ts, with Kling's documented defaults applied for what the call leaves out. No MCP types.
 *
 * Kling's defaults (vendor-apis.md C.4, from Kling's API pages): text2video and image2video `mode`
 * std, `duration` "5", `sound` off; omni-video `mode` **pro** (its page's default), `duration` "5",
 * `sound` off, and with a video to edit (`refer_type` base) the output is as long as that video
 * (3-15 s, not known before the call). Image `n` 1, `resolution` 1k; an omni-image series has 4
 * images unless `series_amount` says otherwise ("auto": Kling picks 2-9). The new standard's
 * `settings.resolution` 720p/1080p/4k is Kling's name for std/pro/4k.
 */
import {
  CURRENCIES,
  estimateCost,
  unknownEstimate,
  type Currency,
  type Dims,
  type Estimate,
  type Meter,
  type PriceBook,
  type PriceUnit,
  type VendorUsage,
} from "../kit/price.js";

export const KLING_DEFAULTS = { mode: "std", omniMode: "pro", duration: 5, n: 1, resolution: "1k", seriesAmount: 4 } as const;
/** The shortest and longest video Kling edits (omni-video `refer_type` base: 3-10 s on o1, 3-15 s on v3-omni): the output lasts as long. */
export const MIN_EDITED_SECONDS = 3;
export const MAX_EDITED_SECONDS = 15;
/** The most images an omni-image auto series has (Kling picks 2-9). */
const MAX_AUTO_SERIES = 9;
const NEW_RESOLUTION = { std: "720p", pro: "1080p", "4k": "4k" } as const;

/** Meters, and what the vendor bills that they could not count (the estimate is then a lower bound). */
export interface Metered {
  meters: Meter[];
  lowerBound?: string;
  /** With lowerBound: the meters at the most Kling can bill (see Estimate.most). */
  most?: Meter[];
  /** The unit the meters count in: what a price for the model must be given in when it has none. */
  unit: PriceUnit;
}

export interface VideoCall {
  /** The legacy API (`mode`, `sound`) or the new standard (`settings.resolution`, `settings.audio`). */
  standard: "legacy" | "new";
  /** omni-video (kling_omni_video, kling_multi_image_to_video): default mode pro, and a video input tier. */
  omni?: boolean;
  mode?: "std" | "pro" | "4k";
  duration?: number;
  sound?: boolean;
  voice_ids?: readonly string[];
  multi_prompt?: ReadonlyArray<{ duration: number }>;
  /** omni-video's reference video (`refer_type` base = edit it). */
  video?: { refer_type?: string };
  /** The model's longest video (its catalog duration), which an edited video cannot exceed; MAX_EDITED_SECONDS when unknown. */
  maxSeconds?: number;
}

/**
 * A video call's meters for a price in `unit`: seconds of output (per-second prices), or one clip
 * with its `duration` as a dimension (Kling 2.6's per-clip prices).
 */
export function videoMeters(c: VideoCall, unit: PriceUnit | undefined): Metered {
  const defaults: string[] = [];
  const mode = c.mode ?? (c.omni ? KLING_DEFAULTS.omniMode : KLING_DEFAULTS.mode);
  if (!c.mode) defaults.push(`mode ${mode}`);
  const shots = c.multi_prompt?.reduce((s, p) => s + p.duration, 0) || undefined;
  const editing = c.omni && c.video?.refer_type === "base";
  let seconds = c.duration ?? shots ?? KLING_DEFAULTS.duration;
  if (c.duration === undefined && !shots && !editing) defaults.push(`duration ${seconds} s`);
  if (editing) seconds = MIN_EDITED_SECONDS;
  const sound = c.sound ?? false;
  const dims: Dims =
    c.standard === "new"
      ? { resolution: NEW_RESOLUTION[mode], audio: sound }
      : { mode, sound, ...(c.omni ? { video_input: !!c.video } : {}) };
  const how = [
    editing ? `the edited video's length, at least ${MIN_EDITED_SECONDS} s` : undefined,
    defaults.length ? `Kling's default ${defaults.join(", ")}` : undefined,
  ]
    .filter(Boolean)
    .join("; ");
  const meterOf = (s: number): Meter =>
    unit === "item"
      ? { quantity: 1, dims: { ...dims, duration: s, voice_control: (c.voice_ids?.length ?? 0) > 0 } }
      : { quantity: s, dims };
  return {
    meters: [{ ...meterOf(seconds), ...(how ? { how } : {}) }],
    unit: unit === "item" ? "item" : "second",
    ...(editing
      ? {
          lowerBound: `the seconds of the edited video beyond ${MIN_EDITED_SECONDS} (the output is as long as it, up to ${c.maxSeconds ?? MAX_EDITED_SECONDS} s)`,
          most: [meterOf(c.maxSeconds ?? MAX_EDITED_SECONDS)],
        }
      : {}),
  };
}

export interface ImageCall {
  family: "images/generations" | "images/multi-image2image" | "images/omni-image";
  n?: number;
  resolution?: string;
  /** A reference image (images/generations: image to image). */
  image?: boolean;
  result_type?: string;
  /** omni-image series size; "auto" lets Kling pick 2-9. */
  series_amount?: number | "auto";
}

/** An image call's meters: images generated, by resolution (and text vs image input on images/generations). */
export function imageMeters(c: ImageCall): Metered {
  const defaults: string[] = [];
  const resolution = c.resolution ?? KLING_DEFAULTS.resolution;
  if (!c.resolution && c.family !== "images/multi-image2image") defaults.push(`resolution ${resolution}`);
  const dims: Dims =
    c.family === "images/generations" ? { resolution, image_input: !!c.image } : c.family === "images/omni-image" ? { resolution } : {};
  let quantity = c.n ?? KLING_DEFAULTS.n;
  let lowerBound: string | undefined;
  let counted: string | undefined;
  if (c.family === "images/omni-image" && c.result_type === "series") {
    if (c.series_amount === "auto") {
      quantity = 2;
      counted = "an auto series counted as its smallest, 2 images";
      lowerBound = `the images Kling adds beyond 2 to an auto series (up to ${MAX_AUTO_SERIES})`;
    } else {
      quantity = c.series_amount ?? KLING_DEFAULTS.seriesAmount;
      if (c.series_amount === undefined) defaults.push(`series of ${quantity}`);
    }
  } else if (c.n === undefined) defaults.push(`n ${quantity}`);
  const how = [defaults.length ? `Kling's default ${defaults.join(", ")}` : undefined, counted].filter(Boolean).join("; ");
  return {
    meters: [{ quantity, dims, ...(how ? { how } : {}) }],
    unit: "image",
    ...(lowerBound ? { lowerBound, most: [{ quantity: MAX_AUTO_SERIES, dims }] } : {}),
  };
}

/**
 * A Kling estimate: the book's price for the model on the endpoint family, metered for its unit.
 * Kling bills an account in its region's currency (`accountCurrency`, config.ts): a built-in list
 * price in another currency is not that account's price, so the estimate is unknown and says why
 * (a price from AIGC_MCP_PRICES_FILE or the models file is taken as the user's own).
 */
export function klingEstimate(
  book: PriceBook,
  model: string,
  endpoint: string,
  meter: (unit: PriceUnit | undefined) => Metered,
  accountCurrency?: Currency,
): Estimate {
  const price = book.find(model, endpoint);
  if (price && price.confidence !== "contract" && accountCurrency && price.currency !== accountCurrency)
    return unknownEstimate(
      `Kling bills this account in ${accountCurrency} (KLING_BASE_URL's region, or KLING_BILLING_CURRENCY), and publishes ${model}'s list price only in ${price.currency} (${price.source.url}); give your ${accountCurrency} price in AIGC_MCP_PRICES_FILE`,
      price.source,
    );
  const { meters, lowerBound, unit, most } = meter(price?.unit);
  return estimateCost(model, price, meters, lowerBound, unit, most);
}

/** One entry of a new-standard task's `billing[]`. */
interface BillingPart {
  charge_type?: string;
  cash_type?: string;
  amount?: unknown;
  currency?: string;
}

/** A decimal string (Kling's amounts) as a number; undefined when absent or not a number. */
function decimal(v: unknown): number | undefined {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : typeof v === "number" ? v : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * What a finished Kling task reports it took, as VendorUsage. Legacy answers (task query and
 * callback docs): `final_unit_deduction` (resource-pack units) and `final_balance_deduction.quota`
 * (cash at the account's discount; `list_price` is before it), with no currency: the account's
 * (`accountCurrency`, from the region) is used and said in the note. New-standard answers:
 * `billing[]` of `{charge_type: cash, amount, currency}` and `{charge_type: unit, amount}`. Cash
 * of zero is no charge (the task was paid from a pack): only the units are then reported, which
 * have no money value (actualCost gives none).
 */
export function klingUsage(
  task: {
    final_unit_deduction?: unknown;
    final_balance_deduction?: { quota?: unknown; list_price?: unknown } | null;
    billing?: readonly BillingPart[];
  },
  accountCurrency: Currency | undefined,
): VendorUsage | undefined {
  let units: number | undefined;
  let charged: VendorUsage["charged"];
  const billing = Array.isArray(task.billing) ? (task.billing as readonly BillingPart[]) : undefined;
  if (billing) {
    const cash = billing.filter((b) => b.charge_type === "cash");
    for (const b of billing.filter((b) => b.charge_type === "unit")) units = (units ?? 0) + (decimal(b.amount) ?? 0);
    const currencies = [...new Set(cash.map((b) => b.currency))];
    const amount = cash.reduce((s, b) => s + (decimal(b.amount) ?? 0), 0);
    const currency = currencies[0];
    if (amount > 0 && currencies.length === 1 && (CURRENCIES as readonly unknown[]).includes(currency)) {
      const trial = cash.some((b) => b.cash_type === "test_balance");
      charged = { amount, currency: currency as Currency, note: `Kling's billing${trial ? ", from trial money (test_balance)" : ""}` };
    }
  } else {
    units = decimal(task.final_unit_deduction);
    const quota = decimal(task.final_balance_deduction?.quota);
    if (quota && accountCurrency)
      charged = {
        amount: quota,
        currency: accountCurrency,
        note: `Kling's final_balance_deduction, which names no currency: ${accountCurrency} is this account's (KLING_BASE_URL's region or KLING_BILLING_CURRENCY)`,
      };
  }
  const usage: VendorUsage = { ...(units ? { units } : {}), ...(charged ? { charged } : {}) };
  return Object.keys(usage).length ? usage : undefined;
}

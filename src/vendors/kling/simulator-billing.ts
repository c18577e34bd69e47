/**
 * What the Kling simulator charges a finished task, in the fields Kling's docs show: legacy answers
 * `final_unit_deduction` (units) and `final_balance_deduction: {quota, list_price}` (cash, no
 * currency: the account's region decides it); new-standard answers `billing: [{charge_type: "cash",
 * cash_type, amount, currency, list_price} | {charge_type: "unit", amount, package_type}]`.
 *
 * Written from Kling's pricing page (https://kling.ai/dev/pricing, USD, verified 2026-05-29) and
 * its API pages' defaults (mode std, omni-video mode pro, duration "5", sound off, n 1, resolution
 * 1k), NOT from the adapter's catalog or meters, so a wrong price or meter there makes a test fail.
 * Stand-ins where Kling publishes nothing: a CNY account pays the USD figures × 7 (Kling's CNY list
 * is not known), units are one per second of video or per image, and a model without a published
 * price pays $0.1 per second or $0.03 per image.
 */

export interface SimBillingOptions {
  /** How the account pays: its cash balance (default) or a resource pack (units). */
  payWith?: "cash" | "unit";
  /** The account's currency (Kling's region: api-singapore USD, api-beijing CNY). */
  currency?: "USD" | "CNY";
  /** The account's discount on the list price (quota = list price × discount). */
  discount?: number;
  /** Cash from trial money (`cash_type: test_balance`). */
  trial?: boolean;
}

type Body = Record<string, unknown>;

/** USD per second of video by `mode/sound` (omni: `mode/video/sound`), from the pricing page. */
const PER_SECOND: Record<string, Record<string, number>> = {
  "kling-v3": { "std/off": 0.084, "std/on": 0.126, "pro/off": 0.112, "pro/on": 0.168, "4k/off": 0.42, "4k/on": 0.42 },
  "kling-v3-omni": {
    "std/novideo/off": 0.084,
    "std/novideo/on": 0.112,
    "std/video/off": 0.126,
    "pro/novideo/off": 0.112,
    "pro/novideo/on": 0.14,
    "pro/video/off": 0.168,
    "4k/novideo/on": 0.42,
    "4k/video/off": 0.42,
  },
  "kling-video-o1": { "std/novideo/off": 0.084, "std/video/off": 0.126, "pro/novideo/off": 0.112, "pro/video/off": 0.168 },
};
/** kling-v2-6, USD per clip by `mode/seconds/sound[/voice]`. */
const PER_CLIP: Record<string, number> = {
  "std/5/off": 0.21,
  "std/10/off": 0.42,
  "pro/5/off": 0.35,
  "pro/10/off": 0.7,
  "pro/5/on": 0.7,
  "pro/10/on": 1.4,
  "pro/5/on/voice": 0.84,
  "pro/10/on/voice": 1.68,
};

/** USD per image. */
function perImage(model: string, family: string, b: Body): number {
  const resolution = typeof b.resolution === "string" ? b.resolution : "1k";
  if (model === "kling-v3-omni") return resolution === "4k" ? 0.056 : 0.028;
  if (model === "kling-v2-1" && family === "images/generations") return b.image ? 0.028 : 0.014;
  if (["kling-v3", "kling-image-o1"].includes(model)) return 0.028;
  return 0.03;
}

const RESOLUTION_MODE: Record<string, string> = { "720p": "std", "1080p": "pro", "4k": "4k" };

/** The USD list price of a task and the units it would take, from its body and what it produced. */
function listPrice(standard: "legacy" | "new", family: string, model: string, b: Body, images: number): { usd: number; units: number } {
  if (family.startsWith("images/")) return { usd: perImage(model, family, b) * images, units: images };
  const settings = (b.settings ?? {}) as Body;
  const omni = family === "videos/omni-video";
  const text = (v: unknown, otherwise: string) => (typeof v === "string" ? v : otherwise);
  const mode = standard === "new" ? (RESOLUTION_MODE[text(settings.resolution, "720p")] ?? "std") : text(b.mode, omni ? "pro" : "std");
  const seconds = Number((standard === "new" ? settings.duration : b.duration) ?? 5);
  const sound = (standard === "new" ? settings.audio === "native" : b.sound === "on") ? "on" : "off";
  const video = Array.isArray(b.video_list) && b.video_list.length ? "video" : "novideo";
  const voices = Array.isArray(b.voice_list) && b.voice_list.length > 0;
  if (model === "kling-v2-6") {
    const clip = PER_CLIP[`${mode}/${seconds}/${sound}${voices ? "/voice" : ""}`];
    if (clip !== undefined) return { usd: clip, units: seconds };
  }
  const rate = PER_SECOND[model]?.[omni ? `${mode}/${video}/${sound}` : `${mode}/${sound}`] ?? 0.1;
  return { usd: rate * seconds, units: seconds };
}

const money = (n: number) => String(Math.round(n * 10000) / 10000);

/** The billing fields of a finished task, in its standard's shape. */
export function simBillingFields(
  o: SimBillingOptions,
  t: { standard: "legacy" | "new"; family: string; model: string; body: Body; images: number },
): Record<string, unknown> {
  const { usd, units } = listPrice(t.standard, t.family, t.model, t.body, t.images);
  const currency = o.currency ?? "USD";
  const list = usd * (currency === "CNY" ? 7 : 1);
  const quota = list * (o.discount ?? 1);
  const cash = (o.payWith ?? "cash") === "cash";
  if (t.standard === "legacy")
    return {
      final_unit_deduction: cash ? "0" : String(units),
      final_balance_deduction: { quota: cash ? money(quota) : "0", list_price: cash ? money(list) : "0" },
    };
  return {
    billing: cash
      ? [
          {
            charge_type: "cash",
            cash_type: o.trial ? "test_balance" : "balance",
            amount: money(quota),
            currency,
            list_price: money(list),
          },
        ]
      : [{ charge_type: "unit", amount: String(units), package_type: t.family.startsWith("images/") ? "image" : "video" }],
  };
}

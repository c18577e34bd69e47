/**
 * What a Jimeng (Volcengine Visual) call is metered in, from the request the tool is about to send.
 * No req_key has a published price (/work prices research §2: no Jimeng billing page was found), so
 * every estimate is unknown until AIGC_MCP_PRICES_FILE gives one; the meters count the call in the
 * unit that price is written in, so a per-image, per-second or per-output price each works:
 * - images: billed per output image (vendor-apis B.5, jimeng_t2i_v40: "billed per output image").
 *   4.0 and 4.6 may return several images unless `force_single` is true (B.5: "default false
 *   (model may return several images)", up to 15 − inputs), so without it one image is a lower
 *   bound. Other image req_keys (and portraits) return one image.
 * - video: per second of successful video (B.6: "Billing per second of successful video"); the
 *   seconds are `(frames − 1) / 24` of the body (the vendor's rule, 121 frames = 5 s, the default),
 *   the resolution the req_key family's (720p, 1080p; 3.0 Pro is 1080P, catalog labels).
 * - anything else (volc_visual_call with a req_key of no known family): one call, unit `item`.
 * No MCP types here.
 */
import type { Catalog } from "../kit/catalog.js";
import {
  estimateCost,
  PRICE_UNITS,
  unknownEstimate,
  type Dims,
  type Estimate,
  type Meter,
  type PriceBook,
  type PriceUnit,
} from "../kit/price.js";
import { ENDPOINTS } from "./catalog.js";

/** The meters of a call, or why the price's unit cannot count it. */
export type VisualMeters = { meters: Meter[]; lowerBound?: string; most?: Meter[]; exactWith?: string } | { problem: string };

/** Image generation and the portrait API: calls billed per image returned. */
const isImageFamily = (endpoint: string) => endpoint.startsWith("image/") || endpoint === ENDPOINTS.portrait;

/** Video frames per second: the vendor's `frames = 24 × seconds + 1` rule (vendor-apis B.6). */
const FPS = 24;

/** The output resolution of a video req_key, from its family (the key's suffix; 3.0 Pro is 1080P). Undefined when unknown. */
export function videoResolution(reqKey: string): "720p" | "1080p" | undefined {
  if (/_1080p?$/.test(reqKey) || reqKey === "jimeng_ti2v_v30_pro") return "1080p";
  if (/^jimeng_(t2v|i2v_first|i2v_first_tail|i2v_recamera)_v30$/.test(reqKey)) return "720p";
  return undefined;
}

/** Seconds of video a body asks for: `(frames − 1) / 24`, 5 s (121 frames) when absent. */
export function videoSeconds(body: Record<string, unknown>): number {
  return typeof body.frames === "number" && body.frames > 1 ? Math.round(((body.frames - 1) / FPS) * 100) / 100 : 5;
}

function wrongUnit(reqKey: string, unit: PriceUnit, counted: string): { problem: string } {
  return {
    problem: `the price given for ${reqKey} is per ${PRICE_UNITS[unit].one}, but a ${counted}; write it per ${counted.includes("video") ? "second or per output (unit item)" : "image or per output (unit item)"} in AIGC_MCP_PRICES_FILE`,
  };
}

/**
 * Image calls: the number of images the vendor will bill (1; a lower bound when the req_key may
 * return several and `force_single` is not true). `mayReturnSeveral` comes from the catalog (the
 * req_key takes `force_single`); an unknown req_key is assumed to possibly return several.
 */
export function imageMeters(reqKey: string, body: Record<string, unknown>, mayReturnSeveral: boolean, unit: PriceUnit): VisualMeters {
  if (unit !== "image" && unit !== "item") return wrongUnit(reqKey, unit, "Jimeng image call is counted in images");
  const inputs = Array.isArray(body.image_urls)
    ? body.image_urls.length
    : Array.isArray(body.binary_data_base64)
      ? body.binary_data_base64.length
      : 0;
  const single = body.force_single === true || !mayReturnSeveral;
  const dims = mayReturnSeveral ? { dims: { force_single: body.force_single === true } } : {};
  // Inputs and outputs together are at most 15 (vendor-apis.md B, Jimeng 4.0 image API).
  const most = Math.max(1, 15 - inputs);
  return {
    meters: [{ quantity: 1, ...dims, how: single ? "1 image" : "at least 1 image" }],
    ...(single
      ? {}
      : {
          lowerBound: `any further images the model returns (up to ${most}, each billed; set force_single: true for exactly one)`,
          most: [{ quantity: most, ...dims }],
          exactWith: "force_single: true",
        }),
  };
}

/** Video calls: seconds (unit second) or one clip (unit item), with the resolution and duration as dimensions. */
export function videoMeters(reqKey: string, body: Record<string, unknown>, unit: PriceUnit): VisualMeters {
  const seconds = videoSeconds(body);
  const resolution = videoResolution(reqKey);
  const dims: Dims = { ...(resolution ? { resolution } : {}), duration: seconds };
  const how = `${typeof body.frames === "number" ? `${body.frames} frames / ${FPS} fps` : "the default 121 frames"} = ${seconds} s`;
  if (unit === "second") return { meters: [{ quantity: seconds, dims, how }] };
  if (unit === "item") return { meters: [{ quantity: 1, dims, how: `1 video of ${seconds} s` }] };
  return wrongUnit(reqKey, unit, "Jimeng video is counted in seconds");
}

/** A req_key of no known family: one call (unit item); other units cannot be counted before the call. */
export function callMeters(reqKey: string, unit: PriceUnit): VisualMeters {
  if (unit === "item") return { meters: [{ quantity: 1, how: "1 call" }] };
  return {
    problem: `${reqKey} is called through volc_visual_call with no known family, so only a price per call (unit item) can be estimated; the price given is per ${PRICE_UNITS[unit].one}`,
  };
}

/**
 * The meters of a call of `reqKey` on endpoint family `endpoint` with `body` (what the tool sends),
 * counted in `unit` (the price's; meteredUnit's when there is no price).
 */
export function visualMeters(
  catalog: Catalog,
  reqKey: string,
  endpoint: string,
  body: Record<string, unknown>,
  unit: PriceUnit,
): VisualMeters {
  if (isImageFamily(endpoint)) {
    const takesForceSingle = endpoint !== ENDPOINTS.portrait && catalog.find(reqKey)?.capabilities.force_single !== false;
    return imageMeters(reqKey, body, takesForceSingle, unit);
  }
  if (endpoint.startsWith("video/")) return videoMeters(reqKey, body, unit);
  return callMeters(reqKey, unit);
}

/** The unit a call on `endpoint`'s family is metered in when its req_key has no price: images, seconds of video, else calls. */
function meteredUnit(endpoint: string): PriceUnit {
  if (isImageFamily(endpoint)) return "image";
  return endpoint.startsWith("video/") ? "second" : "item";
}

/** The estimate of a call: the book's price for the req_key on its family, over the call's meters. */
export function visualEstimate(
  book: PriceBook,
  catalog: Catalog,
  reqKey: string,
  endpoint: string,
  body: Record<string, unknown>,
): Estimate {
  const price = book.find(reqKey, endpoint);
  const unit = price?.unit ?? meteredUnit(endpoint);
  const m = visualMeters(catalog, reqKey, endpoint, body, unit);
  if ("problem" in m) return unknownEstimate(m.problem, price?.source);
  const counted = estimateCost(reqKey, price, m.meters, m.lowerBound, unit, m.most);
  const estimate = m.exactWith && counted.lowerBound ? { ...counted, exactWith: m.exactWith } : counted;
  // An image call priced per output (unit item) is billed per image returned: its actual counts them as images.
  const perImage = estimate.rate?.unit === "item" && isImageFamily(endpoint);
  return perImage ? { ...estimate, rate: { ...estimate.rate!, unit: "image" } } : estimate;
}

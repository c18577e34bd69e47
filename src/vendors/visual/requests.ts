/**
 * Body building for the Jimeng tools and the few rules that hold for every req_key (the API's
 * shape), checked before any network call; what each model accepts is the catalog's advice, not a
 * refusal here. Includes the vendor rule on delivery options: `return_url`, `logo_info` and
 * `aigc_meta` go in the poll's `req_json` for task req_keys and in the body for synchronous
 * CVProcess req_keys.
 */
import { inputError } from "../../errors.js";
import type { MediaInput } from "../../media/inputs.js";
import type { Catalog } from "../kit/catalog.js";
import { ENDPOINTS, MODES, type VisualMode } from "./catalog.js";

export const LOGO_POSITIONS = ["bottom_right", "bottom_left", "top_left", "top_right"] as const;
export const LOGO_LANGUAGES = ["zh", "en"] as const;

export interface LogoOptions {
  add: boolean;
  position?: (typeof LOGO_POSITIONS)[number];
  language?: (typeof LOGO_LANGUAGES)[number];
  opacity?: number;
  text?: string;
}

export interface AigcMeta {
  producer_id: string;
  content_producer?: string;
  content_propagator?: string;
  propagate_id?: string;
}

export interface Delivery {
  returnUrl?: boolean;
  logo?: LogoOptions;
  aigcMeta?: AigcMeta;
}

/** `x` values in a job handle are capped, and req_json is sent with every poll. */
export const MAX_REQ_JSON = 500;

export function logoInfo(logo: LogoOptions): Record<string, unknown> {
  return {
    add_logo: logo.add,
    position: LOGO_POSITIONS.indexOf(logo.position ?? "bottom_right"),
    language: LOGO_LANGUAGES.indexOf(logo.language ?? "zh"),
    opacity: logo.opacity ?? 1,
    ...(logo.text ? { logo_text_content: logo.text } : {}),
  };
}

/** The delivery options as the vendor wants them for this mode: `{reqJson}` for tasks, `{bodyFields}` for sync. */
export function placeDelivery(mode: VisualMode, d: Delivery): { reqJson?: string; bodyFields: Record<string, unknown> } {
  const fields: Record<string, unknown> = {
    ...(d.returnUrl !== undefined ? { return_url: d.returnUrl } : {}),
    ...(d.logo ? { logo_info: logoInfo(d.logo) } : {}),
  };
  if (mode === "sync") {
    // CVProcess takes them as top-level body fields; aigc_meta there is a JSON string.
    return { bodyFields: { ...fields, ...(d.aigcMeta ? { aigc_meta: JSON.stringify(d.aigcMeta) } : {}) } };
  }
  const reqJson = { ...fields, ...(d.aigcMeta ? { aigc_meta: d.aigcMeta } : {}) };
  const s = Object.keys(reqJson).length ? JSON.stringify(reqJson) : undefined;
  if (s && s.length > MAX_REQ_JSON)
    throw inputError(
      d.aigcMeta ? "aigc_meta" : "logo",
      `the delivery options are ${s.length} characters as JSON; keep them under ${MAX_REQ_JSON} (shorten logo text or aigc_meta ids)`,
    );
  return { reqJson: s, bodyFields: {} };
}

/** Splits loaded images into the two wire forms; mixing them is refused (the order would be lost). */
export function imageFields(images: MediaInput[], field: string): Record<string, unknown> {
  if (!images.length) return {};
  const urls = images.filter((i) => i.kind === "url");
  if (urls.length === images.length) return { image_urls: urls.map((i) => (i as { url: string }).url) };
  if (urls.length)
    throw inputError(
      field,
      "give all images as http(s) URLs or all as local files/data URIs, not a mix (the vendor takes them in two separate lists)",
    );
  return { binary_data_base64: images.map((i) => (i as { data: Buffer }).data.toString("base64")) };
}

/** Documented input-image limits, checked on bytes we have (URLs are checked by the vendor). */
export function checkImageLimits(
  images: MediaInput[],
  field: string,
  limits: { maxEdge: number; minShort?: number; maxRatio: number },
): void {
  images.forEach((img, i) => {
    if (img.kind !== "bytes" || !img.width || !img.height) return;
    const name = images.length > 1 ? `${field}[${i}]` : field;
    const { width: w, height: h } = img;
    if (w > limits.maxEdge || h > limits.maxEdge)
      throw inputError(name, `is ${w}x${h}; at most ${limits.maxEdge}x${limits.maxEdge} is accepted`);
    if (limits.minShort && Math.min(w, h) < limits.minShort)
      throw inputError(name, `is ${w}x${h}; the short side must be at least ${limits.minShort} px`);
    const ratio = Math.max(w, h) / Math.min(w, h);
    if (ratio > limits.maxRatio + 1e-9)
      throw inputError(name, `is ${w}x${h} (ratio ${ratio.toFixed(2)}); the long side may be at most ${limits.maxRatio}x the short side`);
  });
}

// ---------- models ----------

/** The req_key to send: a catalog alias (e.g. an old misspelling) becomes its documented key; unknown keys go as given. */
export function reqKeyFor(catalog: Catalog, model: string): string {
  return catalog.find(model)?.id ?? model;
}

/** How a req_key is called: the first `mode` its catalog entry lists, else the documented default, async. */
export function routeFor(catalog: Catalog, model: string): VisualMode {
  const mode = catalog.find(model)?.capabilities.mode;
  const first = Array.isArray(mode) ? mode[0] : undefined;
  return (MODES as readonly unknown[]).includes(first) ? (first as VisualMode) : "async";
}

// ---------- images ----------

export interface ImageRequest {
  reqKey: string;
  prompt: string;
  size?: number;
  width?: number;
  height?: number;
  scale?: number;
  force_single?: boolean;
  min_ratio?: number;
  max_ratio?: number;
  seed?: number;
  use_pre_llm?: boolean;
}

/** The endpoint family of an image call: reference images make it image-to-image. */
export const imageEndpoint = (imageCount: number): string => (imageCount ? ENDPOINTS.i2i : ENDPOINTS.t2i);

export function imageBody(req: ImageRequest, images: Record<string, unknown>): Record<string, unknown> {
  const opt = <K extends keyof ImageRequest>(k: K) => (req[k] !== undefined ? { [k]: req[k] } : {});
  return {
    req_key: req.reqKey,
    prompt: req.prompt,
    ...images,
    ...opt("seed"),
    ...opt("scale"),
    ...opt("size"),
    ...opt("width"),
    ...opt("height"),
    ...opt("force_single"),
    ...opt("min_ratio"),
    ...opt("max_ratio"),
    ...opt("use_pre_llm"),
  };
}

// ---------- video ----------

export interface VideoRequest {
  reqKey: string;
  prompt?: string;
  hasFirst: boolean;
  hasLast: boolean;
  /** Seconds; sent as frames = 24 x seconds + 1 (the vendor's rule for every 3.0 key). */
  duration?: number;
  aspect_ratio?: string;
  template_id?: string;
  camera_strength?: string;
  seed?: number;
}

/**
 * The endpoint family of a video call, from its inputs: a camera template with one frame is a camera
 * move, two frames are first+last frame, one frame is first-frame, none is text-to-video. Frames go
 * as one ordered list, so a last frame without a first one cannot be expressed (refused); and a
 * text-to-video call without a prompt has nothing to generate from (every t2v page requires it).
 */
export function videoEndpoint(req: Pick<VideoRequest, "prompt" | "hasFirst" | "hasLast" | "template_id" | "camera_strength">): string {
  if (req.hasLast && !req.hasFirst) throw inputError("last_frame", "needs first_frame as well (frames are sent as one ordered list)");
  if (req.hasLast) return ENDPOINTS.i2vFirstTail;
  if (req.hasFirst) return req.template_id !== undefined || req.camera_strength !== undefined ? ENDPOINTS.i2vRecamera : ENDPOINTS.i2vFirst;
  if (!req.prompt) throw inputError("prompt", "text-to-video needs a prompt (or give first_frame)");
  return ENDPOINTS.t2v;
}

export function videoBody(req: VideoRequest, images: Record<string, unknown>): Record<string, unknown> {
  const opt = <K extends keyof VideoRequest>(k: K) => (req[k] !== undefined ? { [k]: req[k] } : {});
  return {
    req_key: req.reqKey,
    ...opt("prompt"),
    ...images,
    seed: req.seed ?? -1,
    frames: 24 * (req.duration ?? 5) + 1,
    ...opt("aspect_ratio"),
    ...opt("template_id"),
    ...opt("camera_strength"),
  };
}

// ---------- portrait ----------

export interface PortraitRequest {
  reqKey: string;
  prompt?: string;
  width?: number;
  height?: number;
  gpen?: number;
  skin?: number;
  skin_unifi?: number;
  gen_mode?: string;
  seed?: number;
}

export function portraitBody(req: PortraitRequest, image: MediaInput): Record<string, unknown> {
  const opt = <K extends keyof PortraitRequest>(k: K) => (req[k] !== undefined ? { [k]: req[k] } : {});
  return {
    req_key: req.reqKey,
    ...(image.kind === "url" ? { image_input: image.url } : { binary_data_base64: [image.data.toString("base64")] }),
    ...opt("prompt"),
    ...opt("width"),
    ...opt("height"),
    ...opt("gpen"),
    ...opt("skin"),
    ...opt("skin_unifi"),
    ...opt("gen_mode"),
    ...opt("seed"),
  };
}

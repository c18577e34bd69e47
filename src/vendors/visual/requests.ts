/**
 * Request rules (checked before any network call) and body building for the Jimeng tools, including
 * the vendor rule on delivery options: `return_url`, `logo_info` and `aigc_meta` go in the
 * GetResult `req_json` for async req_keys and in the body for synchronous CVProcess req_keys.
 */
import { inputError } from "../../errors.js";
import type { MediaInput } from "../../media/inputs.js";
import { FRAMES_FOR_SECONDS, findImageModel, findVideoModel, type VisualMode } from "./models.js";

export const LOGO_POSITIONS = ["bottom_right", "bottom_left", "top_left", "top_right"] as const;
export const LOGO_LANGUAGES = ["zh", "en"] as const;
export const GEN_MODES = ["creative", "reference", "reference_char"] as const;

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

/** The delivery options as the vendor wants them for this mode: `{reqJson}` for async, `{bodyFields}` for sync. */
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

// ---------- images ----------

export interface ImageRequest {
  model: string;
  prompt: string;
  imageCount: number;
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

export function checkImageRequest(req: ImageRequest): void {
  const m = findImageModel(req.model);
  if (!m) throw inputError("model", `unknown model "${req.model}"`);
  if (req.imageCount < m.minImages || req.imageCount > m.maxImages) {
    throw inputError(
      "images",
      m.maxImages === 0
        ? `${m.label} is text-to-image only; use jimeng_t2i_v40 or jimeng_i2i_v30 for reference images`
        : m.minImages === m.maxImages
          ? `${m.label} takes exactly ${m.minImages} image(s); got ${req.imageCount}`
          : `${m.label} takes ${m.minImages}-${m.maxImages} images; got ${req.imageCount}`,
    );
  }
  if ((req.width === undefined) !== (req.height === undefined))
    throw inputError(req.width === undefined ? "width" : "height", "give width and height together, or neither");
  if (!m.v40) {
    for (const f of ["size", "force_single", "min_ratio", "max_ratio"] as const)
      if (req[f] !== undefined) throw inputError(f, `is a Jimeng 4.0 option; ${m.label} does not take it`);
    if (req.width !== undefined && m.wh) {
      for (const [f, v] of [
        ["width", req.width],
        ["height", req.height!],
      ] as const) {
        if (v < m.wh.min || v > m.wh.max) throw inputError(f, `${m.label} takes ${m.wh.min}-${m.wh.max}; got ${v}`);
      }
    }
  } else {
    if (req.use_pre_llm !== undefined) throw inputError("use_pre_llm", "Jimeng 4.0 has no prompt-expansion switch");
    const lo = req.min_ratio ?? 1 / 3;
    const hi = req.max_ratio ?? 3;
    for (const [f, v] of [
      ["min_ratio", req.min_ratio],
      ["max_ratio", req.max_ratio],
    ] as const) {
      if (v !== undefined && (v < 1 / 16 || v >= 16)) throw inputError(f, `must be in [1/16, 16); got ${v}`);
    }
    if (lo > hi) throw inputError("min_ratio", `must not exceed max_ratio (${lo} > ${hi})`);
    const MIN = 1024 * 1024;
    const MAX = 4096 * 4096;
    if (req.size !== undefined && (req.size < MIN || req.size > MAX))
      throw inputError("size", `is an area in pixels: ${MIN} (1024x1024) to ${MAX} (4096x4096); got ${req.size}`);
    if (req.width !== undefined) {
      const area = req.width * req.height!;
      if (area < MIN || area > MAX)
        throw inputError("width", `width x height must be between ${MIN} and ${MAX} pixels; ${req.width}x${req.height} is ${area}`);
      const r = req.width / req.height!;
      if (r < lo || r > hi)
        throw inputError("width", `width/height = ${r.toFixed(3)} is outside [min_ratio, max_ratio] = [${lo.toFixed(3)}, ${hi}]`);
      if (req.size !== undefined) throw inputError("size", "give size (an area) or width+height, not both");
    }
  }
  if (req.scale !== undefined) {
    if (!m.scale) throw inputError("scale", `${m.label} does not take scale`);
    if (req.scale < m.scale.min || req.scale > m.scale.max)
      throw inputError("scale", `${m.label} takes ${m.scale.min}-${m.scale.max}; got ${req.scale}`);
  }
  if (req.use_pre_llm !== undefined && !m.usePreLlm) throw inputError("use_pre_llm", `${m.label} does not take it`);
}

export function imageBody(req: ImageRequest, images: Record<string, unknown>): Record<string, unknown> {
  const opt = <K extends keyof ImageRequest>(k: K) => (req[k] !== undefined ? { [k]: req[k] } : {});
  return {
    req_key: req.model,
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
  model: string;
  prompt?: string;
  hasFirst: boolean;
  hasLast: boolean;
  duration?: 5 | 10;
  aspect_ratio?: string;
  seed?: number;
}

export function checkVideoRequest(req: VideoRequest): void {
  const m = findVideoModel(req.model);
  if (!m) throw inputError("model", `unknown model "${req.model}"`);
  if (req.prompt !== undefined && req.prompt.length > 800)
    throw inputError("prompt", `at most 800 characters (400 recommended); got ${req.prompt.length}`);
  if (req.hasLast && !req.hasFirst) throw inputError("last_frame", "needs first_frame as well");
  switch (m.frames) {
    case "none":
      if (req.hasFirst) throw inputError("first_frame", `${m.label} is text-to-video only; use jimeng_ti2v_v30_pro or a first-frame model`);
      break;
    case "optional":
      if (req.hasLast)
        throw inputError("last_frame", `${m.label} takes no last frame; use jimeng_i2v_first_tail_v30 for first+last-frame video`);
      break;
    case "first":
      if (!req.hasFirst) throw inputError("first_frame", `${m.label} needs a first_frame`);
      if (req.hasLast) throw inputError("last_frame", `${m.label} takes no last frame; use jimeng_i2v_first_tail_v30`);
      break;
    case "first_last":
      if (!req.hasFirst || !req.hasLast)
        throw inputError(req.hasFirst ? "last_frame" : "first_frame", `${m.label} needs both first_frame and last_frame`);
      break;
  }
  if (!req.hasFirst && !req.prompt) throw inputError("prompt", "text-to-video needs a prompt");
  if (req.aspect_ratio && req.hasFirst)
    throw inputError("aspect_ratio", "applies to text-to-video only; with a first frame the video follows the image's shape");
}

export function videoBody(req: VideoRequest, images: Record<string, unknown>): Record<string, unknown> {
  return {
    req_key: req.model,
    ...(req.prompt ? { prompt: req.prompt } : {}),
    ...images,
    seed: req.seed ?? -1,
    frames: FRAMES_FOR_SECONDS[req.duration ?? 5],
    ...(req.hasFirst ? {} : { aspect_ratio: req.aspect_ratio ?? "16:9" }),
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
  gen_mode?: (typeof GEN_MODES)[number];
  seed?: number;
}

export function checkPortraitRequest(req: PortraitRequest): void {
  if ((req.width === undefined) !== (req.height === undefined))
    throw inputError(req.width === undefined ? "width" : "height", "give width and height together, or neither");
  if (req.gen_mode === "creative" && !req.prompt)
    throw inputError("prompt", 'gen_mode "creative" is prompt-driven: give a prompt (or use "reference")');
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

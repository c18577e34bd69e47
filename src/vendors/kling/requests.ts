/**
 * Per-endpoint Kling rules that hold for every model (exclusive groups, count limits, image checks),
 * checked before any call. Per-model capabilities are catalog advice (catalog.ts), not rules here.
 */
import { inputError } from "../../errors.js";
import type { MediaInput } from "../../media/inputs.js";
import { VIDEO_RATIOS } from "./video-options.js";

export const IMAGE_MIMES = ["image/jpeg", "image/png"];
export const IMAGE_MAX_BYTES = 10 * 1024 * 1024;
export const IMAGE_RATIOS = ["16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3", "21:9"] as const;
export const OMNI_IMAGE_RATIOS = ["auto", ...IMAGE_RATIOS] as const;
export const RESOLUTIONS = ["1k", "2k", "4k"] as const;
export const IMAGE_REFERENCES = ["subject", "face"] as const;
export const FRAME_ROLES = ["first_frame", "end_frame"] as const;
export const REFER_TYPES = ["feature", "base"] as const;
export const RESULT_TYPES = ["single", "series"] as const;
export const SERIES_AMOUNTS = ["auto"] as const;

/** Kling takes an image as a URL or as raw base64 without the `data:` prefix. */
export function toKlingImage(input: MediaInput): string {
  return input.kind === "url" ? input.url : input.data.toString("base64");
}

/** Local images: at least 300 px a side, aspect between 1:2.5 and 2.5:1 (URLs are checked by Kling). */
export function checkKlingImage(input: MediaInput | undefined, field: string): void {
  if (!input || input.kind !== "bytes" || !input.width || !input.height) return;
  const { width: w, height: h } = input;
  if (Math.min(w, h) < 300) throw inputError(field, `is ${w}x${h}; Kling needs at least 300 px on each side`);
  if (w / h > 2.5 || h / w > 2.5) throw inputError(field, `is ${w}x${h}; Kling needs an aspect ratio between 1:2.5 and 2.5:1`);
}

export interface ImageToVideoShape {
  image?: boolean;
}

/**
 * image2video: a first frame is needed (no current model makes a video from a last frame alone).
 * The motion brush and camera control that excluded a last frame were Kling 1.x options, gone with
 * those models (see catalog.ts).
 */
export function checkImageToVideo(a: ImageToVideoShape): void {
  if (!a.image) throw inputError("image", NO_FIRST_FRAME);
}

/** A missing `image`, named as what it is: the first frame is missing, whether or not a last frame was given. */
export const NO_FIRST_FRAME = "is required: give the first frame to animate (image_tail, the optional last frame, cannot stand in for it)";

export interface OmniVideoShape {
  roles: Array<(typeof FRAME_ROLES)[number] | undefined>;
  elements: number;
  video?: { refer_type?: (typeof REFER_TYPES)[number] };
  aspect_ratio?: string;
}

/**
 * omni-video: images + elements <= 7 (<= 4 with a video), one first and one end frame at most, an
 * end frame needs a first frame, aspect_ratio unless a first frame or an edited video sets it.
 * Durations, and how many images go with an end frame, depend on the model: the vendor decides.
 */
export function checkOmniVideo(a: OmniVideoShape): void {
  const withVideo = !!a.video;
  const max = withVideo ? 4 : 7;
  if (a.roles.length > max)
    throw inputError("images", `at most ${max} images${withVideo ? " when a video is given" : ""}; got ${a.roles.length}`);
  if (a.roles.length + a.elements > max)
    throw inputError(
      "element_ids",
      `images + elements may be at most ${max}${withVideo ? " when a video is given" : ""}; got ${a.roles.length + a.elements}`,
    );
  const firsts = a.roles.filter((r) => r === "first_frame").length;
  const ends = a.roles.filter((r) => r === "end_frame").length;
  if (firsts > 1 || ends > 1) throw inputError("images", "at most one first_frame and one end_frame");
  if (ends && !firsts) throw inputError("images", "an end_frame needs a first_frame");
  const editing = a.video?.refer_type === "base";
  if (firsts || editing || a.aspect_ratio) return;
  // A video given as its url alone is a reference: say so first, as editing it is the likelier wish.
  if (a.video)
    throw inputError(
      "video",
      `is a reference (refer_type "${a.video.refer_type ?? "feature"}"${a.video.refer_type ? "" : ", the default"}), which sets no aspect ratio: to edit this video, send video as {"url": …, "refer_type": "base"}; to keep it a reference, give aspect_ratio (${VIDEO_RATIOS.join(", ")})`,
    );
  throw inputError("aspect_ratio", 'is required unless an image has role "first_frame" or a video is edited (refer_type "base")');
}

/**
 * images/generations: image_reference needs the reference image; no negative prompt with a
 * reference image; reference image + elements <= 10. Which model takes image_reference and the
 * fidelities (Kling 2.1) is catalog advice.
 */
export function checkGenerateImage(a: {
  image?: boolean;
  image_reference?: string;
  image_fidelity?: number;
  negative_prompt?: string;
  elements?: number;
}): void {
  if (a.image_reference && !a.image) throw inputError("image_reference", "needs a reference image in image");
  if (a.image && a.negative_prompt) throw inputError("negative_prompt", "is not supported together with a reference image");
  if (!a.image && a.image_fidelity !== undefined) throw inputError("image_fidelity", "only applies with a reference image");
  const total = (a.image ? 1 : 0) + (a.elements ?? 0);
  if (total > 10) throw inputError("element_ids", `the reference image + elements may be at most 10; got ${total}`);
}

/** omni-image: images + elements <= 10; n is for single images, series_amount for a series. */
export function checkOmniImage(a: { images: number; elements: number; n?: number; result_type?: string; series_amount?: unknown }): void {
  if (a.images + a.elements > 10) throw inputError("element_ids", `images + elements may be at most 10; got ${a.images + a.elements}`);
  if (a.result_type === "series") {
    if (a.n !== undefined) throw inputError("n", 'use series_amount with result_type "series", not n');
  } else if (a.series_amount !== undefined) {
    throw inputError("series_amount", 'only applies with result_type: "series"');
  }
}

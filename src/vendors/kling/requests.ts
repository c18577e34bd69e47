/** Per-endpoint Kling rules (exclusive groups, count limits, image checks), checked before any call. */
import { inputError } from "../../errors.js";
import type { MediaInput } from "../../media/inputs.js";
import { findImageModel } from "./models.js";
import { checkModelFamily } from "./video-options.js";

export const IMAGE_MIMES = ["image/jpeg", "image/png"];
export const IMAGE_MAX_BYTES = 10 * 1024 * 1024;
export const IMAGE_RATIOS = ["16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3", "21:9"] as const;
export const OMNI_IMAGE_RATIOS = ["auto", ...IMAGE_RATIOS] as const;
export const RESOLUTIONS = ["1k", "2k", "4k"] as const;
export const IMAGE_REFERENCES = ["subject", "face"] as const;
export const FRAME_ROLES = ["first_frame", "end_frame"] as const;
export const REFER_TYPES = ["feature", "base"] as const;
export const RESULT_TYPES = ["single", "series"] as const;

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
  image_tail?: boolean;
  static_mask?: boolean;
  dynamic_masks?: Array<{ trajectories: unknown[] }>;
  camera_control?: boolean;
}

/** image2video: first+last frame, motion brush and camera control are mutually exclusive. */
export function checkImageToVideo(a: ImageToVideoShape): void {
  if (!a.image && !a.image_tail) throw inputError("image", "give image (first frame), image_tail (last frame), or both");
  const brush = a.static_mask || (a.dynamic_masks?.length ?? 0) > 0;
  const groups = [
    a.image_tail ? "image_tail (first/last frame)" : "",
    brush ? "static_mask/dynamic_masks (motion brush)" : "",
    a.camera_control ? "camera_control" : "",
  ].filter(Boolean);
  if (groups.length > 1)
    throw inputError(
      groups[1]!.split(" ")[0]!,
      `Kling allows only one of: first/last frame, motion brush, camera control; got ${groups.join(" and ")}`,
    );
  if (brush && !a.image) throw inputError("image", "the motion brush needs the first-frame image");
}

export interface OmniVideoShape {
  roles: Array<(typeof FRAME_ROLES)[number] | undefined>;
  elements: number;
  video?: { refer_type?: (typeof REFER_TYPES)[number] };
  aspect_ratio?: string;
  duration?: number;
}

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
  if (ends && a.roles.length > 2) throw inputError("images", "an end_frame is only allowed with at most 2 images");
  if (ends && !firsts) throw inputError("images", "an end_frame needs a first_frame");
  const editing = a.video?.refer_type === "base";
  if (!firsts && !editing && !a.aspect_ratio)
    throw inputError("aspect_ratio", 'is required unless an image has role "first_frame" or a video is edited (refer_type "base")');
  const plain = !a.video && !a.elements && (a.roles.length === 0 || (firsts === 1 && a.roles.length === 1));
  if (a.duration !== undefined && plain && a.duration !== 5 && a.duration !== 10) {
    throw inputError("duration", "text-to-video and first-frame-only omni videos can only be 5 or 10 seconds");
  }
}

function checkResolution(model: string, resolution: string | undefined): void {
  const m = findImageModel(model);
  if (resolution && m && !m.resolutions.includes(resolution))
    throw inputError("resolution", `${m.label} (${m.id}) accepts ${m.resolutions.join(", ")}; got ${resolution}`);
}

export function checkGenerateImage(a: {
  model: string;
  image?: boolean;
  image_reference?: string;
  image_fidelity?: number;
  human_fidelity?: number;
  negative_prompt?: string;
  resolution?: string;
}): void {
  checkModelFamily("images/generations", a.model);
  const m = findImageModel(a.model);
  if (a.image_reference) {
    if (!a.image) throw inputError("image_reference", "needs a reference image in image");
    if (m && !m.imageReference) throw inputError("image_reference", `${m.label} (${m.id}) does not take image_reference; use kling-v1-5`);
  }
  if (a.image && a.negative_prompt) throw inputError("negative_prompt", "is not supported together with a reference image");
  if (!a.image && a.image_fidelity !== undefined) throw inputError("image_fidelity", "only applies with a reference image");
  if (a.human_fidelity !== undefined && a.image_reference !== "face")
    throw inputError("human_fidelity", 'only applies with image_reference: "face"');
  checkResolution(a.model, a.resolution);
}

export function checkOmniImage(a: {
  model: string;
  images: number;
  elements: number;
  resolution?: string;
  n?: number;
  result_type?: string;
  series_amount?: number;
}): void {
  checkModelFamily("images/omni-image", a.model);
  if (a.images + a.elements > 10) throw inputError("element_ids", `images + elements may be at most 10; got ${a.images + a.elements}`);
  if (a.result_type === "series") {
    if (a.n !== undefined) throw inputError("n", 'use series_amount with result_type "series", not n');
  } else if (a.series_amount !== undefined) {
    throw inputError("series_amount", 'only applies with result_type: "series"');
  }
  checkResolution(a.model, a.resolution);
}

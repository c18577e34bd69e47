/**
 * What each Jimeng req_key accepts. Data, not code. Jimeng 4.0 and 3.0 Pro video follow the full
 * official pages; the other rows follow the reference's partial (third-party) notes.
 */
export type VisualMode = "async" | "sync";

export interface JimengImageModel {
  reqKey: string;
  label: string;
  /** async = CVSync2AsyncSubmitTask + GetResult; sync = CVProcess. */
  mode: VisualMode;
  minImages: number;
  maxImages: number;
  /** Jimeng 4.0 takes `size` (area) or width+height bounded by area and ratio; others a width/height range. */
  v40: boolean;
  wh?: { min: number; max: number };
  scale?: { min: number; max: number };
  usePreLlm: boolean;
}

export const JIMENG_IMAGE_MODELS: JimengImageModel[] = [
  {
    reqKey: "jimeng_t2i_v40",
    label: "Jimeng 4.0 (text-to-image, editing, multi-image)",
    mode: "async",
    minImages: 0,
    maxImages: 10,
    v40: true,
    scale: { min: 0, max: 1 },
    usePreLlm: false,
  },
  {
    reqKey: "jimeng_t2i_v31",
    label: "Jimeng 3.1 text-to-image",
    mode: "async",
    minImages: 0,
    maxImages: 0,
    v40: false,
    wh: { min: 512, max: 2048 },
    scale: { min: 1, max: 10 },
    usePreLlm: true,
  },
  {
    reqKey: "jimeng_t2i_v30",
    label: "Jimeng 3.0 text-to-image",
    mode: "async",
    minImages: 0,
    maxImages: 0,
    v40: false,
    wh: { min: 512, max: 2048 },
    scale: { min: 1, max: 10 },
    usePreLlm: true,
  },
  {
    reqKey: "jimeng_i2i_v30",
    label: "Jimeng 3.0 image-to-image (smart reference)",
    mode: "async",
    minImages: 1,
    maxImages: 1,
    v40: false,
    wh: { min: 512, max: 2016 },
    scale: { min: 0, max: 1 },
    usePreLlm: true,
  },
  {
    reqKey: "high_aes_general_v30l_zt2i",
    label: "Seedream 3.0 text-to-image",
    mode: "async",
    minImages: 0,
    maxImages: 0,
    v40: false,
    wh: { min: 512, max: 2048 },
    scale: { min: 1, max: 10 },
    usePreLlm: true,
  },
  {
    reqKey: "jimeng_high_aes_general_v21_L",
    label: "Jimeng 2.1 text-to-image (synchronous CVProcess)",
    mode: "sync",
    minImages: 0,
    maxImages: 0,
    v40: false,
    wh: { min: 256, max: 768 },
    usePreLlm: true,
  },
];
export const JIMENG_IMAGE_KEYS = JIMENG_IMAGE_MODELS.map((m) => m.reqKey) as [string, ...string[]];
export const findImageModel = (k: string) => JIMENG_IMAGE_MODELS.find((m) => m.reqKey === k);

export interface JimengVideoModel {
  reqKey: string;
  label: string;
  textToVideo: boolean;
  /** none: text only; optional: text or first frame; first: first frame required; first_last: both required. */
  frames: "none" | "optional" | "first" | "first_last";
}

export const JIMENG_VIDEO_MODELS: JimengVideoModel[] = [
  { reqKey: "jimeng_ti2v_v30_pro", label: "Jimeng 3.0 Pro (text or first frame, 1080P)", textToVideo: true, frames: "optional" },
  { reqKey: "jimeng_t2v_v30", label: "Jimeng 3.0 720P text-to-video", textToVideo: true, frames: "none" },
  { reqKey: "jimeng_t2v_v30_1080p", label: "Jimeng 3.0 1080P text-to-video", textToVideo: true, frames: "none" },
  { reqKey: "jimeng_i2v_first_v30", label: "Jimeng 3.0 720P first-frame", textToVideo: false, frames: "first" },
  { reqKey: "jimeng_i2v_first_v30_1080p", label: "Jimeng 3.0 1080P first-frame", textToVideo: false, frames: "first" },
  { reqKey: "jimeng_i2v_first_tail_v30", label: "Jimeng 3.0 720P first+last frame", textToVideo: false, frames: "first_last" },
  { reqKey: "jimeng_i2v_first_tail_v30_1080p", label: "Jimeng 3.0 1080P first+last frame", textToVideo: false, frames: "first_last" },
];
export const JIMENG_VIDEO_KEYS = JIMENG_VIDEO_MODELS.map((m) => m.reqKey) as [string, ...string[]];
export const findVideoModel = (k: string) => JIMENG_VIDEO_MODELS.find((m) => m.reqKey === k);

export const VIDEO_ASPECT_RATIOS = ["16:9", "4:3", "1:1", "3:4", "9:16", "21:9"] as const;
/** 24 fps · seconds + 1. */
export const FRAMES_FOR_SECONDS: Record<5 | 10, number> = { 5: 121, 10: 241 };

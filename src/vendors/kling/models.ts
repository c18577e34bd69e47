/**
 * What each known Kling model accepts, per endpoint family. Data, not code: Kling ships new
 * models monthly, so an unknown `model_name` is passed through and only the generic ranges apply.
 */
export const VIDEO_FAMILIES = ["videos/text2video", "videos/image2video", "videos/multi-image2video", "videos/omni-video"] as const;
export const IMAGE_FAMILIES = ["images/generations", "images/multi-image2image", "images/omni-image"] as const;
export type VideoFamily = (typeof VIDEO_FAMILIES)[number];
export type ImageFamily = (typeof IMAGE_FAMILIES)[number];
export type KlingFamily = VideoFamily | ImageFamily;
export const isKlingFamily = (f: string | undefined): f is KlingFamily =>
  (VIDEO_FAMILIES as readonly string[]).includes(f ?? "") || (IMAGE_FAMILIES as readonly string[]).includes(f ?? "");

export interface KlingVideoModel {
  id: string;
  label: string;
  families: VideoFamily[];
  /** Accepted `duration` values (seconds, sent as strings). */
  durations: string[];
  cfgScale: boolean;
  sound: boolean;
  voices: boolean;
  multiShot: boolean;
}

export interface KlingImageModel {
  id: string;
  label: string;
  families: ImageFamily[];
  resolutions: string[];
  /** `image_reference` (subject | face) on images/generations. */
  imageReference: boolean;
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => String(a + i));
const FIVE_TEN = ["5", "10"];
const T2V_I2V: VideoFamily[] = ["videos/text2video", "videos/image2video"];

export const KLING_VIDEO_MODELS: KlingVideoModel[] = [
  {
    id: "kling-v1",
    label: "Kling 1.0",
    families: T2V_I2V,
    durations: FIVE_TEN,
    cfgScale: true,
    sound: false,
    voices: false,
    multiShot: false,
  },
  {
    id: "kling-v1-5",
    label: "Kling 1.5",
    families: ["videos/image2video"],
    durations: FIVE_TEN,
    cfgScale: true,
    sound: false,
    voices: false,
    multiShot: false,
  },
  {
    id: "kling-v1-6",
    label: "Kling 1.6",
    families: [...T2V_I2V, "videos/multi-image2video"],
    durations: FIVE_TEN,
    cfgScale: true,
    sound: false,
    voices: false,
    multiShot: false,
  },
  {
    id: "kling-v2-master",
    label: "Kling 2.0 Master",
    families: T2V_I2V,
    durations: FIVE_TEN,
    cfgScale: false,
    sound: false,
    voices: false,
    multiShot: false,
  },
  {
    id: "kling-v2-1",
    label: "Kling 2.1",
    families: ["videos/image2video"],
    durations: FIVE_TEN,
    cfgScale: false,
    sound: false,
    voices: false,
    multiShot: false,
  },
  {
    id: "kling-v2-1-master",
    label: "Kling 2.1 Master",
    families: T2V_I2V,
    durations: FIVE_TEN,
    cfgScale: false,
    sound: false,
    voices: false,
    multiShot: false,
  },
  {
    id: "kling-v2-5-turbo",
    label: "Kling 2.5 Turbo",
    families: T2V_I2V,
    durations: FIVE_TEN,
    cfgScale: false,
    sound: false,
    voices: false,
    multiShot: false,
  },
  {
    id: "kling-v2-6",
    label: "Kling 2.6",
    families: T2V_I2V,
    durations: FIVE_TEN,
    cfgScale: false,
    sound: true,
    voices: true,
    multiShot: false,
  },
  {
    id: "kling-v3",
    label: "Kling 3.0 (id not confirmed by the official docs)",
    families: T2V_I2V,
    durations: range(3, 15),
    cfgScale: false,
    sound: true,
    voices: true,
    multiShot: true,
  },
  {
    id: "kling-video-o1",
    label: "Kling O1 video",
    families: ["videos/omni-video"],
    durations: range(3, 10),
    cfgScale: false,
    sound: false,
    voices: false,
    multiShot: false,
  },
  {
    id: "kling-v3-omni",
    label: "Kling 3.0 Omni (id not confirmed by the official docs)",
    families: ["videos/omni-video"],
    durations: range(3, 15),
    cfgScale: false,
    sound: true,
    voices: false,
    multiShot: true,
  },
];

export const KLING_IMAGE_MODELS: KlingImageModel[] = [
  { id: "kling-v1", label: "Kling 1.0", families: ["images/generations"], resolutions: ["1k", "2k"], imageReference: false },
  { id: "kling-v1-5", label: "Kling 1.5", families: ["images/generations"], resolutions: ["1k", "2k"], imageReference: true },
  {
    id: "kling-v2",
    label: "Kling 2.0",
    families: ["images/generations", "images/multi-image2image"],
    resolutions: ["1k", "2k"],
    imageReference: false,
  },
  { id: "kling-v2-new", label: "Kling 2.0 New", families: ["images/generations"], resolutions: ["1k", "2k"], imageReference: false },
  {
    id: "kling-v2-1",
    label: "Kling 2.1",
    families: ["images/generations", "images/multi-image2image"],
    resolutions: ["1k", "2k"],
    imageReference: false,
  },
  { id: "kling-image-o1", label: "Kling O1 image", families: ["images/omni-image"], resolutions: ["1k", "2k"], imageReference: false },
  {
    id: "kling-v3-omni",
    label: "Kling 3.0 Omni (id not confirmed by the official docs)",
    families: ["images/omni-image"],
    resolutions: ["1k", "2k", "4k"],
    imageReference: false,
  },
];

/** Default model per family (text/image-to-video and image generation follow KLING_VIDEO_MODEL / KLING_IMAGE_MODEL). */
export const FAMILY_DEFAULT_MODEL: Record<KlingFamily, string> = {
  "videos/text2video": "kling-v2-6",
  "videos/image2video": "kling-v2-6",
  "videos/multi-image2video": "kling-v1-6",
  "videos/omni-video": "kling-video-o1",
  "images/generations": "kling-v2-1",
  "images/multi-image2image": "kling-v2-1",
  "images/omni-image": "kling-image-o1",
};

/** Durations any model might accept (used for unknown models). */
export const ANY_DURATION = range(3, 15);

export const findVideoModel = (id: string) => KLING_VIDEO_MODELS.find((m) => m.id === id);
export const findImageModel = (id: string) => KLING_IMAGE_MODELS.find((m) => m.id === id);
export const knownModels = (family: KlingFamily) =>
  [...KLING_VIDEO_MODELS, ...KLING_IMAGE_MODELS].filter((m) => (m.families as string[]).includes(family)).map((m) => m.id);

/**
 * The Kling simulator's own statement of which model each endpoint takes and with which options,
 * written from Kling's docs (capability maps and API pages read 2026-09-20; the update log; the
 * 2026-09-15 end-of-life notices; live probes of 2026-09-20) and NOT from the adapter's catalog, so
 * a wrong catalog entry makes a test fail. Tests add models with `extraModels`.
 */

/** What one model accepts on some endpoints (legacy families `videos/text2video`…, new products `text-to-video`…). */
export interface SimModelRules {
  id: string;
  endpoints: string[];
  /** Seconds (legacy: sent as strings; new standard: integers). */
  durations?: number[];
  /** Legacy `mode` values. */
  modes?: string[];
  /** New standard `settings.resolution`, or image `resolution`. */
  resolutions?: string[];
  /** Native audio: legacy `sound: "on"`, new `settings.audio: "native"`. */
  sound?: boolean;
  /** New standard: `settings` fields beyond resolution, duration and (text-to-video) aspect_ratio. */
  settings?: string[];
  /** Voices at most (legacy `voice_list`, new `voice` contents). */
  voices?: number;
  multiShot?: boolean;
  /** A last frame (legacy `image_tail` / omni `end_frame`, new `last_frame`). */
  lastFrame?: boolean;
  /** Elements at most on image-to-video / image generation. */
  elements?: number;
  /** images/generations: `image_reference`, `image_fidelity`, `human_fidelity`. */
  imageReference?: boolean;
  /** omni-image: `result_type: "series"`. */
  series?: boolean;
  /** Longest prompt (default 2500). */
  promptMax?: number;
  /** Cross-option rules Kling documents for this model; returns a refusal message or undefined. */
  rule?: (o: SimRequestFacts) => string | undefined;
}

/** The request facts a model rule looks at, in one vocabulary for both standards. */
export interface SimRequestFacts {
  /** "720p"/"1080p"/"4k", from the new `settings.resolution` or the legacy mode (std → 720p, pro → 1080p). */
  resolution?: string;
  sound: boolean;
  lastFrame: boolean;
  voices: number;
  video: boolean;
  firstFrameOnly: boolean;
  duration?: number;
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const T2V = "videos/text2video";
const I2V = "videos/image2video";

const silent1080 = (what: string) => (o: SimRequestFacts) => {
  if (o.sound && o.resolution !== "1080p") return `native audio is only supported at 1080p for ${what}`;
  if (o.lastFrame && o.resolution !== "1080p") return `first and last frame is only supported at 1080p for ${what}`;
  if (o.voices && o.resolution !== "1080p") return `voices are only supported at 1080p for ${what}`;
  return undefined;
};

export const SIM_MODELS: SimModelRules[] = [
  // Legacy video (model_name in the body).
  {
    id: "kling-v3",
    endpoints: [T2V, I2V],
    durations: range(3, 15),
    modes: ["std", "pro", "4k"],
    sound: true,
    multiShot: true,
    lastFrame: true,
    elements: 3,
    promptMax: 3072,
  },
  {
    id: "kling-v2-6",
    endpoints: [T2V],
    durations: [5, 10],
    modes: ["std", "pro"],
    sound: true,
    rule: silent1080("kling-v2-6"),
  },
  {
    id: "kling-v2-6",
    endpoints: [I2V],
    durations: [5, 10],
    modes: ["std", "pro"],
    sound: true,
    voices: 2,
    lastFrame: true,
    rule: (o) => (o.lastFrame && o.sound ? "first and last frame makes silent videos only on kling-v2-6" : silent1080("kling-v2-6")(o)),
  },
  {
    id: "kling-v2-5-turbo",
    endpoints: [T2V, I2V],
    durations: [5, 10],
    modes: ["std", "pro"],
    lastFrame: true,
    rule: silent1080("kling-v2-5-turbo"),
  },
  {
    id: "kling-v3-omni",
    endpoints: ["videos/omni-video"],
    durations: range(3, 15),
    modes: ["std", "pro", "4k"],
    sound: true,
    multiShot: true,
    lastFrame: true,
    rule: (o) =>
      o.video && o.resolution === "4k"
        ? "4k is not supported with a reference video"
        : o.video && o.sound
          ? "sound must be off with a reference video"
          : undefined,
  },
  {
    id: "kling-video-o1",
    endpoints: ["videos/omni-video"],
    durations: range(3, 10),
    modes: ["std", "pro"],
    lastFrame: true,
    rule: (o) =>
      o.firstFrameOnly && o.duration !== undefined && o.duration !== 5 && o.duration !== 10
        ? "kling-video-o1 makes text-only and first-frame-only videos of 5 or 10 seconds"
        : undefined,
  },
  // Legacy images.
  { id: "kling-v3", endpoints: ["images/generations"], resolutions: ["1k", "2k"], elements: 10 },
  { id: "kling-v2-1", endpoints: ["images/generations", "images/multi-image2image"], resolutions: ["1k", "2k"], imageReference: true },
  { id: "kling-image-o1", endpoints: ["images/omni-image"], resolutions: ["1k", "2k"], elements: 10 },
  { id: "kling-v3-omni", endpoints: ["images/omni-image"], resolutions: ["1k", "2k", "4k"], series: true, elements: 10 },
  // New standard (model in the path).
  {
    id: "kling-3.0-turbo",
    endpoints: ["text-to-video", "image-to-video"],
    durations: range(3, 15),
    resolutions: ["720p", "1080p"],
    multiShot: true,
    promptMax: 3072,
  },
  {
    id: "kling-3.0",
    endpoints: ["text-to-video", "image-to-video"],
    durations: range(3, 15),
    resolutions: ["720p", "1080p", "4k"],
    sound: true,
    settings: ["audio", "multi_shot"],
    multiShot: true,
    lastFrame: true,
    elements: 3,
    promptMax: 3072,
  },
  {
    id: "kling-2.6",
    endpoints: ["text-to-video", "image-to-video"],
    durations: [5, 10],
    resolutions: ["720p", "1080p"],
    sound: true,
    settings: ["audio"],
    voices: 2,
    lastFrame: true,
    rule: silent1080("kling-2.6"),
  },
  {
    id: "kling-2.5-turbo",
    endpoints: ["text-to-video", "image-to-video"],
    durations: [5, 10],
    resolutions: ["720p", "1080p"],
    lastFrame: true,
    rule: silent1080("kling-2.5-turbo"),
  },
];

/** Models Kling has discontinued, per endpoint: "The model '<id>' has been discontinued and is no longer available." */
export const SIM_DISCONTINUED: Array<{ id: string; endpoints: string[] }> = [
  { id: "kling-v1", endpoints: [T2V, I2V, "images/generations"] },
  { id: "kling-v1-5", endpoints: [I2V, "images/generations"] },
  { id: "kling-v1-6", endpoints: [T2V, I2V, "videos/multi-image2video"] },
  { id: "kling-v2-master", endpoints: [T2V, I2V] },
  { id: "kling-v2-1", endpoints: [I2V] },
  { id: "kling-v2-1-master", endpoints: [T2V, I2V] },
  { id: "kling-v2", endpoints: ["images/generations", "images/multi-image2image"] },
  { id: "kling-v2-new", endpoints: ["images/generations"] },
];

/** The model used when a legacy request names none (the docs' defaults; the video one is discontinued). */
export const SIM_DEFAULT_MODEL: Record<string, string> = {
  [T2V]: "kling-v1",
  [I2V]: "kling-v1",
  "videos/multi-image2video": "kling-v1-6",
  "videos/omni-video": "kling-video-o1",
  "images/generations": "kling-v3",
  "images/multi-image2image": "kling-v2-1",
  "images/omni-image": "kling-image-o1",
};

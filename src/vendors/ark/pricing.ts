/**
 * What Ark charges (issue 14): the list prices of the Seedance models it publishes, the meters of a
 * Seedream or Seedance call (how many price units the request will take, worked out before it is
 * sent, with Ark's defaults applied) and the usage Ark reports once a call is done. No MCP types.
 *
 * Sources, read 2026-11-30:
 * - Prices: Ark's "模型价格" page (https://www.volcengine.com/docs/82379/1544106). Its tables are not
 *   in any stored copy, so every figure here is the vendor's as three independent third parties
 *   quote it (`transcribed`, research notes in issue 14). No Seedream price and no Seedance 2.5,
 *   4k, draft, flex or 1.x price is known: those are absent, never guessed.
 * - Token rule (the same transcriptions): CNY per million output-video tokens, tokens =
 *   (input video s + output s) × width × height × fps / 1024 with the actual output pixels; with a
 *   video input Ark bills at least a minimum whose table is not known. The billed count is the
 *   task's `usage.completion_tokens` ("准确 token 用量以 API 返回的 usage.completion_tokens 为准").
 * - Output frames: Ark's create-task reference, table "不同宽高比对应的宽高像素值", column "Seedance
 *   1.5 pro / 2.0 系列" (read through a verbatim copy, GitHub code index id 60304946599). Its 720p
 *   16:9 frame is 1280×720; the 1248×704 a price transcription used is the 1.0 series' frame.
 *   Output is 24 fps (vendor-apis A.4). Defaults of the 2.0 series (same reference): resolution
 *   720p, ratio adaptive; duration 5 s (Ark's examples and the tasks it echoes).
 * - Seedream: billed per image actually generated (a group's failed images are free); the answer
 *   reports `usage.generated_images`.
 */
import type { Meter, Price, PriceUnit, VendorUsage } from "../kit/price.js";
import type { ArkImagesResponse, ArkVideoTask } from "./client.js";

const PRICE_PAGE = { url: "https://www.volcengine.com/docs/82379/1544106", date: "2026-11-30" };
const TRANSCRIBED =
  "Ark's list price as three independent transcriptions of its price page quote it (the page's tables are not in aigc-mcp's sources): check it against the live page.";

/** A Seedance 2.0-series price: ¥/M tokens without and with a video input, at ≤720p and (where sold) 1080p. */
function seedancePrice(upTo720: [number, number], at1080?: [number, number]): Price {
  const tier = (resolution: string, [plain, video]: [number, number]) => [
    { when: { resolution, video_input: false, service_tier: "default", draft: false }, amount: plain },
    { when: { resolution, video_input: true, service_tier: "default", draft: false }, amount: video },
  ];
  return {
    currency: "CNY",
    unit: "million_tokens",
    rates: [...tier("480p", upTo720), ...tier("720p", upTo720), ...(at1080 ? tier("1080p", at1080) : [])],
    source: PRICE_PAGE,
    confidence: "transcribed",
    note: `${TRANSCRIBED} No 4k, draft or flex (offline) price is known${at1080 ? "" : "; the model makes 480p and 720p only"}.`,
  };
}

/** Seedance list prices by model id (the catalog attaches them to its entries). */
export const SEEDANCE_PRICES = {
  "doubao-seedance-2-0-260128": seedancePrice([46, 28], [51, 31]),
  "doubao-seedance-2-0-fast-260128": seedancePrice([37, 22]),
  "doubao-seedance-2-0-mini-260615": seedancePrice([23, 14]),
} satisfies Record<string, Price>;

/** Output frame (width × height) of the Seedance 1.5 pro / 2.0 series by resolution and ratio. */
export const SEEDANCE_FRAMES: Record<string, Record<string, [number, number]>> = {
  "480p": { "16:9": [864, 496], "4:3": [752, 560], "1:1": [640, 640], "3:4": [560, 752], "9:16": [496, 864], "21:9": [992, 432] },
  "720p": { "16:9": [1280, 720], "4:3": [1112, 834], "1:1": [960, 960], "3:4": [834, 1112], "9:16": [720, 1280], "21:9": [1470, 630] },
  "1080p": {
    "16:9": [1920, 1080],
    "4:3": [1664, 1248],
    "1:1": [1440, 1440],
    "3:4": [1248, 1664],
    "9:16": [1080, 1920],
    "21:9": [2206, 946],
  },
};
/** The same table's column for the Seedance 1.0 series (ids `doubao-seedance-1-0-…`). */
export const SEEDANCE_1_0_FRAMES: Record<string, Record<string, [number, number]>> = {
  "480p": { "16:9": [864, 480], "4:3": [736, 544], "1:1": [640, 640], "3:4": [544, 736], "9:16": [480, 864], "21:9": [960, 416] },
  "720p": { "16:9": [1248, 704], "4:3": [1120, 832], "1:1": [960, 960], "3:4": [832, 1120], "9:16": [704, 1248], "21:9": [1504, 640] },
  "1080p": {
    "16:9": [1920, 1088],
    "4:3": [1664, 1248],
    "1:1": [1440, 1440],
    "3:4": [1248, 1664],
    "9:16": [1088, 1920],
    "21:9": [2176, 928],
  },
};
export const SEEDANCE_FPS = 24;
export const SEEDANCE_DEFAULTS = { resolution: "720p", ratio: "adaptive", duration: 5 } as const;

/** What a Seedance call's price depends on, as the tool knows it before sending. */
export interface SeedanceCall {
  /** The model id: the 1.0 series renders other frame sizes than later models. */
  model?: string;
  resolution?: string;
  ratio?: string;
  /** Seconds; -1 = the model decides (up to `maxDuration`). */
  duration?: number;
  draft?: boolean;
  service_tier?: string;
  /** The seconds of each reference video, undefined where they cannot be known before the call (a URL). */
  referenceVideoSeconds?: Array<number | undefined>;
  /** The model's longest duration (its catalog entry), for duration -1. */
  maxDuration?: number;
}

/** Meters of a call, with what the vendor bills that they cannot count; or why the call cannot be metered. */
export type Metering = { meters: Meter[]; lowerBound?: string } | { unknown: string };

const fmt = (n: number) => n.toLocaleString("en-US").replace(/,/g, " ");

/** The meters of a Seedance call in the price's unit (tokens for Ark's own prices; seconds or outputs for a prices-file price). */
export function seedanceMeters(call: SeedanceCall, unit: PriceUnit): Metering {
  const draft = call.draft === true;
  // Draft previews are 480p (seedanceBody sends that when no resolution is given).
  const resolution = call.resolution ?? (draft ? "480p" : SEEDANCE_DEFAULTS.resolution);
  const ratio = call.ratio ?? SEEDANCE_DEFAULTS.ratio;
  const videos = call.referenceVideoSeconds ?? [];
  const dims = { resolution, video_input: videos.length > 0, service_tier: call.service_tier ?? "default", draft };
  const notes: string[] = [];
  let seconds = call.duration ?? SEEDANCE_DEFAULTS.duration;
  let secondsHow = `${seconds} s`;
  if (seconds === -1) {
    if (!call.maxDuration) return { unknown: "duration -1 lets the model choose the length and its longest is not known; give a duration" };
    seconds = call.maxDuration;
    secondsHow = `${seconds} s (duration -1: the longest the model may choose)`;
  }
  if (unit === "item") return { meters: [{ quantity: 1, dims }] };
  if (unit === "second") return { meters: [{ quantity: seconds, dims, how: secondsHow }] };
  if (unit !== "million_tokens") return { unknown: `a Seedance video cannot be priced per ${unit}; use million_tokens, second or item` };
  const frames = (/seedance-1-0-/.test(call.model ?? "") ? SEEDANCE_1_0_FRAMES : SEEDANCE_FRAMES)[resolution];
  if (!frames) return { unknown: `the ${resolution} frame size of Seedance is not known to aigc-mcp, so its tokens cannot be counted` };
  // adaptive: Ark picks the ratio; the largest frame of the resolution bounds the count from above.
  const [w, h] =
    ratio === "adaptive" ? Object.values(frames).reduce((a, b) => (b[0] * b[1] > a[0] * a[1] ? b : a)) : (frames[ratio] ?? frames["16:9"]!);
  const frameHow = ratio === "adaptive" ? `${w}×${h} px (ratio adaptive: the largest ${resolution} frame)` : `${w}×${h} px`;
  const known = videos.filter((s): s is number => s !== undefined).reduce((a, b) => a + b, 0);
  const inputHow = known > 0 ? ` + ${known} s of input video` : "";
  const tokens = Math.round(((seconds + known) * w * h * SEEDANCE_FPS) / 1024);
  if (videos.some((s) => s === undefined)) notes.push("the input videos whose length is not known before the call (URLs)");
  if (videos.length) notes.push("the minimum token charge Ark applies with a video input (its table is not published)");
  return {
    meters: [
      {
        quantity: tokens / 1e6,
        dims,
        how: `(${secondsHow}${inputHow}) × ${frameHow} × ${SEEDANCE_FPS} fps / 1024 = ${fmt(tokens)} tokens`,
      },
    ],
    ...(notes.length ? { lowerBound: notes.join(" and ") } : {}),
  };
}

/** The meters of a Seedream call: one per image asked for (a group is billed per image it returns, so at most this), with its size. */
export function seedreamMeters(req: { max_images?: number; size?: string }, unit: PriceUnit): Metering {
  const images = req.max_images ?? 1;
  if (unit !== "image" && unit !== "item") return { unknown: `a Seedream call cannot be priced per ${unit}; use image` };
  // Whether Ark prices size tiers differently is not known; the size is a dimension a prices-file rate may name.
  const size = req.size && /^\d+(\.\d+)?k$/i.test(req.size) ? req.size.toUpperCase() : req.size;
  return {
    meters: [
      { quantity: images, ...(size ? { dims: { size } } : {}), ...(images > 1 ? { how: `up to ${images} images (max_images)` } : {}) },
    ],
  };
}

/** The billed tokens of a finished Seedance task (Ark's own rule: `usage.completion_tokens`). */
export function seedanceUsage(task: ArkVideoTask): VendorUsage | undefined {
  const tokens = task.usage?.completion_tokens;
  return typeof tokens === "number" && Number.isFinite(tokens) ? { tokens } : undefined;
}

/** The images a Seedream answer reports it generated (and billed). */
export function seedreamUsage(res: ArkImagesResponse): VendorUsage | undefined {
  const images = res.usage?.generated_images;
  return typeof images === "number" && Number.isFinite(images) ? { images } : undefined;
}

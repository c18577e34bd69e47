/**
 * Kling's published list prices (issue 14), attached to the catalog models (catalog.ts) per
 * endpoint family. Source: Kling's developer pricing page https://kling.ai/dev/pricing (global
 * market, USD, page marked "verified 2026-05-29"), read through Kling's own llms.txt
 * (https://kling.ai/llms.txt) as copied verbatim in github.com/api-evangelist/kuaishou @ b9cbc49b,
 * llms/kuaishou-kling-llms.txt (fetched by that repository 2026-08-12; read 2026-11-30): so
 * `official`, to be re-checked against the live page.
 *
 * Rate dimensions, in Kling's words (pricing.ts builds them from a call):
 * - video per second (unit `second`): `mode` std | pro | 4k, `sound` on or off, `video_input` (omni);
 * - Kling 2.6 per clip (unit `item`): `mode`, `duration` 5 | 10, `sound`, `voice_control`;
 * - images per image: `resolution` 1k | 2k | 4k, `image_input` (Kling Image 2.1 text- vs image-to-image).
 *
 * Left out because Kling publishes no figure (unknown, never guessed): kling-v2-5-turbo,
 * kling-3.0-turbo and the new-standard ids kling-3.0 / kling-2.6 / kling-2.5-turbo (that they cost
 * what their legacy twins cost is unverified), kling-v2-1 on multi-image2image, kling-v3-omni 4k
 * silent without a video input, element creation, every CNY price (the China site's list was not
 * found) and resource-pack unit prices.
 */
import type { Price, Rate } from "../kit/price.js";

const SOURCE = { url: "https://kling.ai/dev/pricing", date: "2026-05-29" };
const COPY = "Read through Kling's llms.txt as copied in github.com/api-evangelist/kuaishou@b9cbc49b (2026-08-12).";
const GLOBAL =
  "USD list prices of Kling's global site (api-singapore accounts); accounts on api-beijing pay CNY prices aigc-mcp does not know, and resource packs and contracts cost less: give yours in AIGC_MCP_PRICES_FILE.";

function usd(unit: Price["unit"], rates: Rate[], note?: string): Price {
  return { currency: "USD", unit, rates, source: SOURCE, confidence: "official", note: [COPY, GLOBAL, note].filter(Boolean).join(" ") };
}

const perSecond = (rates: Rate[], note?: string) => usd("second", rates, note);

/** kling-v3 text- and image-to-video: per second by mode and sound ("with audio (no voice control)"). */
const V3_VIDEO = perSecond([
  { when: { mode: "std", sound: false }, amount: 0.084 },
  { when: { mode: "std", sound: true }, amount: 0.126 },
  { when: { mode: "pro", sound: false }, amount: 0.112 },
  { when: { mode: "pro", sound: true }, amount: 0.168 },
  { when: { mode: "4k" }, amount: 0.42 },
]);

/** kling-v3-omni video: per second by mode, sound and whether a video is given. */
const V3_OMNI_VIDEO = perSecond(
  [
    { when: { mode: "std", video_input: false, sound: false }, amount: 0.084 },
    { when: { mode: "std", video_input: false, sound: true }, amount: 0.112 },
    { when: { mode: "std", video_input: true, sound: false }, amount: 0.126 },
    { when: { mode: "pro", video_input: false, sound: false }, amount: 0.112 },
    { when: { mode: "pro", video_input: false, sound: true }, amount: 0.14 },
    { when: { mode: "pro", video_input: true, sound: false }, amount: 0.168 },
    { when: { mode: "4k", video_input: false, sound: true }, amount: 0.42 },
    { when: { mode: "4k", video_input: true, sound: false }, amount: 0.42 },
  ],
  "Kling lists no price for 4k without sound and without a video input.",
);

/** kling-video-o1: per second by mode and video input (no sound tier). */
const O1_VIDEO = perSecond([
  { when: { mode: "std", video_input: false }, amount: 0.084 },
  { when: { mode: "std", video_input: true }, amount: 0.126 },
  { when: { mode: "pro", video_input: false }, amount: 0.112 },
  { when: { mode: "pro", video_input: true }, amount: 0.168 },
]);

/** kling-v2-6: per clip of 5 or 10 s; sound only in pro; the same prices with a first and last frame. */
const V2_6_VIDEO = usd(
  "item",
  [
    { when: { mode: "std", duration: 5, sound: false }, amount: 0.21 },
    { when: { mode: "std", duration: 10, sound: false }, amount: 0.42 },
    { when: { mode: "pro", duration: 5, sound: false }, amount: 0.35 },
    { when: { mode: "pro", duration: 10, sound: false }, amount: 0.7 },
    { when: { mode: "pro", duration: 5, sound: true, voice_control: false }, amount: 0.7 },
    { when: { mode: "pro", duration: 10, sound: true, voice_control: false }, amount: 1.4 },
    { when: { mode: "pro", duration: 5, sound: true, voice_control: true }, amount: 0.84 },
    { when: { mode: "pro", duration: 10, sound: true, voice_control: true }, amount: 1.68 },
  ],
  "Per clip, not per second.",
);

const perImage = (rates: Rate[], note?: string) => usd("image", rates, note);

/** The prices by model id and endpoint family (catalog.ts attaches them as `priceByEndpoint`). */
export const KLING_PRICES: Record<string, Record<string, Price>> = {
  "kling-v3": {
    "videos/text2video": V3_VIDEO,
    "videos/image2video": V3_VIDEO,
    "images/generations": perImage([
      { when: { resolution: "1k" }, amount: 0.028 },
      { when: { resolution: "2k" }, amount: 0.028 },
    ]),
  },
  "kling-v3-omni": {
    "videos/omni-video": V3_OMNI_VIDEO,
    "images/omni-image": perImage(
      [
        { when: { resolution: "1k" }, amount: 0.028 },
        { when: { resolution: "2k" }, amount: 0.028 },
        { when: { resolution: "4k" }, amount: 0.056 },
      ],
      "An image series is taken as billed per image (the page does not say).",
    ),
  },
  "kling-video-o1": { "videos/omni-video": O1_VIDEO },
  "kling-image-o1": { "images/omni-image": perImage([{ amount: 0.028 }], "All aspect ratios.") },
  "kling-v2-6": { "videos/text2video": V2_6_VIDEO, "videos/image2video": V2_6_VIDEO },
  "kling-v2-1": {
    "images/generations": perImage(
      [
        { when: { image_input: false }, amount: 0.014 },
        { when: { image_input: true }, amount: 0.028 },
      ],
      "Text to image $0.014, image to image $0.028; no price is listed for kling-v2-1 on multi-image2image.",
    ),
  },
};

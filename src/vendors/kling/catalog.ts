/**
 * What Kling's models do, as data with sources (see src/vendors/kit/catalog.ts). Capability keys are
 * the Kling tools' argument names. Endpoint names are the legacy families (`videos/text2video`, …,
 * model in the body as `model_name`) and the new-standard products (`text-to-video`,
 * `image-to-video`: model in the path, API key only). Nothing is refused from here except retired
 * models; the rest is advice. Checked against the sources on the dates given.
 */
import type { CatalogModel, Source } from "../kit/catalog.js";
import { KLING_PRICES } from "./prices.js";

const DOCS = "https://kling.ai/document-api";
/** The official docs as read on 2026-09-20 (snapshot of https://kling.ai/document-api/llms.txt). */
const doc = (path: string): Source => ({ url: `${DOCS}/${path}`, date: "2026-09-20" });
const CAP_VIDEO = doc("guides/capability-map/video");
const CAP_IMAGE = doc("guides/capability-map/image");
const UPDATES = doc("updates/api");
/** Live probes of 2026-09-20: kling-v1 "has been discontinued", AK/SK refused by the new standard. */
const PROBES: Source = {
  url: "https://github.com/aself101/kling-api/blob/01f27176/docs/specs/kling-api-2.0-migration-spec-v0_4_3.md",
  date: "2026-09-20",
};
/** Official docs as extracted by OpenMontage on 2026-07-10 (model lists, mode std/pro/4k, legacy endpoints). */
const OPENMONTAGE: Source = {
  url: "https://github.com/calesthio/OpenMontage/blob/cd9f3c1f/tests/fixtures/kling_official/schema_snapshot.json",
  date: "2026-07-10",
};
/** End of life of Kling V1.5, V1.6, V2.1 and V2.1 Master on 2026-09-15. */
const EOL_VIDEO: Source = { url: "https://github.com/Comfy-Org/docs/pull/1326", date: "2026-07-27" };
/** End of life of Kling Image 2.0 on 2026-09-15. */
const EOL_IMAGE: Source = { url: "https://github.com/Comfy-Org/ComfyUI/pull/15676", date: "2026-08-16" };
const EOL_DATE = "2026-09-15";

/** Legacy video families; new-standard products. */
const T2V = "videos/text2video";
const I2V = "videos/image2video";
const OMNI_VIDEO = "videos/omni-video";
const GENERATIONS = "images/generations";
const MULTI_IMAGE = "images/multi-image2image";
const OMNI_IMAGE = "images/omni-image";
const NEW_T2V = "text-to-video";
const NEW_I2V = "image-to-video";

const FIVE_TEN = [5, 10];
const SQUARE_WIDE_TALL = ["16:9", "9:16", "1:1"];
const ALL_SERIES = [2, 3, 4, 5, 6, 7, 8, 9, "auto"];

/** The default model of each tool (KLING_VIDEO_MODEL and KLING_IMAGE_MODEL override the first two). */
export const DEFAULT_MODELS = {
  /** kling_text_to_video and kling_image_to_video. */
  video: "kling-v3",
  /** kling_generate_image. */
  image: "kling-v3",
  /** kling_omni_video and kling_multi_image_to_video (which runs on omni-video). */
  omniVideo: "kling-v3-omni",
  omniImage: "kling-v3-omni",
  multiImageToImage: "kling-v2-1",
} as const;

export const KLING_MODELS: CatalogModel[] = [
  {
    id: "kling-v3",
    priceByEndpoint: KLING_PRICES["kling-v3"],
    label: "Kling 3.0 / Kling Image 3.0",
    endpoints: [T2V, I2V, GENERATIONS],
    status: "active",
    capabilities: {},
    byEndpoint: {
      [T2V]: { duration: { min: 3, max: 15 }, mode: ["std", "pro", "4k"], sound: true, voice_ids: 0, multi_shot: true },
      [I2V]: {
        duration: { min: 3, max: 15 },
        mode: ["std", "pro", "4k"],
        sound: true,
        voice_ids: 0,
        multi_shot: true,
        image_tail: true,
        element_ids: 3,
      },
      [GENERATIONS]: { resolution: ["1k", "2k"], image_reference: false, image_fidelity: false, human_fidelity: false, element_ids: 10 },
    },
    sources: [CAP_VIDEO, CAP_IMAGE, UPDATES, doc("api/image/2-1/image-generation"), OPENMONTAGE],
    note: "Video: mode 4k since 2026-04-23; multi-shot together with first/last frame since 2026-05-07; no voice control. The current docs show only new-standard video pages (as kling-3.0), but the update log of 2026-07-15 keeps the legacy API and OpenMontage (2026-08) still calls it with kling-v3, so the legacy endpoints are used. Image: the images/generations doc default; elements (element_ids) count with the reference image towards 10.",
  },
  {
    id: "kling-v3-omni",
    priceByEndpoint: KLING_PRICES["kling-v3-omni"],
    label: "Kling 3.0 Omni (video and image)",
    endpoints: [OMNI_VIDEO, OMNI_IMAGE],
    status: "active",
    capabilities: {},
    byEndpoint: {
      [OMNI_VIDEO]: {
        duration: { min: 3, max: 15 },
        mode: ["std", "pro", "4k"],
        sound: true,
        multi_shot: true,
        shot_type: ["customize", "intelligence"],
      },
      [OMNI_IMAGE]: { resolution: ["1k", "2k", "4k"], result_type: ["single", "series"], series_amount: ALL_SERIES },
    },
    sources: [CAP_VIDEO, CAP_IMAGE, UPDATES, doc("api/image/3-0-omni/image-omni"), OPENMONTAGE],
    note: "Video: 3-15 s for every input, text-only and first-frame-only included (the 5/10 s rule is O1's); 4k except with a reference video; sound must be off with a reference video; reference videos 3-15 s. Image: 4k, series (series_amount 2-9 or auto since 2026-04-27); aspect_ratio auto is not for text-only generation.",
  },
  {
    id: "kling-v2-6",
    priceByEndpoint: KLING_PRICES["kling-v2-6"],
    label: "Kling 2.6",
    endpoints: [T2V, I2V],
    status: "active",
    capabilities: { duration: FIVE_TEN, mode: ["std", "pro"], sound: true, multi_shot: false },
    byEndpoint: { [T2V]: { voice_ids: 0 }, [I2V]: { voice_ids: 2, image_tail: true, element_ids: 0 } },
    sources: [CAP_VIDEO, UPDATES, OPENMONTAGE],
    note: "Native audio only at 1080p (mode pro); first/last frame only as 1080p silent video; voices (image-to-video only) need sound and 1080p.",
  },
  {
    id: "kling-v2-5-turbo",
    label: "Kling 2.5 Turbo",
    endpoints: [T2V, I2V],
    status: "active",
    capabilities: { duration: FIVE_TEN, mode: ["std", "pro"], sound: false, voice_ids: 0, multi_shot: false },
    byEndpoint: { [I2V]: { image_tail: true, element_ids: 0 } },
    sources: [CAP_VIDEO, UPDATES, OPENMONTAGE],
    note: "First/last frame only at 1080p (mode pro).",
  },
  {
    id: "kling-video-o1",
    priceByEndpoint: KLING_PRICES["kling-video-o1"],
    label: "Kling O1 (video)",
    endpoints: [OMNI_VIDEO],
    status: "active",
    capabilities: { duration: { min: 3, max: 10 }, mode: ["std", "pro"], sound: false, multi_shot: false },
    sources: [CAP_VIDEO, UPDATES, OPENMONTAGE],
    note: "Text-only and first-frame-only videos are 5 or 10 s; reference videos 3-10 s; elements: multi-image elements only.",
  },
  {
    id: "kling-image-o1",
    priceByEndpoint: KLING_PRICES["kling-image-o1"],
    label: "Kling Image O1",
    endpoints: [OMNI_IMAGE],
    status: "active",
    capabilities: { resolution: ["1k", "2k"], result_type: ["single"], series_amount: false },
    sources: [CAP_IMAGE, doc("api/image/o1/image-generation"), OPENMONTAGE],
    note: "The omni-image doc default; no image series.",
  },
  {
    id: "kling-v2-1",
    priceByEndpoint: KLING_PRICES["kling-v2-1"],
    label: "Kling Image 2.1",
    endpoints: [GENERATIONS, MULTI_IMAGE],
    status: "active",
    retiredOn: { [I2V]: { statusDate: EOL_DATE, successor: "kling-v3" } },
    capabilities: {
      resolution: ["1k", "2k"],
      image_reference: ["subject", "face"],
      image_fidelity: true,
      human_fidelity: true,
      element_ids: 0,
    },
    sources: [CAP_IMAGE, doc("api/image/2-1/image-generation"), UPDATES, EOL_VIDEO],
    note: "The only model with subject/face reference (image_reference), image_fidelity and human_fidelity (which takes effect with image_reference subject), and the only multi-image-to-image model. Kling 2.1 video (image-to-video, same id) reached end of life on 2026-09-15.",
  },
  {
    id: "kling-3.0-turbo",
    label: "Kling 3.0 Turbo (new API standard, API key only)",
    endpoints: [NEW_T2V, NEW_I2V],
    status: "active",
    capabilities: { duration: { min: 3, max: 15 }, mode: ["std", "pro"], sound: false, voice_ids: 0, multi_shot: true },
    byEndpoint: { [NEW_T2V]: { aspect_ratio: SQUARE_WIDE_TALL }, [NEW_I2V]: { image_tail: false, element_ids: 0 } },
    sources: [doc("api/video/3-0-turbo/text-to-video"), doc("api/video/3-0-turbo/image-to-video"), CAP_VIDEO, UPDATES, PROBES],
    note: "Released 2026-06-17 on the new standard only: needs KLING_API_KEY. mode std/pro is sent as resolution 720p/1080p. Native audio is always on (no audio setting, so sound is not sent). Multi-shot through the prompt (multi_prompt: up to 6 shots of at most 512 characters); image-to-video takes a first frame only.",
  },
  {
    id: "kling-3.0",
    label: "Kling 3.0 on the new API standard (API key only)",
    endpoints: [NEW_T2V, NEW_I2V],
    status: "active",
    capabilities: { duration: { min: 3, max: 15 }, mode: ["std", "pro", "4k"], sound: true, voice_ids: 0, multi_shot: true },
    byEndpoint: { [NEW_T2V]: { aspect_ratio: SQUARE_WIDE_TALL }, [NEW_I2V]: { image_tail: true, element_ids: 3 } },
    sources: [doc("api/video/3-0-omni/text-to-video"), doc("api/video/3-0-omni/image-to-video"), UPDATES],
    note: "The same model as kling-v3, reached through the new standard (since 2026-07-15); mode is sent as resolution 720p/1080p/4k.",
  },
  {
    id: "kling-2.6",
    label: "Kling 2.6 on the new API standard (API key only)",
    endpoints: [NEW_T2V, NEW_I2V],
    status: "active",
    capabilities: { duration: FIVE_TEN, mode: ["std", "pro"], sound: true, multi_shot: false },
    byEndpoint: {
      [NEW_T2V]: { aspect_ratio: SQUARE_WIDE_TALL, voice_ids: 0 },
      [NEW_I2V]: { image_tail: true, element_ids: 0, voice_ids: 2 },
    },
    sources: [doc("api/video/2-6/text-to-video"), doc("api/video/2-6/image-to-video"), UPDATES],
    note: "The same model as kling-v2-6 on the new standard: native audio and first/last frame only at 1080p (mode pro); voices need sound.",
  },
  {
    id: "kling-2.5-turbo",
    label: "Kling 2.5 Turbo on the new API standard (API key only)",
    endpoints: [NEW_T2V, NEW_I2V],
    status: "active",
    capabilities: { duration: FIVE_TEN, mode: ["std", "pro"], sound: false, voice_ids: 0, multi_shot: false },
    byEndpoint: { [NEW_T2V]: { aspect_ratio: SQUARE_WIDE_TALL }, [NEW_I2V]: { image_tail: true, element_ids: 0 } },
    sources: [doc("api/video/2-5-turbo/text-to-video"), doc("api/video/2-5-turbo/image-to-video"), UPDATES],
    note: "The same model as kling-v2-5-turbo on the new standard; first/last frame only at 1080p (mode pro).",
  },
  ...retired(),
];

/** Models Kling has discontinued: refused before any call, with the date and what to use instead. */
function retired(): CatalogModel[] {
  const gone = (id: string, label: string, endpoints: string[], successor: string, sources: Source[], note?: string): CatalogModel => ({
    id,
    label,
    endpoints,
    status: "retired",
    statusDate: EOL_DATE,
    successor,
    capabilities: {},
    sources,
    ...(note ? { note } : {}),
  });
  return [
    gone(
      "kling-v1",
      "Kling 1.0 (video and image)",
      [T2V, I2V, GENERATIONS],
      "kling-v3",
      [PROBES, CAP_VIDEO, CAP_IMAGE],
      "Not in the published end-of-life list; Kling answered 'has been discontinued' on 2026-09-20, so it is dated with the 2026-09-15 batch.",
    ),
    gone("kling-v1-5", "Kling 1.5 (video and image)", [I2V, GENERATIONS], "kling-v3", [EOL_VIDEO, CAP_VIDEO, CAP_IMAGE]),
    gone(
      "kling-v1-6",
      "Kling 1.6",
      [T2V, I2V, "videos/multi-image2video"],
      "kling-v3",
      [EOL_VIDEO, CAP_VIDEO],
      "It was the only model of videos/multi-image2video: kling_multi_image_to_video now runs on omni-video (kling-v3-omni).",
    ),
    gone(
      "kling-v2-master",
      "Kling 2.0 Master",
      [T2V, I2V],
      "kling-v3",
      [CAP_VIDEO, EOL_IMAGE],
      "Absent from the capability maps since 2026-05-19; dated with the 2026-09-15 end of life of the 2.0 and 2.1 generation.",
    ),
    gone("kling-v2-1-master", "Kling 2.1 Master", [T2V, I2V], "kling-v3", [EOL_VIDEO, CAP_VIDEO]),
    gone("kling-v2", "Kling Image 2.0", [GENERATIONS, MULTI_IMAGE], "kling-v2-1", [EOL_IMAGE, CAP_IMAGE]),
    gone("kling-v2-new", "Kling Image 2.0 New (styles)", [GENERATIONS], "kling-v2-1", [EOL_IMAGE, CAP_IMAGE]),
  ];
}

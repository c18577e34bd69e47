/**
 * The Jimeng (Volcengine Visual) model catalog: what aigc-mcp knows about each req_key, as data
 * with sources. The vendor decides what it accepts; these facts advise, document and route. A
 * req_key's calling convention is its `mode` capability (volc_visual_call's argument): `async` =
 * CVSync2AsyncSubmitTask + CVSync2AsyncGetResult, `sync` = CVProcess, `submit_task` = CVSubmitTask +
 * CVGetResult; the first listed is the route the tools take. Unknown req_keys take the documented
 * default route, async.
 *
 * Endpoint families follow the vendor's interface groups (文生图 / 图生图, 文生视频 / 图生视频-首帧 /
 * 首尾帧 / 运镜, 人像写真); a tool picks the family from the inputs given. `raw` req_keys are reached
 * through volc_visual_call only.
 */
import type { CatalogModel, Capabilities, Source } from "../kit/catalog.js";

export const ENDPOINTS = {
  t2i: "image/t2i",
  i2i: "image/i2i",
  t2v: "video/t2v",
  i2vFirst: "video/i2v_first",
  i2vFirstTail: "video/i2v_first_tail",
  i2vRecamera: "video/i2v_recamera",
  portrait: "portrait",
  raw: "raw",
} as const;

/** The action families, in volc_visual_call's words. */
export const MODES = ["async", "sync", "submit_task"] as const;
export type VisualMode = (typeof MODES)[number];

/** The tools' defaults, by endpoint family (config and tool descriptions read them from here). */
export const DEFAULT_MODELS = {
  image: "jimeng_t2i_v40",
  video: "jimeng_ti2v_v30_pro",
  videoFirstTail: "jimeng_i2v_first_tail_v30_1080",
  videoRecamera: "jimeng_i2v_recamera_v30",
  portrait: "i2i_portrait_photo",
} as const;

export const DEFAULT_BY_ENDPOINT: Record<string, string> = {
  [ENDPOINTS.t2i]: DEFAULT_MODELS.image,
  [ENDPOINTS.i2i]: DEFAULT_MODELS.image,
  [ENDPOINTS.t2v]: DEFAULT_MODELS.video,
  [ENDPOINTS.i2vFirst]: DEFAULT_MODELS.video,
  [ENDPOINTS.i2vFirstTail]: DEFAULT_MODELS.videoFirstTail,
  [ENDPOINTS.i2vRecamera]: DEFAULT_MODELS.videoRecamera,
  [ENDPOINTS.portrait]: DEFAULT_MODELS.portrait,
};

/** Date the entries were checked against the sources below (vendor-updates-2026-11 §4, vendor-apis §B). */
const CHECKED = "2026-11-30";
const doc = (id: string): Source => ({ url: `https://www.volcengine.com/docs/${id}`, date: CHECKED });
const SDK_ACTIONS: Source = { url: "https://github.com/volcengine/volc-sdk-python", date: CHECKED };

const ASYNC = { mode: ["async"] } satisfies Capabilities;
/** Jimeng 4.0-only options: other image models do not take them. */
const NO_V40_OPTIONS = { size: false, force_single: false, min_ratio: false, max_ratio: false } satisfies Capabilities;
/** Jimeng 3.x text-to-image (and Seedream 3.0) sizes, scale and prompt expansion. */
const T2I_3X = {
  ...ASYNC,
  ...NO_V40_OPTIONS,
  width: { min: 296, max: 3547 },
  height: { min: 296, max: 3547 },
  scale: { min: 1, max: 10 },
  use_pre_llm: true,
} satisfies Capabilities;
const NOTE_3X =
  "Third-party sources only (vendor-apis B.7). Sizes: B.7 believes 512-2048 per side (UNVERIFIED), a working app applies an area of 512²-2048² at ratio 1:3-3:1; the permissive reading (296-3547 per side) is listed. Scale 1-10 is UNVERIFIED.";

/** Jimeng video 3.0: 5 or 10 s (frames 121 or 241), prompt required on the 720P/1080P pages, camera templates only on recamera. */
const ASPECT_RATIOS = ["16:9", "4:3", "1:1", "3:4", "9:16", "21:9"];
const V30 = { ...ASYNC, duration: [5, 10], template_id: false, camera_strength: false } satisfies Capabilities;
const V30_TEXT = { ...V30, prompt: "required", aspect_ratio: ASPECT_RATIOS } satisfies Capabilities;
const V30_FRAMES = { ...V30, prompt: "required", aspect_ratio: false } satisfies Capabilities;
const CAMERA_TEMPLATES = (
  "hitchcock_dolly_in hitchcock_dolly_out robo_arm dynamic_orbit central_orbit crane_push quick_pull_back " +
  "counterclockwise_swivel clockwise_swivel handheld rapid_push_pull"
).split(" ");
const VIDEO_30: Source[] = [doc("85621/1792710"), doc("85621/1792702")];
const VIDEO_30_1080: Source[] = [doc("85621/1792711"), doc("85621/1798092"), doc("85621/1802721")];
const NOTE_1080 =
  "The documented key has no trailing p (verbatim doc table, vendor-updates §4); the old spelling is kept as an alias and sent as the documented key. The page marks prompt required, so a missing prompt is advice, not a refusal (3.0 Pro takes first-frame video without one).";
const NOTE_720 =
  "The official navigation marks some 3.0 720P/1080P pages offline (3P, unnamed); kept active until the vendor refuses them.";

const NOTE_46 =
  "CONFLICT on the req_key of doc 85621/2275082: the reference names jimeng_t2i_v46 (third-party code, six codebases), other apps cite the same page with jimeng_seedream46_cvtob; both are listed and each is sent as given, so the vendor decides (neither is mapped to the other). Parameters UNVERIFIED (vendor-updates §10.5): like 4.0, with up to 14 reference images and scale 1-100 reported; the permissive union is listed.";

/** An active model; `more` adds aliases, byEndpoint and the note. */
function active(
  id: string,
  label: string,
  endpoints: string[],
  capabilities: Capabilities,
  sources: Source[],
  more: Partial<CatalogModel> = {},
) {
  return { id, label, endpoints, status: "active", capabilities, sources, ...more } satisfies CatalogModel;
}
const { t2i, i2i, t2v, i2vFirst, i2vFirstTail, i2vRecamera, portrait, raw } = ENDPOINTS;

export const MODELS: CatalogModel[] = [
  active(
    "jimeng_t2i_v40",
    "Jimeng 4.0 (text-to-image, editing, multi-image)",
    [t2i, i2i],
    {
      ...ASYNC,
      images: 10,
      size: { min: 1024 * 1024, max: 4096 * 4096 },
      scale: { min: 0, max: 1 },
      force_single: true,
      min_ratio: { min: 1 / 16, max: 16 },
      max_ratio: { min: 1 / 16, max: 16 },
      use_pre_llm: false,
    },
    [doc("85621/1817045")],
    {
      note: "Official page (vendor-apis B.5): width x height must be 1024²-4096² within [min_ratio, max_ratio]. One proxy documents an extra resolution 1k/2k/4k field (UNVERIFIED, not listed).",
    },
  ),
  active(
    "jimeng_t2i_v46",
    "Jimeng 4.6 (text-to-image, editing, multi-image)",
    [t2i, i2i],
    { ...ASYNC, images: 14, scale: { min: 0, max: 100 }, force_single: true },
    [doc("85621/2275082")],
    { note: NOTE_46 },
  ),
  active(
    "jimeng_seedream46_cvtob",
    "Jimeng 4.6 (Seedream 4.6; the key other apps read from the same page)",
    [t2i, i2i],
    { ...ASYNC, images: 14, scale: { min: 0, max: 100 }, force_single: true },
    [doc("85621/2275082")],
    { note: NOTE_46 },
  ),
  active("jimeng_t2i_v31", "Jimeng 3.1 text-to-image", [t2i], T2I_3X, [doc("85621/1756900")], { note: NOTE_3X }),
  active("jimeng_t2i_v30", "Jimeng 3.0 text-to-image", [t2i], T2I_3X, [doc("85621/1616429")], { note: NOTE_3X }),
  active(
    "jimeng_i2i_v30",
    "Jimeng 3.0 image-to-image (smart reference, one image)",
    [i2i],
    { ...ASYNC, ...NO_V40_OPTIONS, images: 1, width: { min: 512, max: 2016 }, height: { min: 512, max: 2016 }, scale: { min: 0, max: 1 } },
    [doc("85621/1747301")],
    { note: "Third-party sources only (vendor-apis B.7): exactly one reference image, scale 0-1 (default 0.5)." },
  ),
  active("high_aes_general_v30l_zt2i", "Seedream 3.0 text-to-image (general 3.0)", [t2i], T2I_3X, [doc("86081/1804549")], {
    note: NOTE_3X,
  }),
  active(
    "jimeng_high_aes_general_v21_L",
    "Jimeng 2.1 text-to-image (synchronous CVProcess)",
    [t2i],
    { mode: ["sync"], ...NO_V40_OPTIONS, width: { min: 256, max: 768 }, height: { min: 256, max: 768 }, scale: false, use_pre_llm: true },
    [doc("85621/1537648")],
    {
      note: "Third-party sources (vendor-apis B.7): CVProcess with return_url/logo_info in the body; width and height 256-768, default 512.",
    },
  ),
  active(
    "jimeng_ti2v_v30_pro",
    "Jimeng 3.0 Pro (1080P, text or first frame)",
    [t2v, i2vFirst],
    { ...V30, aspect_ratio: ASPECT_RATIOS },
    [doc("85621/1777001")],
    {
      byEndpoint: { [i2vFirst]: { aspect_ratio: false } },
      note: "Official page (vendor-apis B.6): prompt required for text-to-video only; with a first frame the shape follows the image (aspect_ratio is text-to-video only).",
    },
  ),
  active("jimeng_t2v_v30", "Jimeng 3.0 720P text-to-video", [t2v], V30_TEXT, VIDEO_30, { note: NOTE_720 }),
  active("jimeng_t2v_v30_1080p", "Jimeng 3.0 1080P text-to-video", [t2v], V30_TEXT, VIDEO_30_1080, {
    note: "Only text-to-video ends in _1080p; the 1080P image-to-video keys end in _1080.",
  }),
  active("jimeng_i2v_first_v30", "Jimeng 3.0 720P first-frame", [i2vFirst], V30_FRAMES, VIDEO_30, { note: NOTE_720 }),
  active("jimeng_i2v_first_v30_1080", "Jimeng 3.0 1080P first-frame", [i2vFirst], V30_FRAMES, VIDEO_30_1080, {
    aliases: ["jimeng_i2v_first_v30_1080p"],
    note: NOTE_1080,
  }),
  active("jimeng_i2v_first_tail_v30", "Jimeng 3.0 720P first+last frame", [i2vFirstTail], V30_FRAMES, VIDEO_30, { note: NOTE_720 }),
  active("jimeng_i2v_first_tail_v30_1080", "Jimeng 3.0 1080P first+last frame", [i2vFirstTail], V30_FRAMES, VIDEO_30_1080, {
    aliases: ["jimeng_i2v_first_tail_v30_1080p"],
    note: NOTE_1080,
  }),
  active(
    "jimeng_i2v_recamera_v30",
    "Jimeng 3.0 720P camera move (template)",
    [i2vRecamera],
    { ...V30_FRAMES, template_id: CAMERA_TEMPLATES, camera_strength: ["weak", "medium", "strong"] },
    VIDEO_30,
    { note: "The page marks template_id and camera_strength required, with the listed values. 720P only (no 1080P camera key)." },
  ),
  active(
    "i2i_portrait_photo",
    "Portrait photo (图生图3.0 人像写真)",
    [portrait],
    {
      mode: ["async", "sync"],
      gen_mode: ["creative", "reference", "reference_char"],
      width: { min: 512, max: 2048 },
      height: { min: 512, max: 2048 },
    },
    [doc("86081/1804546"), doc("85128/1602212")],
    {
      note: "Corroborated by at least five independent codebases citing both pages (vendor-updates §4); used async and through CVProcess. The image is documented as a URL (image_input); local files go as binary_data_base64 (UNVERIFIED).",
    },
  ),
  active(
    "jimeng_realman_avatar_picture_create_role_omni_v15",
    "OmniHuman 1.5 step 1: subject recognition (image_url)",
    [raw],
    { mode: ["submit_task"] },
    [doc("85621/1798351"), SDK_ACTIONS],
    {
      note: "CVSubmitTask + CVGetResult (vendor-updates §4, 3P x5); the answer is resp_data, a JSON verdict ({status: 1} = a subject was found), not a file.",
    },
  ),
  active(
    "jimeng_realman_avatar_object_detection",
    "OmniHuman 1.5 optional subject detection (synchronous)",
    [raw],
    { mode: ["sync"] },
    [doc("85621/1798351")],
    {
      note: "CVProcess, for pictures with several candidate subjects (3P).",
    },
  ),
  active(
    "jimeng_realman_avatar_picture_omni_v15",
    "OmniHuman 1.5 step 2: talking video from image_url + audio_url",
    [raw],
    { mode: ["submit_task"] },
    [doc("85621/1798351"), SDK_ACTIONS],
    { note: "Third-party code submits it with CVSubmitTask and polls CVGetResult (video_url, valid 1 h); audio under 60 s." },
  ),
  active("jimeng_dream_actor_m1_gen_video_cv", "Action imitation 1.0 (image_url + video_url)", [raw], ASYNC, [doc("85621/1798351")]),
  active(
    "jimeng_dreamactor_m20_gen_video",
    "Action imitation 2.0 (several people, non-human subjects)",
    [raw],
    ASYNC,
    [doc("85621/1798351")],
    {
      note: "Third-party sources only (vendor-updates §4).",
    },
  ),
];

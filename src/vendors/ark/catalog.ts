/**
 * What aigc-mcp knows about Ark's Seedream and Seedance models, as data with sources (see
 * src/vendors/kit/catalog.ts). Ark decides what it accepts: these capabilities advise, explain
 * refusals and document the models; only a `retired` status refuses a call, before any network call.
 * Capability keys are the tool arguments they constrain. Each source's URL pins the snapshot read
 * (a commit where there is one); its date is when the facts were read from it (the 2026-11 vendor
 * audit, vendor-updates-2026-11.md §2 and §9). Evidence without a public URL is named in `note`.
 */
import type { Capabilities, CatalogModel, Source } from "../kit/catalog.js";
import { SEEDANCE_PRICES } from "./pricing.js";

/** The endpoint families the tools call (the catalog's `endpoints`). */
export const ENDPOINTS = { image: "seedream", video: "seedance" } as const;

/** Built-in defaults; ARK_IMAGE_MODEL / ARK_VIDEO_MODEL override them (see config.ts for how groups are routed). */
export const DEFAULT_MODELS = {
  image: "doubao-seedream-5-0-pro-260628",
  /** The default for image groups (max_images > 1): Seedream 5.0 Pro makes single images only. */
  imageGroup: "doubao-seedream-4-0-20260415",
  video: "doubao-seedance-2-0-260128",
} as const;

/** When the 2026-11 audit read the sources below. */
const READ = "2026-11-30";
const S = {
  arkGo: { url: "https://github.com/volcengine/volcengine-go-sdk/tree/cf20b61b/service/arkruntime/model", date: READ },
  arkPy: { url: "https://github.com/volcengine/volcengine-python-sdk/tree/b5be43b5/volcenginesdkarkruntime", date: READ },
  comfy: { url: "https://github.com/Comfy-Org/ComfyUI/blob/372f645d/comfy_api_nodes/nodes_bytedance.py", date: READ },
  openMontage: { url: "https://github.com/calesthio/OpenMontage/blob/cd9f3c1f/tools/video/seedance_ark.py", date: READ },
  skyengine: { url: "https://docs-model.skyengine.com.cn/api-reference/examples/videos/doubao-seedance.md", date: READ },
  oxenDraft: { url: "https://docs.oxen.ai/inference-api/reference/models/walkthroughs/seedance_2_5_draft_mode.md", date: READ },
  docImage: { url: "https://www.volcengine.com/docs/82379/1541523", date: READ },
  docVideo: { url: "https://www.volcengine.com/docs/82379/1520758", date: READ },
  comet121: { url: "https://github.com/orgs/cometapi-dev/discussions/121", date: READ },
  comet140: { url: "https://github.com/orgs/cometapi-dev/discussions/140", date: READ },
  comet152: { url: "https://github.com/orgs/cometapi-dev/discussions/152", date: READ },
} satisfies Record<string, Source>;

/** The 2026-11-24 evidence, named where no public URL exists. */
const BATCH_10 =
  'Shut down 2026-11-24 14:00 (Beijing) in Ark retirement batch 10 ("方舟第十批下线"), per a production app\'s retirement table (GitHub code index 70350834062, 2026-10-07; not public); CometAPI #152 dates the same batch. No official Volcengine notice was found.';
const BYTEPLUS_GONE =
  "BytePlus deactivated it on 2026-05-13 (litegen catalog test, 2026-09-11); its Volcengine status is unverified, so it is marked retiring (calls still reach Ark) rather than retired.";

const SEEDREAM: CatalogModel[] = [
  {
    id: DEFAULT_MODELS.image,
    label: "Seedream 5.0 Pro",
    aliases: ["seedream-5-0-pro-260628"],
    endpoints: [ENDPOINTS.image],
    status: "active",
    capabilities: {
      images: 10,
      max_images: { min: 1, max: 1 },
      size: ["1K", "2K"],
      prompt_optimization: ["standard", "fast"],
      thinking: ["auto", "enabled", "disabled"],
      output_format: ["png", "jpeg"],
    },
    sources: [S.comfy, S.arkGo],
    note: "Single images only (ComfyUI omits sequential_image_generation for it). Sizes 1K/2K or WIDTHxHEIGHT of about 0.92-4.62 MP. Reference images: 10 per ComfyUI. thinking can only be disabled without reference images (ComfyUI).",
  },
  {
    id: "doubao-seedream-5-0-flash-260915",
    label: "Seedream 5.0 Flash",
    aliases: ["seedream-5-0-flash-260915"],
    endpoints: [ENDPOINTS.image],
    status: "active",
    capabilities: { images: 10, max_images: { min: 1, max: 1 }, thinking: false, output_format: ["png", "jpeg"] },
    sources: [S.comfy],
    note: "No thinking and no groups. ComfyUI applies 5.0 Pro's pixel range (0.92-4.62 MP); its size tiers are not documented.",
  },
  {
    id: DEFAULT_MODELS.imageGroup,
    label: "Seedream 4.0 (2026-04-15)",
    endpoints: [ENDPOINTS.image],
    status: "active",
    capabilities: {
      images: 14,
      max_images: { min: 1, max: 15 },
      size: ["1K", "2K", "4K"],
      prompt_optimization: ["standard", "fast"],
      thinking: ["auto", "enabled", "disabled"],
      output_format: false,
    },
    sources: [S.docImage, S.comfy],
    note: 'Replaces doubao-seedream-4-0-250828. Tiers 1K/2K/4K (lowercase 1k/2k/4k reported accepted) or WIDTHxHEIGHT of 1280x720 to 4096x4096 px in total; "adaptive" is refused. Reference images: 14 in Ark\'s 4.x guide, 10 in ComfyUI: the permissive 14 is taken. ComfyUI sends thinking to 4.x as well. 4.x returns JPEG: output_format is documented for 5.x only.',
  },
  {
    id: "doubao-seedream-4-0-250828",
    label: "Seedream 4.0 (2025-08-28)",
    endpoints: [ENDPOINTS.image],
    status: "retiring",
    successor: DEFAULT_MODELS.imageGroup,
    capabilities: { images: 14, max_images: { min: 1, max: 15 }, size: ["1K", "2K", "4K"], prompt_optimization: ["standard", "fast"] },
    sources: [S.docImage, S.comet121],
    note: "Replaced by doubao-seedream-4-0-20260415: CometAPI switched it on 2026-07-23 and a production app maps it to the new version. No dated Ark retirement was found, so it is retiring, not retired.",
  },
  {
    id: "doubao-seedream-4-5-251128",
    label: "Seedream 4.5",
    endpoints: [ENDPOINTS.image],
    status: "retired",
    statusDate: "2026-11-24",
    successor: DEFAULT_MODELS.image,
    capabilities: { images: 14, max_images: { min: 1, max: 15 }, size: ["2K", "4K"], prompt_optimization: ["standard"] },
    sources: [S.docImage, S.comet152],
    note: `${BATCH_10} For image groups use doubao-seedream-4-0-20260415.`,
  },
  {
    id: "doubao-seedream-5-0-260128",
    label: "Seedream 5.0 Lite",
    aliases: ["doubao-seedream-5-0-lite-260128"],
    endpoints: [ENDPOINTS.image],
    status: "retired",
    statusDate: "2026-11-24",
    successor: DEFAULT_MODELS.imageGroup,
    capabilities: { images: 14, max_images: { min: 1, max: 15 }, size: ["2K", "3K", "4K"], output_format: ["png", "jpeg"] },
    sources: [S.comet152, S.comfy],
    note: `${BATCH_10} Sizes: two sources say 2K/3K, one also 4K: the permissive reading (4K too) is taken; minimum 3.68 MP.`,
  },
  {
    id: "doubao-seedream-3-0-t2i-250415",
    label: "Seedream 3.0 text-to-image",
    endpoints: [ENDPOINTS.image],
    status: "retiring",
    successor: DEFAULT_MODELS.image,
    capabilities: { images: 0, max_images: { min: 1, max: 1 } },
    sources: [S.arkPy],
    note: `${BYTEPLUS_GONE} WIDTHxHEIGHT only, 512x512 to 2048x2048.`,
  },
  {
    id: "doubao-seededit-3-0-i2i-250628",
    label: "SeedEdit 3.0",
    endpoints: [ENDPOINTS.image],
    status: "retiring",
    successor: DEFAULT_MODELS.image,
    capabilities: { images: 1, max_images: { min: 1, max: 1 }, size: ["adaptive"] },
    sources: [S.arkPy],
    note: `Listed with Seedream 3.0 text-to-image as likely retired. ${BYTEPLUS_GONE}`,
  },
];

/** What every Seedance 2.0-series model shares (2.0, Fast, Mini). */
const SEEDANCE_2_0 = {
  duration: { min: 4, max: 15 },
  reference_images: 9,
  reference_videos: 3,
  reference_audios: 3,
  generate_audio: true,
  draft: false,
  draft_task_id: false,
  camera_fixed: false,
  service_tier: ["default"],
} satisfies Capabilities;
const SEEDANCE_2_0_NOTE =
  'camera_fixed and service_tier "flex" are unsupported on the 2.0 series per a 3P capability table and the seed plugin; that table also lists seed as unsupported, but ComfyUI sends seed to every 2.x model: the permissive reading (seed allowed) is taken. duration -1 lets the model decide.';

const SEEDANCE: CatalogModel[] = [
  {
    id: "doubao-seedance-2-5-260628",
    label: "Seedance 2.5",
    aliases: ["dreamina-seedance-2-5-260628", "doubao-seedance-2-5"],
    endpoints: [ENDPOINTS.video],
    status: "active",
    capabilities: {
      duration: { min: 4, max: 30 },
      resolution: ["480p", "720p", "1080p"],
      reference_images: 30,
      reference_videos: 10,
      reference_audios: 10,
      generate_audio: true,
      draft: true,
      output_format: ["mp4", "mov"],
    },
    sources: [S.openMontage, S.comfy, S.oxenDraft, S.arkGo],
    note: "Released 2026-06-23. Draft previews (480p) are 2.5 only, rendered in full with draft_task_id. Resolution: OpenMontage lists 480p/720p (1080p for a draft's final render), ComfyUI offers 1080p on every call: the permissive reading is taken. duration -1 lets the model decide.",
  },
  {
    id: DEFAULT_MODELS.video,
    label: "Seedance 2.0",
    aliases: ["dreamina-seedance-2-0-260128", "doubao-seedance-2-0"],
    endpoints: [ENDPOINTS.video],
    status: "active",
    capabilities: { ...SEEDANCE_2_0, resolution: ["480p", "720p", "1080p", "4k"], output_format: ["mp4"] },
    price: SEEDANCE_PRICES[DEFAULT_MODELS.video],
    sources: [S.openMontage, S.comfy, S.skyengine],
    note: `1080p and 4k per OpenMontage and ComfyUI (four sources agree). ${SEEDANCE_2_0_NOTE}`,
  },
  {
    id: "doubao-seedance-2-0-fast-260128",
    label: "Seedance 2.0 Fast",
    aliases: ["dreamina-seedance-2-0-fast-260128"],
    endpoints: [ENDPOINTS.video],
    status: "active",
    capabilities: { ...SEEDANCE_2_0, resolution: ["480p", "720p"], output_format: ["mp4"] },
    price: SEEDANCE_PRICES["doubao-seedance-2-0-fast-260128"],
    sources: [S.openMontage, S.comfy],
    note: SEEDANCE_2_0_NOTE,
  },
  {
    id: "doubao-seedance-2-0-mini-260615",
    label: "Seedance 2.0 Mini",
    aliases: ["dreamina-seedance-2-0-mini"],
    endpoints: [ENDPOINTS.video],
    status: "active",
    capabilities: { ...SEEDANCE_2_0, resolution: ["480p", "720p"], output_format: ["mp4"] },
    price: SEEDANCE_PRICES["doubao-seedance-2-0-mini-260615"],
    sources: [S.openMontage, S.comfy],
    note: `The cheapest current model. A production app reports reference videos work on it (2.0-series counts assumed). ${SEEDANCE_2_0_NOTE}`,
  },
  {
    id: "doubao-seedance-1-5-pro-251215",
    label: "Seedance 1.5 Pro",
    endpoints: [ENDPOINTS.video],
    status: "retired",
    statusDate: "2026-11-11",
    successor: DEFAULT_MODELS.video,
    capabilities: {
      duration: { min: 4, max: 12 },
      resolution: ["480p", "720p", "1080p"],
      reference_images: 0,
      generate_audio: true,
      draft: true,
    },
    sources: [S.comet140, S.docVideo],
    note: 'Shut down 2026-11-11 17:00 (UTC+8) "due to its retirement by Volcano Engine" (CometAPI #140). For draft previews move to doubao-seedance-2-5-260628.',
  },
  {
    id: "doubao-seedance-1-0-pro-250528",
    label: "Seedance 1.0 Pro",
    endpoints: [ENDPOINTS.video],
    status: "retired",
    statusDate: "2026-11-24",
    successor: DEFAULT_MODELS.video,
    capabilities: { duration: { min: 2, max: 12 }, resolution: ["480p", "720p", "1080p"], reference_images: 0, generate_audio: false },
    sources: [S.docVideo, S.comet121],
    note: BATCH_10,
  },
  {
    id: "doubao-seedance-1-0-pro-fast-251015",
    label: "Seedance 1.0 Pro Fast",
    endpoints: [ENDPOINTS.video],
    status: "retired",
    statusDate: "2026-11-24",
    successor: "doubao-seedance-2-0-fast-260128",
    capabilities: {
      duration: { min: 2, max: 12 },
      resolution: ["480p", "720p", "1080p"],
      last_frame: false,
      reference_images: 0,
      generate_audio: false,
    },
    sources: [S.docVideo],
    note: BATCH_10,
  },
  {
    id: "doubao-seedance-1-0-lite-t2v-250428",
    label: "Seedance 1.0 Lite (text)",
    endpoints: [ENDPOINTS.video],
    status: "retiring",
    successor: "doubao-seedance-2-0-mini-260615",
    capabilities: { duration: { min: 2, max: 12 }, first_frame: false, last_frame: false, reference_images: 0, generate_audio: false },
    sources: [S.docVideo],
    note: `${BYTEPLUS_GONE} Successor chosen by aigc-mcp: the cheapest current model.`,
  },
  {
    id: "doubao-seedance-1-0-lite-i2v-250428",
    label: "Seedance 1.0 Lite (image)",
    endpoints: [ENDPOINTS.video],
    status: "retiring",
    successor: "doubao-seedance-2-0-mini-260615",
    capabilities: {
      duration: { min: 2, max: 12 },
      reference_images: 4,
      reference_videos: 0,
      reference_audios: 0,
      generate_audio: false,
    },
    sources: [S.docVideo],
    note: `Needs first_frame or reference images. ${BYTEPLUS_GONE} Successor chosen by aigc-mcp: the cheapest current model.`,
  },
];

export const MODELS: readonly CatalogModel[] = [...SEEDREAM, ...SEEDANCE];

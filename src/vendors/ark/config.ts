import { z } from "zod";
import { envValue, zUrl, type Env, type EnvVar } from "../../config.js";
import { DEFAULT_MODELS } from "./catalog.js";

/** The vendor id: folder names, plugin id and the vendor part of job ids (never renamed: job ids carry it). */
export const VENDOR_ID = "ark";

export const ARK_DEFAULT_BASE_URL = "https://ark.cn-beijing.volces.com/api/v3";

export const ARK_ENV: EnvVar[] = [
  {
    name: "ARK_API_KEY",
    description: "Ark API key. Its presence enables `seedream_generate_image` and `seedance_generate_video`.",
    secret: true,
  },
  {
    name: "ARK_BASE_URL",
    description:
      "Ark endpoint. For BytePlus (international) use `https://ark.ap-southeast.bytepluses.com/api/v3`: keys only work in their own region.",
    default: ARK_DEFAULT_BASE_URL,
  },
  {
    name: "ARK_IMAGE_MODEL",
    description: `Default Seedream model (model id or \`ep-…\` endpoint id). Unset, image groups (\`max_images\` > 1) use \`${DEFAULT_MODELS.imageGroup}\`, since the default makes single images only; set, it is used for every call without \`model\`.`,
    default: DEFAULT_MODELS.image,
  },
  { name: "ARK_VIDEO_MODEL", description: "Default Seedance model (model id or `ep-…` endpoint id).", default: DEFAULT_MODELS.video },
];

export interface ArkConfig {
  apiKey: string;
  baseUrl: string;
  /** Default model of single-image calls. */
  imageModel: string;
  /** Default model of image-group calls (max_images > 1): ARK_IMAGE_MODEL when set, else the built-in group default. */
  imageGroupModel: string;
  videoModel: string;
}

export function parseArkConfig(env: Env): ArkConfig | undefined {
  const apiKey = envValue(env, "ARK_API_KEY", z.string().min(8, "looks too short to be an Ark API key").optional());
  if (!apiKey) return undefined;
  const imageModel = envValue(env, "ARK_IMAGE_MODEL", z.string().min(1).max(128).optional());
  return {
    apiKey,
    baseUrl: envValue(env, "ARK_BASE_URL", zUrl.optional()) ?? ARK_DEFAULT_BASE_URL,
    imageModel: imageModel ?? DEFAULT_MODELS.image,
    imageGroupModel: imageModel ?? DEFAULT_MODELS.imageGroup,
    videoModel: envValue(env, "ARK_VIDEO_MODEL", z.string().min(1).max(128).optional()) ?? DEFAULT_MODELS.video,
  };
}

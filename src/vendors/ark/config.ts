import { z } from "zod";
import { envValue, zUrl, type Env, type EnvVar } from "../../config.js";

/** The vendor id: folder names, plugin id and the vendor part of job ids (never renamed: job ids carry it). */
export const VENDOR_ID = "ark";

export const ARK_DEFAULT_BASE_URL = "https://ark.cn-beijing.volces.com/api/v3";
export const ARK_DEFAULT_IMAGE_MODEL = "doubao-seedream-4-5-251128";
export const ARK_DEFAULT_VIDEO_MODEL = "doubao-seedance-1-5-pro-251215";

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
  { name: "ARK_IMAGE_MODEL", description: "Default Seedream model (model id or `ep-…` endpoint id).", default: ARK_DEFAULT_IMAGE_MODEL },
  { name: "ARK_VIDEO_MODEL", description: "Default Seedance model (model id or `ep-…` endpoint id).", default: ARK_DEFAULT_VIDEO_MODEL },
];

export interface ArkConfig {
  apiKey: string;
  baseUrl: string;
  imageModel: string;
  videoModel: string;
}

export function parseArkConfig(env: Env): ArkConfig | undefined {
  const apiKey = envValue(env, "ARK_API_KEY", z.string().min(8, "looks too short to be an Ark API key").optional());
  if (!apiKey) return undefined;
  return {
    apiKey,
    baseUrl: envValue(env, "ARK_BASE_URL", zUrl.optional()) ?? ARK_DEFAULT_BASE_URL,
    imageModel: envValue(env, "ARK_IMAGE_MODEL", z.string().min(1).optional()) ?? ARK_DEFAULT_IMAGE_MODEL,
    videoModel: envValue(env, "ARK_VIDEO_MODEL", z.string().min(1).optional()) ?? ARK_DEFAULT_VIDEO_MODEL,
  };
}

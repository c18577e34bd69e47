import { z } from "zod";
import { FAMILY_DEFAULT_MODEL } from "./models.js";
import { ConfigError, envValue, zUrl, type Env, type EnvVar } from "../../config.js";

/** The vendor id: folder names, plugin id and the vendor part of job ids (never renamed: job ids carry it). */
export const VENDOR_ID = "kling";

export const KLING_DEFAULT_BASE_URL = "https://api-beijing.klingai.com";
export const KLING_DEFAULT_VIDEO_MODEL = FAMILY_DEFAULT_MODEL["videos/text2video"];
export const KLING_DEFAULT_IMAGE_MODEL = FAMILY_DEFAULT_MODEL["images/generations"];

export const KLING_ENV: EnvVar[] = [
  {
    name: "KLING_ACCESS_KEY",
    description:
      "Kling access key. With `KLING_SECRET_KEY` it enables the `kling_*` tools (one without the other stops the server with a clear message).",
    secret: true,
  },
  {
    name: "KLING_SECRET_KEY",
    description:
      "Kling secret key. It only signs the short-lived JWT (HS256, `iss` = access key, 30 min, reused until 5 min before expiry) sent as `Authorization: Bearer`; it is never sent itself.",
    secret: true,
  },
  {
    name: "KLING_BASE_URL",
    description:
      "Kling host. Keys are bound to a region: keys from the global console (klingai.com) need `https://api-singapore.klingai.com`, keys from the China console (klingai.kuaishou.com) the Beijing host.",
    default: KLING_DEFAULT_BASE_URL,
  },
  {
    name: "KLING_VIDEO_MODEL",
    description: "Default model of `kling_text_to_video` and `kling_image_to_video`.",
    default: KLING_DEFAULT_VIDEO_MODEL,
  },
  { name: "KLING_IMAGE_MODEL", description: "Default model of `kling_generate_image`.", default: KLING_DEFAULT_IMAGE_MODEL },
];

export interface KlingConfig {
  accessKey: string;
  secretKey: string;
  baseUrl: string;
  videoModel: string;
  imageModel: string;
}

export function parseKlingConfig(env: Env): KlingConfig | undefined {
  const key = z.string().min(8, "looks too short to be a Kling key").optional();
  const accessKey = envValue(env, "KLING_ACCESS_KEY", key);
  const secretKey = envValue(env, "KLING_SECRET_KEY", key);
  if (!accessKey && !secretKey) return undefined;
  if (!accessKey || !secretKey) {
    const missing = accessKey ? "KLING_SECRET_KEY" : "KLING_ACCESS_KEY";
    throw new ConfigError(missing, "is missing: Kling needs both KLING_ACCESS_KEY and KLING_SECRET_KEY");
  }
  return {
    accessKey,
    secretKey,
    baseUrl: envValue(env, "KLING_BASE_URL", zUrl.optional()) ?? KLING_DEFAULT_BASE_URL,
    videoModel: envValue(env, "KLING_VIDEO_MODEL", z.string().min(1).optional()) ?? KLING_DEFAULT_VIDEO_MODEL,
    imageModel: envValue(env, "KLING_IMAGE_MODEL", z.string().min(1).optional()) ?? KLING_DEFAULT_IMAGE_MODEL,
  };
}

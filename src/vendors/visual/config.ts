import { z } from "zod";
import { envValue, zUrl, type Env, type EnvVar } from "../../config.js";
import { DEFAULT_MODELS } from "./catalog.js";

/** The vendor id: folder names, plugin id and the vendor part of job ids (never renamed: job ids carry it). */
export const VENDOR_ID = "visual";

export const VISUAL_DEFAULT_BASE_URL = "https://visual.volcengineapi.com";
export const VISUAL_REGION = "cn-north-1";
export const VISUAL_SERVICE = "cv";
/** req_key of the portrait ("人像写真") API, the default of jimeng_portrait_photo. */
export const VISUAL_DEFAULT_PORTRAIT_REQ_KEY: string = DEFAULT_MODELS.portrait;

export const VISUAL_ENV: EnvVar[] = [
  {
    name: "VOLC_ACCESSKEY",
    description:
      "Volcengine access key id (the name Volcengine's SDKs read). With `VOLC_SECRETKEY` it enables `jimeng_generate_image`, `jimeng_generate_video`, `jimeng_portrait_photo` and `volc_visual_call`.",
    secret: true,
  },
  {
    name: "VOLC_SECRETKEY",
    description: `Volcengine secret key. Requests are signed locally (HMAC-SHA256 "V4", region \`${VISUAL_REGION}\`, service \`${VISUAL_SERVICE}\`); the key itself is never sent.`,
    secret: true,
  },
  {
    name: "VOLC_SESSION_TOKEN",
    description: "STS session token for temporary credentials; sent as `X-Security-Token` and signed.",
    secret: true,
  },
  { name: "VOLC_VISUAL_BASE_URL", description: "Visual API endpoint.", default: VISUAL_DEFAULT_BASE_URL },
  {
    name: "VOLC_PORTRAIT_REQ_KEY",
    description:
      "Default req_key of `jimeng_portrait_photo` (the portrait 人像写真 API, Volcengine docs 86081/1804546); its `model` argument overrides it per call.",
    default: VISUAL_DEFAULT_PORTRAIT_REQ_KEY,
  },
];

export interface VisualConfig {
  accessKeyId: string;
  secretKey: string;
  sessionToken?: string;
  baseUrl: string;
  region: string;
  service: string;
  portraitReqKey: string;
}

const REQ_KEY = z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, `must be a req_key such as ${DEFAULT_MODELS.portrait}`);

export function parseVisualConfig(env: Env): VisualConfig | undefined {
  const accessKeyId = envValue(env, "VOLC_ACCESSKEY", z.string().min(8, "looks too short to be a Volcengine access key id").optional());
  const secretKey = envValue(env, "VOLC_SECRETKEY", z.string().min(8, "looks too short to be a Volcengine secret key").optional());
  if (!accessKeyId || !secretKey) return undefined;
  return {
    accessKeyId,
    secretKey,
    sessionToken: envValue(env, "VOLC_SESSION_TOKEN", z.string().min(1).optional()),
    baseUrl: (envValue(env, "VOLC_VISUAL_BASE_URL", zUrl.optional()) ?? VISUAL_DEFAULT_BASE_URL).replace(/\/+$/, ""),
    region: VISUAL_REGION,
    service: VISUAL_SERVICE,
    portraitReqKey: envValue(env, "VOLC_PORTRAIT_REQ_KEY", REQ_KEY.optional()) ?? VISUAL_DEFAULT_PORTRAIT_REQ_KEY,
  };
}

import { z } from "zod";
import { DEFAULT_MODELS } from "./catalog.js";
import { ConfigError, envValue, zUrl, type Env, type EnvVar } from "../../config.js";
import { CURRENCIES, type Currency } from "../kit/price.js";

/** The vendor id: folder names, plugin id and the vendor part of job ids (never renamed: job ids carry it). */
export const VENDOR_ID = "kling";

export const KLING_DEFAULT_BASE_URL = "https://api-beijing.klingai.com";

export const KLING_ENV: EnvVar[] = [
  {
    name: "KLING_API_KEY",
    description:
      "Kling API key (console: API Keys), sent as `Authorization: Bearer`. Enables the `kling_*` tools, works on every endpoint and is the only credential Kling 3.0 Turbo takes; used instead of the AK/SK pair when both are set.",
    secret: true,
  },
  {
    name: "KLING_ACCESS_KEY",
    description:
      "Kling access key (legacy credential). With `KLING_SECRET_KEY` it enables the `kling_*` tools on the legacy endpoints; Kling 3.0 Turbo and the other new-standard models need `KLING_API_KEY`.",
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
    description: "Default model of `kling_text_to_video` and `kling_image_to_video` (`list_models` shows the others).",
    default: DEFAULT_MODELS.video,
  },
  { name: "KLING_IMAGE_MODEL", description: "Default model of `kling_generate_image`.", default: DEFAULT_MODELS.image },
  {
    name: "KLING_BILLING_CURRENCY",
    description:
      "`CNY` or `USD`: the currency Kling bills your account in, for cost estimates and the charge each task reports. Default: from `KLING_BASE_URL`, `USD` for api-singapore, `CNY` for any other host (api-beijing).",
  },
];

export interface KlingConfig {
  /** Console API key: every endpoint, and the only credential of the new API standard. */
  apiKey?: string;
  /** AK/SK pair: legacy endpoints only (signs a JWT). */
  accessKey?: string;
  secretKey?: string;
  baseUrl: string;
  videoModel: string;
  imageModel: string;
  /** The account's billing currency (KLING_BILLING_CURRENCY, else the host's region); absent in hand-made configs. */
  billingCurrency?: Currency;
}

/** The region's currency: the global host (api-singapore) bills in USD, the China host (api-beijing) and any other in CNY. */
export function regionCurrency(baseUrl: string): Currency {
  return /(^|\.)api-singapore\.klingai\.com$/.test(new URL(baseUrl).hostname) ? "USD" : "CNY";
}

/** Undefined when no Kling credential is set; ConfigError for half an AK/SK pair or a bad value. */
export function parseKlingConfig(env: Env): KlingConfig | undefined {
  const key = z.string().min(8, "looks too short to be a Kling key").optional();
  const apiKey = envValue(env, "KLING_API_KEY", key);
  const accessKey = envValue(env, "KLING_ACCESS_KEY", key);
  const secretKey = envValue(env, "KLING_SECRET_KEY", key);
  if (!apiKey && !accessKey && !secretKey) return undefined;
  if (Boolean(accessKey) !== Boolean(secretKey)) {
    const missing = accessKey ? "KLING_SECRET_KEY" : "KLING_ACCESS_KEY";
    throw new ConfigError(
      missing,
      "is missing: an AK/SK pair needs both KLING_ACCESS_KEY and KLING_SECRET_KEY (or set only KLING_API_KEY)",
    );
  }
  const baseUrl = envValue(env, "KLING_BASE_URL", zUrl.optional()) ?? KLING_DEFAULT_BASE_URL;
  return {
    ...(apiKey ? { apiKey } : {}),
    ...(accessKey && secretKey ? { accessKey, secretKey } : {}),
    baseUrl,
    billingCurrency: envValue(env, "KLING_BILLING_CURRENCY", z.enum(CURRENCIES).optional()) ?? regionCurrency(baseUrl),
    videoModel: envValue(env, "KLING_VIDEO_MODEL", z.string().min(1).max(128).optional()) ?? DEFAULT_MODELS.video,
    imageModel: envValue(env, "KLING_IMAGE_MODEL", z.string().min(1).max(128).optional()) ?? DEFAULT_MODELS.image,
  };
}

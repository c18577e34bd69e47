import { z } from "zod";
import { ConfigError, envValue, zInt, zUrl, type Env, type EnvVar } from "../../config.js";

/** The vendor id: folder names, plugin id and the vendor part of job ids (never renamed: job ids carry it). */
export const VENDOR_ID = "animo";

export const ANIMO_MODES = ["sync", "async"] as const;
export type AnimoMode = (typeof ANIMO_MODES)[number];

/** Path of the documented animo.video asynchronous API, appended to ANIMO_ENDPOINT in async mode. */
export const ANIMO_ASYNC_SUBMIT_PATH = "/v1/video/generation";
/** The self-hostable server's list of engines and models (async mode's API base). */
export const ANIMO_MODELS_PATH = "/v1/models";
export const ANIMO_DEFAULT_TIMEOUT_S = 600;

const zName = z
  .string()
  .trim()
  .max(128, "must be at most 128 characters")
  .regex(/^[^\s]+$/, "must be one id without spaces");

export const ANIMO_ENV: EnvVar[] = [
  {
    name: "ANIMO_API_KEY",
    description:
      "Animo API key (sent as `Authorization: Bearer`; keys at https://animo.video/dev). With `ANIMO_ENDPOINT` it enables `animo_generate_video`.",
    secret: true,
  },
  {
    name: "ANIMO_ENDPOINT",
    description: `Required with \`ANIMO_API_KEY\` (no default; one without the other stops the server). sync mode: the full URL that answers a JSON POST with the MP4 itself. async mode: the API base, e.g. \`https://api.animo.video\` (\`${ANIMO_ASYNC_SUBMIT_PATH}\` is appended; the full submit URL also works).`,
  },
  {
    name: "ANIMO_MODE",
    description: `\`sync\`: one POST \`{prompt, duration, style, resolution}\` answered by the video itself (the original Dify plugin's). \`async\`: the animo.video API: \`POST ${ANIMO_ASYNC_SUBMIT_PATH}\` \`{prompt, aspect_ratio?, engine?, model?}\` → \`requestId\`, polled every 5 s until \`COMPLETED\`; \`videoUrl\` is downloaded.`,
    default: "sync",
  },
  {
    name: "ANIMO_ENGINE",
    description:
      "async mode only: the LLM engine that writes the animation (e.g. `openai`, `anthropic`), sent as `engine`. Set `ANIMO_MODEL` with it: the self-hostable server's code falls back to its OpenAI model when none is named. Unset: no `engine` is sent. `list_models` with `live: true` shows the engines.",
  },
  {
    name: "ANIMO_MODEL",
    description:
      "async mode only: the engine's model id, sent as `model`. Unset: no `model` is sent and the server picks the engine's recommended model (aigc-mcp pins none). `list_models` with `live: true` shows the server's models.",
  },
  {
    name: "ANIMO_TIMEOUT_S",
    description:
      "Timeout for one Animo request: to the response headers and between body chunks. A sync render sends nothing until it is done, so keep it above your longest render. Independent of `wait_seconds`: the caller gets a `job_id` long before this runs out.",
    default: String(ANIMO_DEFAULT_TIMEOUT_S),
  },
];

export interface AnimoConfig {
  apiKey: string;
  /** sync: the generation URL; async: the API base (no trailing slash, no /v1/video/generation). */
  endpoint: string;
  mode: AnimoMode;
  /** async: sent as `engine` / `model` only when configured (the server's defaults otherwise). */
  engine?: string;
  model?: string;
  timeoutMs: number;
}

/** Returns undefined when Animo is not configured at all; a half configuration is an error. */
export function parseAnimoConfig(env: Env): AnimoConfig | undefined {
  const apiKey = envValue(env, "ANIMO_API_KEY", z.string().min(8, "looks too short to be an Animo API key").optional());
  const endpoint = envValue(env, "ANIMO_ENDPOINT", zUrl.optional());
  if (!apiKey && !endpoint) return undefined;
  if (!apiKey) throw new ConfigError("ANIMO_API_KEY", "is required when ANIMO_ENDPOINT is set");
  if (!endpoint)
    throw new ConfigError(
      "ANIMO_ENDPOINT",
      "is required with ANIMO_API_KEY: Animo has no default endpoint; set the URL of your Animo video generation API",
    );
  const mode = envValue(env, "ANIMO_MODE", z.enum(ANIMO_MODES, "must be sync or async").optional()) ?? "sync";
  const timeoutS = envValue(env, "ANIMO_TIMEOUT_S", zInt(1, 3600).optional()) ?? ANIMO_DEFAULT_TIMEOUT_S;
  const engine = envValue(env, "ANIMO_ENGINE", zName.optional());
  const model = envValue(env, "ANIMO_MODEL", zName.optional());
  if (mode === "sync" && (engine || model)) {
    // The sync endpoint's contract has no engine or model: refusing beats silently ignoring them.
    throw new ConfigError(
      engine ? "ANIMO_ENGINE" : "ANIMO_MODEL",
      "applies only with ANIMO_MODE=async (the sync endpoint takes no engine or model)",
    );
  }
  // In async mode accept the submit URL itself as well as the base it hangs off.
  const base =
    mode === "async" && endpoint.endsWith(ANIMO_ASYNC_SUBMIT_PATH) ? endpoint.slice(0, -ANIMO_ASYNC_SUBMIT_PATH.length) : endpoint;
  return { apiKey, endpoint: base, mode, ...(engine ? { engine } : {}), ...(model ? { model } : {}), timeoutMs: timeoutS * 1000 };
}

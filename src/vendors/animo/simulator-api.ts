/**
 * The Animo simulator's asynchronous API (see simulator.ts): the self-hostable server's engine
 * and model registry, `GET /v1/models`, and its checks of a `POST /v1/video/generation` body
 * (api/public/openapi.yaml 2026-05-23, api/validation.py and api/routes/video_generation.py
 * 2026-07-21). Written from the vendor's code, never from aigc-mcp's adapter or configuration.
 */
import type { SimReply } from "../../sandbox/sim-server.js";

/**
 * The async request's documented fields (VideoGenerationRequest). Any other field is refused here,
 * stricter than the server (which ignores it), so that a drifting adapter shows in the tests.
 */
const ASYNC_FIELDS = new Set(["prompt", "engine", "model", "aspect_ratio", "user_id", "project_name", "iteration"]);
const ASPECT_RATIOS = ["1:1", "16:9", "9:16"];

/** One engine of the server's registry. `anyModel`: the engine takes any model string (LiteLLM). */
export interface AnimoSimEngine {
  configured: boolean;
  default: string;
  models: string[];
  anyModel?: boolean;
  note?: string;
}

/** The self-hostable server's engines and models (api/routes/models.py, 2026-07-21). */
export function defaultEngines(): Record<string, AnimoSimEngine> {
  return {
    openai: { configured: true, default: "gpt-5.6-terra", models: ["gpt-5.6-sol", "gpt-5.6-terra", "gpt-5.6-luna", "gpt-4o", "o1-mini"] },
    anthropic: {
      configured: true,
      default: "claude-sonnet-5",
      models: [
        "claude-fable-5",
        "claude-opus-4-8",
        "claude-sonnet-5",
        "claude-sonnet-4-6",
        "claude-opus-4-7",
        "claude-haiku-4-5-20251001",
        "claude-3-5-sonnet-20241022",
      ],
    },
    gemini: { configured: false, default: "gemini-2.5-flash", models: ["gemini-2.5-flash", "gemini-2.5-pro"] },
    featherless: {
      configured: false,
      default: "Qwen/Qwen2.5-Coder-7B-Instruct",
      models: [
        "Qwen/Qwen2.5-Coder-7B-Instruct",
        "Qwen/Qwen2.5-Coder-32B-Instruct",
        "deepseek-ai/DeepSeek-Coder-V2-Lite-Instruct",
        "meta-llama/CodeLlama-7b-Instruct-hf",
      ],
    },
    litellm: {
      configured: false,
      default: "openai/gpt-4o",
      models: [],
      anyModel: true,
      note: "Accepts any model string supported by LiteLLM (e.g. openai/gpt-4o, anthropic/claude-sonnet-4-6).",
    },
  };
}

/** The server's error body: `{"error"}`, with `code` when it gives one. */
export function simError(status: number, code: string | undefined, message: string): SimReply {
  return { status, body: { error: message, ...(code ? { code } : {}) } };
}

/** Frame sizes rendered for each aspect ratio (the server's 16:9 default is 1280x720 here). */
export const ASPECT_DIMS: Record<string, string> = { "16:9": "1280x720", "9:16": "720x1280", "1:1": "720x720" };

/** `GET /v1/models`: every engine with its key status, default and models. */
export function modelsReply(engines: Record<string, AnimoSimEngine>): SimReply {
  const list = Object.entries(engines).map(([engine, e]) => ({
    engine,
    configured: e.configured,
    default: e.default,
    models: e.models.map((id) => ({ id, description: id })),
    ...(e.note ? { note: e.note } : {}),
  }));
  return { status: 200, body: { engines: list } };
}

export interface AcceptedSubmit {
  prompt: string;
  body: Record<string, unknown>;
  aspect: string;
  /** The engine and model the server uses (its defaults when the request names none). */
  engine: string;
  model: string;
}

/**
 * A generation body as the server checks it, or its refusal: prompt required; aspect_ratio one of
 * the three; engine one of its engines; a model its LLM does not know (or an engine it holds no
 * key for) fails code generation with 500 `code_generation_failed`.
 */
export function readSubmit(json: unknown, engines: Record<string, AnimoSimEngine>): AcceptedSubmit | SimReply {
  const b = json;
  if (!b || typeof b !== "object" || Array.isArray(b)) return simError(400, undefined, "Request body must be a JSON object");
  const body = b as Record<string, unknown>;
  const prompt = body.prompt;
  if (prompt === undefined) return simError(400, undefined, "'prompt' is required");
  if (typeof prompt !== "string") return simError(400, undefined, "'prompt' must be a string");
  if (!prompt.trim()) return simError(400, undefined, "'prompt' must not be empty");
  const unknown = Object.keys(body).find((k) => !ASYNC_FIELDS.has(k));
  if (unknown) return simError(400, undefined, `Unknown parameter: '${unknown}'`);
  const aspect = body.aspect_ratio ?? "16:9";
  if (typeof aspect !== "string" || !ASPECT_RATIOS.includes(aspect))
    return simError(400, undefined, `'aspect_ratio' must be one of: ${ASPECT_RATIOS.join(", ")}`);
  const names = Object.keys(engines);
  if (body.engine !== undefined && (typeof body.engine !== "string" || !names.includes(body.engine)))
    return simError(400, undefined, `'engine' must be one of: ${[...names].sort().join(", ")}`);
  if (body.model !== undefined && (typeof body.model !== "string" || !body.model))
    return simError(400, undefined, "'model' must be a string");
  const model = body.model;
  // The server routes a claude-*/gemini-* model to that provider whatever the engine, else uses the engine (default openai).
  const engineName =
    model?.startsWith("claude-") && "anthropic" in engines
      ? "anthropic"
      : model?.startsWith("gemini-") && "gemini" in engines
        ? "gemini"
        : (body.engine ?? "openai");
  const engine = engines[engineName];
  const used = model ?? engine?.default;
  if (!engine || !engine.configured || !used || !(engine.anyModel || engine.models.includes(used)))
    return simError(500, "code_generation_failed", "Code generation failed");
  return { prompt, body, aspect, engine: engineName, model: used };
}

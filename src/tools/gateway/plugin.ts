/** Alibaba Cloud AI Gateway: chat, embeddings, rerank, speech-to-text and text-to-speech through the customer's OpenAI-compatible gateway. */
import { AigcError } from "../../errors.js";
import { safeUrl } from "../../net/http.js";
import { makeWav } from "../../sandbox/media-fixtures.js";
import { GatewayClient } from "../../vendors/gateway/client.js";
import { GATEWAY } from "../../vendors/gateway/errors.js";
import {
  GATEWAY_ENV,
  GATEWAY_MODEL_VARS,
  GATEWAY_PATHS,
  parseGatewayConfig,
  VENDOR_ID,
  type GatewayCapability,
  type GatewayConfig,
} from "../../vendors/gateway/config.js";
import { Catalog } from "../../vendors/kit/catalog.js";
import { priceBook, withModelsFile } from "../../vendors/kit/models-file.js";
import { catalogPrices } from "../../vendors/kit/price.js";
import { GATEWAY_PRICES } from "../../vendors/gateway/prices.js";
import type { LiveModel, ModelTool, VendorPlugin } from "../plugin.js";
import { gatewayChat } from "./chat.js";
import { gatewayEmbed } from "./embed.js";
import { gatewayRerank } from "./rerank.js";
import { gatewaySpeech } from "./speech.js";
import { gatewayTranscribe } from "./transcribe.js";

/** The key material inside a JWKS as well as the JWKS text itself, so neither can leak. */
function jwtKeySecrets(raw: string | undefined): string[] {
  if (!raw) return [];
  const out = [raw];
  for (const m of raw.matchAll(/"(?:k|d|p|q|dp|dq|qi)"\s*:\s*"([^"]+)"/g)) out.push(m[1]!);
  return out;
}

const TITLE = "Alibaba Cloud AI Gateway";

/** The model ids of an OpenAI-shaped `GET models` answer (`{data: [{id}]}`); DashScope's `{output: {models}}` is read too. */
export function modelIds(data: Record<string, unknown>): LiveModel[] | undefined {
  const output = data.output as { models?: unknown } | undefined;
  const list = Array.isArray(data.data) ? data.data : Array.isArray(output?.models) ? output.models : undefined;
  if (!list) return undefined;
  return list.flatMap((m: unknown) => {
    const id =
      typeof m === "string" ? m : ((m as { id?: unknown; model?: unknown } | null)?.id ?? (m as { model?: unknown } | null)?.model);
    return typeof id === "string" && id ? [{ id }] : [];
  });
}

/** One entry per tool (each takes a model): its path, its default model and variable, and its smallest valid call. */
function modelTools(cfg: GatewayConfig): ModelTool[] {
  const tool = (cap: GatewayCapability, name: string, sample: Record<string, unknown>): ModelTool => ({
    tool: name,
    endpoint: GATEWAY_PATHS[cap],
    ...(cfg.models[cap] ? { default: cfg.models[cap] } : {}),
    variable: GATEWAY_MODEL_VARS[cap],
    sample,
  });
  return [
    tool("chat", "gateway_chat", { prompt: "Say hello." }),
    tool("embed", "gateway_embed", { texts: ["hello"] }),
    tool("rerank", "gateway_rerank", { query: "bird", documents: ["a paper crane", "a bamboo forest"] }),
    // A URL would be downloaded by this server first; a short tone inline works with no network.
    // Made when read, not at every start (~5 ms).
    tool("stt", "gateway_transcribe", {
      get audio() {
        return `data:audio/wav;base64,${makeWav({ seconds: 0.2 }).toString("base64")}`;
      },
    }),
    tool("tts", "gateway_speech", { text: "Hello.", ...(cfg.voice ? {} : { voice: "alloy" }) }),
  ];
}

/** What `check` adds about the gateway's model list: its size, and which default models it does not list. */
function describeLiveList(cfg: GatewayConfig, listed: LiveModel[] | undefined): string {
  if (!listed) return " (its models answer has no model list)";
  const ids = new Set(listed.map((m) => m.id));
  const missing = Object.entries(cfg.models)
    .filter(([, model]) => !ids.has(model))
    .map(([cap, model]) => `${GATEWAY_MODEL_VARS[cap as GatewayCapability]}=${model}`);
  const defaults = Object.values(cfg.models).length;
  const verdict = missing.length
    ? `; not listed there: ${missing.join(", ")} (a Model API may serve more models than it lists)`
    : defaults
      ? "; every default model is listed"
      : "";
  return ` (${listed.length} models listed)${verdict}`;
}

export const gatewayPlugin: VendorPlugin = {
  id: VENDOR_ID,
  title: TITLE,
  name: GATEWAY,
  env: GATEWAY_ENV,
  enableWith: "AI_GATEWAY_BASE_URL with AI_GATEWAY_API_KEY, or with AI_GATEWAY_JWT_KEY and AI_GATEWAY_JWT_UID",
  secrets: (env) => [env.AI_GATEWAY_API_KEY, ...jwtKeySecrets(env.AI_GATEWAY_JWT_KEY)],
  priceEndpoints: Object.values(GATEWAY_PATHS),
  load(env, core, modelsFile) {
    const cfg = parseGatewayConfig(env);
    if (!cfg) return Promise.resolve(undefined);
    const client = new GatewayClient(cfg);
    // No built-in catalog: the customer's gateway decides which models exist. A models file may still describe (or retire) some.
    const catalog = modelsFile?.models[VENDOR_ID]?.length ? withModelsFile(new Catalog(VENDOR_ID, []), modelsFile) : undefined;
    // Model Studio list prices for the models the defaults name; a models file's prices come first, the prices file before both.
    const book = priceBook(VENDOR_ID, [...(catalog ? catalogPrices(catalog) : []), ...GATEWAY_PRICES], modelsFile);
    const live = async (signal: AbortSignal): Promise<LiveModel[]> => {
      const { data } = await client.get("models", { signal });
      const listed = modelIds(data);
      if (!listed)
        throw new AigcError({
          category: "bad_response",
          code: "NoModelList",
          vendor: GATEWAY,
          message: `${safeUrl(client.url("models"))} answered without a model list (no data array)`,
        });
      return listed;
    };
    return Promise.resolve({
      id: VENDOR_ID,
      title: TITLE,
      drivers: [],
      tools: [
        gatewayChat(client, book, catalog),
        gatewayEmbed(client, book, catalog),
        gatewayRerank(client, book, catalog),
        gatewayTranscribe(client, book, catalog),
        gatewaySpeech(client, core, book, catalog),
      ],
      models: { ...(catalog ? { catalog } : {}), tools: modelTools(cfg), live },
      async check(signal) {
        const how = cfg.auth.mode === "key" ? "API key" : `JWT (uid ${cfg.auth.uid}, ${cfg.auth.alg})`;
        try {
          const { data } = await client.get("models", { signal });
          return `${how} accepted by ${safeUrl(cfg.baseUrl)}${describeLiveList(cfg, modelIds(data))}`;
        } catch (err) {
          // Routes are matched before auth: a gateway with no /models route cannot tell us about the credential.
          if (err instanceof AigcError && err.info.httpStatus === 404)
            return `${safeUrl(cfg.baseUrl)} is reachable but does not route /models, so the ${how} is first checked by a real call`;
          throw err;
        }
      },
    });
  },
  simulate: async (opts) => (await import("../../vendors/gateway/simulator.js")).simulate(opts),
  demo: [
    {
      tool: "gateway_chat",
      note: "chat with a JSON Schema (streamed, validated, returned as structuredContent.json)",
      arguments: {
        prompt: "Suggest a title and three tags for a short film about a paper crane.",
        json_schema: {
          name: "film",
          schema: {
            type: "object",
            properties: { title: { type: "string" }, tags: { type: "array", items: { type: "string" }, minItems: 3 } },
            required: ["title", "tags"],
          },
        },
      },
    },
    {
      tool: "gateway_speech",
      note: "text-to-speech, streamed to disk and embedded",
      arguments: { text: "The paper crane took flight over the bamboo forest.", format: "mp3", wait_seconds: 30 },
    },
    {
      tool: "gateway_transcribe",
      note: "speech-to-text of the file the previous call made (its media:// URI)",
      arguments: (previous) => ({ audio: (previous?.assets as Array<{ uri: string }> | undefined)?.[0]?.uri }),
    },
    {
      tool: "gateway_embed",
      note: "embeddings (vectors saved to a JSON file; the result only names it)",
      arguments: { texts: ["paper crane", "bamboo forest"], dimensions: 256 },
    },
    {
      tool: "gateway_rerank",
      note: "rerank documents against a query",
      arguments: {
        query: "origami bird",
        documents: ["How to fold a paper crane bird", "Bamboo grows fast", "Origami animals for beginners"],
        top_n: 2,
      },
    },
  ],
};

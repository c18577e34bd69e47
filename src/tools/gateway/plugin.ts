/** Alibaba Cloud AI Gateway: chat, embeddings, rerank, speech-to-text and text-to-speech through the customer's OpenAI-compatible gateway. */
import { AigcError } from "../../errors.js";
import { safeUrl } from "../../net/http.js";
import { GatewayClient } from "../../vendors/gateway/client.js";
import { GATEWAY_ENV, parseGatewayConfig, VENDOR_ID } from "../../vendors/gateway/config.js";
import type { VendorPlugin } from "../plugin.js";
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

export const gatewayPlugin: VendorPlugin = {
  id: VENDOR_ID,
  title: TITLE,
  env: GATEWAY_ENV,
  enableWith: "AI_GATEWAY_BASE_URL with AI_GATEWAY_API_KEY, or with AI_GATEWAY_JWT_KEY and AI_GATEWAY_JWT_UID",
  secrets: (env) => [env.AI_GATEWAY_API_KEY, ...jwtKeySecrets(env.AI_GATEWAY_JWT_KEY)],
  load(env, core) {
    const cfg = parseGatewayConfig(env);
    if (!cfg) return Promise.resolve(undefined);
    const client = new GatewayClient(cfg);
    return Promise.resolve({
      id: VENDOR_ID,
      title: TITLE,
      drivers: [],
      tools: [gatewayChat(client), gatewayEmbed(client), gatewayRerank(client), gatewayTranscribe(client), gatewaySpeech(client, core)],
      async check(signal) {
        const how = cfg.auth.mode === "key" ? "API key" : `JWT (uid ${cfg.auth.uid}, ${cfg.auth.alg})`;
        try {
          const { data } = await client.get("models", { signal });
          const n = Array.isArray(data.data) ? data.data.length : undefined;
          return `${how} accepted by ${safeUrl(cfg.baseUrl)}${n !== undefined ? ` (${n} models listed)` : ""}`;
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
        response_format: {
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
      note: "embeddings (vectors only in structuredContent)",
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

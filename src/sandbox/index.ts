/**
 * `--sandbox` (and the tests): starts the simulator of every implemented vendor on 127.0.0.1 and
 * returns the environment that points the vendor adapters at them, so every tool works with no
 * keys. `fast` shortens task timings for tests.
 */
import type { Env } from "../config.js";
import { AnimoSimulator, type AnimoSimOptions } from "./animo-sim.js";
import { ArkSimulator, type ArkSimOptions } from "./ark-sim.js";
import { GatewaySimulator, type GatewaySimOptions } from "./gateway-sim.js";
import { KlingSimulator, type KlingSimOptions } from "./kling-sim.js";
import { VisualSimulator, type VisualSimOptions } from "./visual-sim.js";

export interface SandboxOptions {
  fast?: boolean;
  ark?: ArkSimOptions;
  kling?: KlingSimOptions;
  visual?: VisualSimOptions;
  animo?: AnimoSimOptions;
  gateway?: GatewaySimOptions;
}

export interface Sandbox {
  env: Env;
  /** One line per simulator, for the start-up log. */
  lines: string[];
  ark: ArkSimulator;
  kling: KlingSimulator;
  visual: VisualSimulator;
  animo: AnimoSimulator;
  gateway: GatewaySimulator;
  close(): Promise<void>;
}

const FAST_VISUAL: VisualSimOptions = { queuedMs: 150, runningMs: 300, syncDelayMs: 10, maxRenderEdge: 256 };
const FAST_ARK: ArkSimOptions = { queuedMs: 150, runningMs: 400, imageDelayMs: 10, maxRenderEdge: 256 };
const FAST_KLING: KlingSimOptions = { queuedMs: 100, runningMs: 300, maxRenderEdge: 128, lostReplyDelayMs: 1500 };
const FAST_GATEWAY: GatewaySimOptions = { chunkDelayMs: 5, speechDelayMs: 20 };
const FAST_ANIMO: AnimoSimOptions = { renderMs: 100, chunkDelayMs: 2, queuedMs: 150, runningMs: 400, maxRenderEdge: 160, fps: 4 };

/** Default models the sandbox configures, so every gateway tool runs with no arguments beyond its input. */
export const GATEWAY_SANDBOX_MODELS = {
  AI_GATEWAY_CHAT_MODEL: "qwen-plus",
  AI_GATEWAY_EMBED_MODEL: "text-embedding-v4",
  AI_GATEWAY_RERANK_MODEL: "gte-rerank-v2",
  AI_GATEWAY_STT_MODEL: "paraformer-v2",
  AI_GATEWAY_TTS_MODEL: "cosyvoice-v2",
  AI_GATEWAY_TTS_VOICE: "longxiaochun",
};

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const ark = await new ArkSimulator({ ...(opts.fast ? FAST_ARK : {}), ...opts.ark }).start();
  const kling = await new KlingSimulator({ ...(opts.fast ? FAST_KLING : {}), ...opts.kling }).start();
  const visual = await new VisualSimulator({ ...(opts.fast ? FAST_VISUAL : {}), ...opts.visual }).start();
  const animo = await new AnimoSimulator({ ...(opts.fast ? FAST_ANIMO : {}), ...opts.animo }).start();
  const gateway = await new GatewaySimulator({ ...(opts.fast ? FAST_GATEWAY : {}), ...opts.gateway }).start();
  const sims = [ark, kling, visual, animo, gateway];
  return {
    env: {
      ARK_API_KEY: ark.apiKey,
      ARK_BASE_URL: ark.baseUrl,
      KLING_ACCESS_KEY: kling.accessKey,
      KLING_SECRET_KEY: kling.secretKey,
      KLING_BASE_URL: kling.baseUrl,
      VOLC_ACCESSKEY: visual.accessKeyId,
      VOLC_SECRETKEY: visual.secretKey,
      VOLC_VISUAL_BASE_URL: visual.baseUrl,
      ...(visual.sessionToken ? { VOLC_SESSION_TOKEN: visual.sessionToken } : {}),
      // Sync mode; the same simulator answers ANIMO_MODE=async at this base too.
      ANIMO_API_KEY: animo.apiKey,
      ANIMO_ENDPOINT: animo.endpoint,
      ANIMO_MODE: "sync",
      // Key auth with a default model per capability; the simulator also accepts JWTs (sim.jwks, sim.jwtUid).
      AI_GATEWAY_BASE_URL: gateway.baseUrl,
      AI_GATEWAY_API_KEY: gateway.apiKey,
      ...GATEWAY_SANDBOX_MODELS,
    },
    lines: [
      `Ark simulator at ${ark.baseUrl}`,
      `Kling simulator at ${kling.baseUrl}`,
      `Volcengine Visual (Jimeng) simulator at ${visual.baseUrl}`,
      `Animo simulator at ${animo.endpoint} (sync POST; async API under /v1/video/generation)`,
      `AI Gateway simulator at ${gateway.baseUrl} (key or JWT auth)`,
    ],
    ark,
    kling,
    visual,
    animo,
    gateway,
    close: async () => {
      await Promise.all(sims.map((s) => s.close()));
    },
  };
}

/**
 * `--sandbox` (and the tests): starts the simulator of every implemented vendor on 127.0.0.1 and
 * returns the environment that points the vendor adapters at them, so every tool works with no
 * keys. `fast` shortens task timings for tests.
 */
import type { Env } from "../config.js";
import { AnimoSimulator, type AnimoSimOptions } from "./animo-sim.js";
import { ArkSimulator, type ArkSimOptions } from "./ark-sim.js";

export interface SandboxOptions {
  fast?: boolean;
  ark?: ArkSimOptions;
  animo?: AnimoSimOptions;
}

export interface Sandbox {
  env: Env;
  /** One line per simulator, for the start-up log. */
  lines: string[];
  ark: ArkSimulator;
  animo: AnimoSimulator;
  close(): Promise<void>;
}

const FAST_ARK: ArkSimOptions = { queuedMs: 150, runningMs: 400, imageDelayMs: 10, maxRenderEdge: 256 };
const FAST_ANIMO: AnimoSimOptions = { renderMs: 100, chunkDelayMs: 2, queuedMs: 150, runningMs: 400, maxRenderEdge: 160, fps: 4 };

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const ark = await new ArkSimulator({ ...(opts.fast ? FAST_ARK : {}), ...opts.ark }).start();
  const animo = await new AnimoSimulator({ ...(opts.fast ? FAST_ANIMO : {}), ...opts.animo }).start();
  const sims = [ark, animo];
  return {
    env: {
      ARK_API_KEY: ark.apiKey,
      ARK_BASE_URL: ark.baseUrl,
      // Sync mode; the same simulator answers ANIMO_MODE=async at this base too.
      ANIMO_API_KEY: animo.apiKey,
      ANIMO_ENDPOINT: animo.endpoint,
      ANIMO_MODE: "sync",
    },
    lines: [`Ark simulator at ${ark.baseUrl}`, `Animo simulator at ${animo.endpoint} (sync POST; async API under /v1/video/generation)`],
    ark,
    animo,
    close: async () => {
      await Promise.all(sims.map((s) => s.close()));
    },
  };
}

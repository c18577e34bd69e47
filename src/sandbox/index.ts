/**
 * `--sandbox`: starts the simulator of every implemented vendor on 127.0.0.1 and returns the
 * environment that points the vendor adapters at them, so every tool works with no keys.
 */
import type { Env } from "../config.js";
import { ArkSimulator } from "./ark-sim.js";

export interface Sandbox {
  env: Env;
  /** One line per simulator, for the start-up log and the demo. */
  lines: string[];
  ark: ArkSimulator;
  close(): Promise<void>;
}

export async function startSandbox(): Promise<Sandbox> {
  const ark = await new ArkSimulator().start();
  return {
    env: { ARK_API_KEY: ark.apiKey, ARK_BASE_URL: ark.baseUrl },
    lines: [`Ark simulator at ${ark.baseUrl}`],
    ark,
    close: async () => {
      await ark.close();
    },
  };
}

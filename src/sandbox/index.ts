/**
 * `--sandbox` (and the tests): starts every vendor's simulator on 127.0.0.1 and returns the
 * environment that points the vendor adapters at them, so every tool works with no keys. The
 * simulators come from the plugins; nothing here names a vendor.
 */
import type { Env } from "../config.js";
import { PLUGINS } from "../plugins.js";
import type { VendorSimulator } from "./sim-server.js";
import type { SimulatedVendor } from "./simulated-vendor.js";

export interface SandboxOptions {
  /** Short task timings, for the tests. */
  fast?: boolean;
  /** Simulator options by vendor id. */
  options?: Record<string, object>;
}

export interface Sandbox {
  env: Env;
  /** One line per simulator, for the start-up log. */
  lines: string[];
  vendors: SimulatedVendor[];
  /** The running simulator of the given class, e.g. `sandbox.get(ArkSimulator)`. */
  get<S extends VendorSimulator>(kind: abstract new (...args: never[]) => S): S;
  close(): Promise<void>;
}

/**
 * The start-up line naming the vendor variables set in `env` that `--sandbox` ignores, and why
 * (undefined when none is set). The sandbox replaces every vendor variable, model defaults included
 * (ARK_VIDEO_MODEL, KLING_IMAGE_MODEL, ANIMO_MODEL, AI_GATEWAY_CHAT_MODEL…): they name your account's
 * keys, URLs and models, which the simulators do not serve. Only names are printed, never values.
 */
export function ignoredBySandbox(env: Env): string | undefined {
  const set = PLUGINS.flatMap((p) => p.env.map((v) => v.name)).filter((name) => env[name]);
  if (!set.length) return undefined;
  return `--sandbox ignores ${set.join(", ")}: the simulators use their own keys, URLs and default models (your account's may not exist there); pass model in a call to try another model`;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const vendors = await Promise.all(PLUGINS.map((p) => p.simulate({ fast: opts.fast, options: opts.options?.[p.id] })));
  // Each simulator stands for a vendor whose media URLs are public: every simulator can fetch
  // every other's (a Seedream output URL sent to Kling), but no other host on this machine.
  for (const v of vendors) for (const w of vendors) v.simulator.sim.publicOrigins.add(w.simulator.sim.url);
  return {
    env: Object.assign({}, ...vendors.map((v) => v.env)) as Env,
    lines: vendors.map((v) => v.line),
    vendors,
    get<S extends VendorSimulator>(kind: abstract new (...args: never[]) => S): S {
      const found = vendors.find((v) => v.simulator instanceof kind);
      if (!found) throw new Error(`no running simulator is a ${kind.name}`);
      return found.simulator as S;
    },
    close: async () => {
      await Promise.all(vendors.map((v) => v.simulator.close()));
    },
  };
}

/** What a vendor's simulator module hands `--sandbox` and the tests. No vendor is named here. */
import type { Env } from "../config.js";
import type { VendorSimulator } from "./sim-server.js";

export interface SimulatorOptions {
  /** Short task timings and small renders, for the tests. */
  fast?: boolean;
  /** The simulator's own options (its constructor's), overriding the fast ones. */
  options?: object;
}

export interface SimulatedVendor {
  simulator: VendorSimulator;
  /** The environment that points the vendor's adapter at the simulator, credentials included. */
  env: Env;
  /** One line for the start-up log, e.g. "Ark simulator at http://127.0.0.1:1234/api/v3". */
  line: string;
}

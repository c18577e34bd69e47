/**
 * What a vendor contributes once its credentials are present: job drivers, tools, a free
 * credential check, and the secret values to scrub from every output. Kept free of MCP types
 * except through the ToolDef it hands to the tool layer.
 */
import type { CoreConfig, Env, EnvVar } from "../config.js";
import type { TaskDriver } from "../jobs/types.js";
import type { ToolDef } from "./define.js";

export interface LoadedVendor {
  id: string;
  title: string;
  drivers: TaskDriver[];
  tools: ToolDef[];
  /** A call that creates nothing and costs nothing; resolves to a one-line description or throws AigcError. */
  check(signal: AbortSignal): Promise<string>;
}

export interface VendorModule {
  id: string;
  title: string;
  env: EnvVar[];
  /** What to set to enable the vendor, for `check` (default: its secret variables). */
  enableWith?: string;
  /** Returns undefined when the vendor's credentials are absent; throws ConfigError on a bad value. */
  load(env: Env, core: CoreConfig): LoadedVendor | undefined;
  /** Credential values to redact from logs and results. */
  secrets(env: Env): Array<string | undefined>;
}

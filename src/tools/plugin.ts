/**
 * The plugin seam: everything one vendor contributes, in one object. The server, `--help`,
 * `check`, `--sandbox` and the demo loop over the list in `src/plugins.ts` and never name a vendor.
 * Adding a vendor = `src/vendors/<id>/`, `src/tools/<id>/` (with its `plugin.ts`), its tests, and
 * one entry in that list.
 */
import type { CoreConfig, Env, EnvVar } from "../config.js";
import type { TaskDriver } from "../jobs/types.js";
import type { SimulatedVendor, SimulatorOptions } from "../sandbox/simulated-vendor.js";
import type { Catalog } from "../vendors/kit/catalog.js";
import type { PriceBook } from "../vendors/kit/price.js";
import type { ModelsFile } from "../vendors/kit/models-file.js";
import type { ToolDef } from "./define.js";

/** A vendor whose credentials are present: its job drivers, its tools and a free credential check. */
export interface LoadedVendor {
  id: string;
  title: string;
  drivers: TaskDriver[];
  tools: ToolDef[];
  /** A call that creates nothing and costs nothing; resolves to a one-line description or throws AigcError. */
  check(signal: AbortSignal): Promise<string>;
  /** The vendor's models, for list_models and `check` (absent where the customer's own server decides, e.g. a gateway). */
  models?: VendorModels;
  /** The vendor's prices (built in, then AIGC_MCP_PRICES_FILE), for the README's price table and list_models. */
  prices?: PriceBook;
}

/** A model as the vendor's own model list shows it. */
export interface LiveModel {
  id: string;
  /** The vendor's status word, e.g. "Shutdown", when it gives one. */
  status?: string;
}

/** One tool that takes a `model`, as list_models and the catalog tests see it. */
export interface ModelTool {
  tool: string;
  /** The vendor endpoint family the tool calls (the catalog's `endpoints` use the same names). */
  endpoint: string;
  default?: string;
  /** The environment variable that overrides the default. */
  variable?: string;
  /** One line for list_models on why this tool/endpoint entry exists (e.g. a tool that routes by model to two API standards). */
  note?: string;
  /** The smallest arguments that make a valid call apart from `model` (the catalog tests run every model with them). */
  sample: Record<string, unknown>;
  /** Other small valid calls, for models `sample` cannot serve (an image-to-video-only model needs an image). */
  alternatives?: Array<Record<string, unknown>>;
}

export interface VendorModels {
  catalog?: Catalog;
  /** One line for list_models about the vendor's models as a whole (e.g. a mode that takes no model), replacing the generic note. */
  note?: string;
  /** Which endpoint family each tool calls and its default model, with the variable that overrides it. */
  tools: ModelTool[];
  /**
   * Tools that name the vendor's model in an argument of their own (volc_visual_call's `req_key`):
   * list_models and the README list the catalog's models of `endpoint` under them, with `note`;
   * the catalog tests, which pass `model`, do not run them.
   */
  listings?: Array<Pick<ModelTool, "tool" | "endpoint" | "note" | "default" | "variable">>;
  /** The vendor's own model list, a free call (list_models with live: true, and `check`). */
  live?(signal: AbortSignal): Promise<LiveModel[]>;
}

/** One example call of a vendor's tool, run by `npm run demo` against the sandbox. */
export interface DemoCall {
  tool: string;
  /** The arguments, or a function of the previous call's structuredContent. */
  arguments: Record<string, unknown> | ((previous: Record<string, unknown> | undefined) => Record<string, unknown>);
  /** What the call shows, printed before it. */
  note: string;
}

export interface VendorPlugin {
  /** The vendor id: its folder names (`src/vendors/<id>/`, `src/tools/<id>/`) and the vendor part of its job ids. */
  id: string;
  /** Display name, e.g. "Volcengine Ark (Seedream, Seedance)". */
  title: string;
  /** Short display name, e.g. "Ark": the one name its errors use ("Ark error (…): …"), whatever names the vendor in the error. */
  name: string;
  /** Every environment variable the vendor reads (for `--help` and the README). */
  env: EnvVar[];
  /** What to set to enable the vendor, for `check` (default: its secret variables). */
  enableWith?: string;
  /** Credential values to redact from logs, results and persisted files. */
  secrets(env: Env): Array<string | undefined>;
  /**
   * Every endpoint family its tools look prices up under (`PriceBook.find`): a prices-file entry's
   * `endpoint` must be one of them, or it would never match.
   */
  priceEndpoints: readonly string[];
  /**
   * Resolves to undefined when the vendor's credentials are absent; throws ConfigError on a bad
   * value. `models` is AIGC_MCP_MODELS_FILE, to merge into the vendor's catalog.
   */
  load(env: Env, core: CoreConfig, models?: ModelsFile): Promise<LoadedVendor | undefined>;
  /** Starts the vendor's simulator on 127.0.0.1 (imported only by `--sandbox` and the tests). */
  simulate(opts: SimulatorOptions): Promise<SimulatedVendor>;
  /** Calls `npm run demo` makes with this vendor's tools in the sandbox. */
  demo: DemoCall[];
}

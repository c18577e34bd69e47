/** Every vendor this server knows, in `--help` order. A vendor without credentials contributes no tools. */
import { parseBudget } from "./cost/config.js";
import { ConfigError, CORE_ENV, declareEnv, type CoreConfig, type Env } from "./config.js";
import { registerVendorName } from "./errors.js";
import { nearest } from "./nearest.js";
import { log, registerSecret } from "./log.js";
import { animoPlugin } from "./tools/animo/plugin.js";
import { arkPlugin } from "./tools/ark/plugin.js";
import { gatewayPlugin } from "./tools/gateway/plugin.js";
import { klingPlugin } from "./tools/kling/plugin.js";
import type { KeyVar } from "./stored-tool-list.js";
import type { LoadedVendor, VendorPlugin } from "./tools/plugin.js";
import { visualPlugin } from "./tools/visual/plugin.js";
import { loadModelsFile, unusedCapabilities, type ModelsFile } from "./vendors/kit/models-file.js";
import { loadPricesFile } from "./vendors/kit/prices-file.js";

export const PLUGINS: readonly VendorPlugin[] = [arkPlugin, klingPlugin, visualPlugin, animoPlugin, gatewayPlugin];

/**
 * The variables the stored tool list's key holds (src/stored-tool-list.ts): every declared one but
 * the log level, which changes no tool. scripts/bundle.mjs writes the same list into the entry.
 */
export function listVars(): KeyVar[] {
  const vendor = new Set(PLUGINS.flatMap((p) => p.env.map((v) => v.name)));
  return [...CORE_ENV, ...PLUGINS.flatMap((p) => p.env)]
    .filter((v) => v.name !== "AIGC_MCP_LOG_LEVEL")
    .map((v) => ({ name: v.name, ...(v.secret ? { secret: true } : {}), ...(vendor.has(v.name) ? { vendor: true } : {}) }));
}
for (const p of PLUGINS) {
  declareEnv(p.env);
  registerVendorName(p.id, p.name);
}

/**
 * Registers every vendor's secrets for redaction, adds the configured vendor endpoints to the URL
 * fetch policy's allow-list, reads AIGC_MCP_MODELS_FILE and AIGC_MCP_PRICES_FILE when set, then loads
 * the vendors whose credentials are set. Throws ConfigError on a bad value or models file.
 */
export async function loadVendors(env: Env, core: CoreConfig): Promise<LoadedVendor[]> {
  registerSecrets(env);
  const toolsets = normalizeToolsets(core.toolsets);
  if (toolsets.warning) log.warn(toolsets.warning);
  core.toolsets = toolsets.names;
  checkToolsets(core.toolsets);
  // Budget entries may name a vendor: only a known one (the parse in parseCoreConfig could not know them).
  parseBudget(
    env.AIGC_MCP_BUDGET,
    PLUGINS.map((p) => p.id),
  );
  // The endpoints the operator configured are trusted with the credentials already, so the URL
  // fetch policy lets downloads reach them (and the sandbox's simulators) on any address, and an
  // input URL on one of them is the vendor's own, sent on as is.
  for (const p of PLUGINS)
    for (const v of p.env) if (!v.secret && /^https?:\/\//i.test(env[v.name] ?? "")) core.vendorEndpoints.push(env[v.name]!);
  const ids = PLUGINS.map((p) => p.id);
  let models: ModelsFile | undefined = core.modelsFile ? await loadModelsFile(core.modelsFile, ids) : undefined;
  if (core.cost.pricesFile) {
    const endpoints = Object.fromEntries(PLUGINS.map((p) => [p.id, p.priceEndpoints]));
    const prices = await loadPricesFile(core.cost.pricesFile, ids, endpoints);
    models = { ...(models ?? { models: {}, source: prices.source }), prices: prices.entries };
  }
  const loaded = (await Promise.all(PLUGINS.map((p) => p.load(env, core, models)))).filter((v): v is LoadedVendor => v !== undefined);
  for (const v of loaded) for (const warning of unusedCapabilities(models, v.id, capabilityNames(v))) log.warn(warning);
  return loaded;
}

/** The capability names a vendor's model checks can see: its tools' argument names, or "any" (define.ts). */
function capabilityNames(v: LoadedVendor): ReadonlySet<string> | "any" {
  if (v.tools.some((t) => t.capabilityNames === "any")) return "any";
  return new Set(v.tools.flatMap((t) => Object.keys(t.input)));
}

/** Registers for redaction the value of every variable declared secret and every plugin's derived secrets. */
export function registerSecrets(env: Env): void {
  for (const v of [...CORE_ENV, ...PLUGINS.flatMap((p) => p.env)]) if (v.secret) registerSecret(env[v.name]);
  for (const p of PLUGINS) {
    try {
      for (const s of p.secrets(env)) registerSecret(s);
    } catch {
      // a malformed credential fails in load() with a ConfigError naming it
    }
  }
}

/** The toolsets AIGC_MCP_TOOLSETS may name besides the vendor ids (the server lists their tools). */
export const SHARED_TOOLSETS = ["jobs", "models", "cost"] as const;

/**
 * AIGC_MCP_TOOLSETS entries as written, made lowercase (names are case-insensitive) and without
 * duplicates; empty entries (`ark,,jobs`, a trailing comma) are ignored with a warning. A value
 * with no name at all is refused: it would list no tool.
 */
export function normalizeToolsets(entries: string[] | undefined): { names?: string[]; warning?: string } {
  if (!entries) return {};
  const names = [...new Set(entries.map((e) => e.trim().toLowerCase()).filter(Boolean))];
  if (!names.length)
    throw new ConfigError("AIGC_MCP_TOOLSETS", "names no toolset; give comma-separated names, or unset it to list every tool");
  const empty = entries.filter((e) => !e.trim()).length;
  return {
    names,
    ...(empty
      ? {
          warning: `AIGC_MCP_TOOLSETS "${entries.join(",")}" has ${empty === 1 ? "an empty entry" : `${empty} empty entries`}, ignored: listing ${names.join(", ")}`,
        }
      : {}),
  };
}

/** Refuses an unknown AIGC_MCP_TOOLSETS name at start-up, naming the valid ones. */
export function checkToolsets(toolsets: string[] | undefined): void {
  const valid = [...PLUGINS.map((p) => p.id), ...SHARED_TOOLSETS];
  const unknown = (toolsets ?? []).filter((t) => !valid.includes(t));
  if (unknown.length) {
    const guess = nearest(unknown[0]!.toLowerCase(), valid);
    throw new ConfigError(
      "AIGC_MCP_TOOLSETS",
      `unknown toolset ${unknown.map((u) => `"${u}"`).join(", ")}${guess ? ` (did you mean ${guess}?)` : ""}; valid: ${valid.join(", ")}`,
    );
  }
}

/**
 * The start-up warning for toolsets that list nothing: a vendor named in AIGC_MCP_TOOLSETS without
 * credentials, or no vendor at all. Undefined when every named toolset has tools.
 */
export function toolsetWarning(toolsets: string[] | undefined, loaded: string[]): string | undefined {
  const unconfigured = (toolsets ?? []).filter((t) => PLUGINS.some((p) => p.id === t) && !loaded.includes(t));
  if (unconfigured.length)
    return `AIGC_MCP_TOOLSETS names ${unconfigured.join(", ")}, which has no credentials set: its tools are not listed (see aigc-mcp --help, or try --sandbox)`;
  if (!loaded.length) return "no vendor credentials found: only the job tools are available (see aigc-mcp --help, or try --sandbox)";
  return undefined;
}

/**
 * The start-up warning for AIGC_MCP_TOOLSETS listing a vendor whose tools wait for jobs (they take
 * `wait_seconds`) without `jobs`: a generation still running when its call's wait ends answers
 * "call wait_for_job with job_id …", a tool the client then does not have. Undefined otherwise.
 */
export function jobsToolsetWarning(toolsets: string[] | undefined, vendors: readonly LoadedVendor[]): string | undefined {
  if (!toolsets || toolsets.includes("jobs")) return undefined;
  const waiting = vendors.filter((v) => toolsets.includes(v.id) && v.tools.some((t) => "wait_seconds" in t.input)).map((v) => v.id);
  if (!waiting.length) return undefined;
  return `AIGC_MCP_TOOLSETS lists ${waiting.join(", ")} but not jobs: a generation not finished within its call's wait answers with a job_id for wait_for_job, which is then not listed, so the client cannot follow the job (it still runs and saves its files). Add jobs to AIGC_MCP_TOOLSETS (e.g. ${[...toolsets, "jobs"].join(",")})`;
}

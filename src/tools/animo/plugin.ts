/** Animo: prompt-to-video, either the plugin's synchronous MP4 endpoint or the animo.video async API. */
import { describeError } from "../../errors.js";
import { safeUrl } from "../../net/http.js";
import { AnimoClient, type AnimoEngine } from "../../vendors/animo/client.js";
import { ANIMO_ENV, parseAnimoConfig, VENDOR_ID, type AnimoConfig } from "../../vendors/animo/config.js";
import { animoDriver } from "../../vendors/animo/video.js";
import { Catalog } from "../../vendors/kit/catalog.js";
import { priceBook, withModelsFile } from "../../vendors/kit/models-file.js";
import { catalogPrices } from "../../vendors/kit/price.js";
import type { LiveModel, VendorPlugin } from "../plugin.js";
import { ANIMO_GENERATION_ENDPOINT, animoGenerateVideo } from "./generate-video.js";
import { ANIMO } from "../../vendors/animo/errors.js";

const TITLE = "Animo (prompt-to-video)";

/** The server's engines as list_models shows them: each model with its engine, and whether it is the default or lacks a key. */
export function liveModels(engines: AnimoEngine[]): LiveModel[] {
  return engines.flatMap((e) => {
    const ids = e.default && !e.models.includes(e.default) ? [...e.models, e.default] : e.models;
    const keyless = e.configured === false ? ", no key on the server" : "";
    return ids.map((id) => ({ id, status: `engine ${e.engine}${id === e.default ? ", default" : ""}${keyless}` }));
  });
}

/** What `check` adds about the server's model list: its size, and whether the configured engine and model are in it. */
async function describeLiveList(client: AnimoClient, cfg: AnimoConfig, signal: AbortSignal): Promise<string> {
  let engines: AnimoEngine[];
  try {
    engines = await client.models(signal);
  } catch (err) {
    return `; no model list (GET /v1/models: ${describeError(err).split("\n")[0]})`;
  }
  const models = engines.flatMap((e) => e.models);
  const keyed = engines.filter((e) => e.configured !== false).map((e) => e.engine);
  const parts = [`the server lists ${models.length} model(s) of ${engines.length} engine(s) (keys for ${keyed.join(", ") || "none"})`];
  const engine = cfg.engine ? engines.find((e) => e.engine === cfg.engine) : undefined;
  if (cfg.engine && !engine) parts.push(`ANIMO_ENGINE=${cfg.engine} is not one of its engines`);
  if (engine?.configured === false) parts.push(`it has no key for ANIMO_ENGINE=${cfg.engine}`);
  if (cfg.model && !(engine ? [engine] : engines).some((e) => e.models.includes(cfg.model!) || e.default === cfg.model))
    parts.push(`ANIMO_MODEL=${cfg.model} is not among them (the server may still accept it)`);
  if (!cfg.model) parts.push("no model is sent, so it uses its default");
  return `; ${parts.join("; ")}`;
}

export const animoPlugin: VendorPlugin = {
  id: VENDOR_ID,
  title: TITLE,
  name: ANIMO,
  env: ANIMO_ENV,
  enableWith: "ANIMO_API_KEY and ANIMO_ENDPOINT",
  secrets: (env) => [env.ANIMO_API_KEY],
  priceEndpoints: [ANIMO_GENERATION_ENDPOINT],
  load(env, core, modelsFile) {
    const cfg = parseAnimoConfig(env);
    if (!cfg) return Promise.resolve(undefined);
    const client = new AnimoClient(cfg, core.maxMediaBytes);
    const asyncMode = cfg.mode === "async";
    // No built-in catalog: the customer's Animo server decides. A models file may still describe (or retire) models.
    const catalog = modelsFile?.models[VENDOR_ID]?.length ? withModelsFile(new Catalog(VENDOR_ID, []), modelsFile) : undefined;
    // No built-in prices (Animo publishes none): only a prices file or models-file entries price it.
    const prices = priceBook(VENDOR_ID, catalog ? catalogPrices(catalog) : [], modelsFile);
    return Promise.resolve({
      id: VENDOR_ID,
      title: TITLE,
      // Registered in both modes so an async job id always finds its driver (which refuses other endpoints).
      drivers: [animoDriver(client, cfg)],
      prices,
      tools: [animoGenerateVideo(client, cfg, core, prices, catalog)],
      // Only the async API has models (and a list of them); the sync contract has neither.
      ...(asyncMode
        ? {
            models: {
              ...(catalog ? { catalog } : {}),
              tools: [
                {
                  tool: "animo_generate_video",
                  endpoint: ANIMO_GENERATION_ENDPOINT,
                  ...(cfg.model ? { default: cfg.model } : {}),
                  variable: "ANIMO_MODEL",
                  sample: { prompt: "a blue circle grows into a square" },
                },
              ],
              live: async (signal: AbortSignal) => liveModels(await client.models(signal)),
            },
          }
        : {
            // Say what does work: in sync mode live: true cannot (there is no list), and no model can be chosen.
            models: {
              tools: [],
              note: "sync mode (ANIMO_MODE=sync): the endpoint takes no model and has no model list, so its server decides and live: true has nothing to ask; to choose the model, set ANIMO_MODE=async with ANIMO_ENGINE and ANIMO_MODEL (list_models with live: true then shows the server's engines and models)",
            },
          }),
      async check(signal) {
        if (!asyncMode) {
          // The only call a sync endpoint is known to answer is the billable generation POST.
          return `sync mode, POST ${safeUrl(cfg.endpoint)}; not contacted (the endpoint has no free call), so the key is first checked by a generation`;
        }
        const looked = await client.lookUpUnknown("aigc-mcp-check", signal);
        const how = looked === "unknown" ? "; looked up a request id that does not exist, which is free" : "";
        return `key accepted by ${safeUrl(cfg.endpoint)} (async mode${how})` + (await describeLiveList(client, cfg, signal));
      },
    });
  },
  simulate: async (opts) => (await import("../../vendors/animo/simulator.js")).simulate(opts),
  demo: [
    {
      tool: "animo_generate_video",
      note: "the MP4 arrives as the response body and is streamed to disk",
      arguments: { prompt: "a paper crane unfolds into a bird", duration: 4, style: "anime", wait_seconds: 30 },
    },
  ],
};

import { z } from "zod";
import { idText, prose, quietRange } from "../bounds.js";
import type { CoreConfig } from "../../config.js";
import type { AnimoClient } from "../../vendors/animo/client.js";
import type { AnimoConfig } from "../../vendors/animo/config.js";
import { VENDOR_ID } from "../../vendors/animo/config.js";
import {
  animoAsyncFields,
  animoSyncBody,
  asyncHandleFacts,
  checkAnimo,
  DEFAULT_DURATION,
  DEFAULT_RESOLUTION,
  DEFAULT_STYLE,
  DOCUMENTED_ASPECT_RATIOS,
  MAX_PROMPT,
  RESOLUTIONS,
  STYLES,
} from "../../vendors/animo/video.js";
import type { Catalog } from "../../vendors/kit/catalog.js";
import { estimateCost, unknownEstimate, unpricedEstimate, type PriceBook } from "../../vendors/kit/price.js";
import { animoMeters } from "../../vendors/animo/pricing.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import { waitAndRender, waitSecondsSchema } from "../jobs.js";
import { checkModel, explainRefusals, type ModelCall } from "../model-check.js";
import { MAX_ID } from "../media-inputs.js";

/** The async API's endpoint family, as list_models and an AIGC_MCP_MODELS_FILE entry name it. */
export const ANIMO_GENERATION_ENDPOINT = "video/generation";

/**
 * `catalog` exists only when AIGC_MCP_MODELS_FILE describes Animo models: Animo has no built-in
 * catalog (the customer's server decides), so the configured ANIMO_MODEL is checked against the
 * file's entries alone.
 */
export function animoGenerateVideo(client: AnimoClient, cfg: AnimoConfig, core: CoreConfig, prices: PriceBook, catalog?: Catalog) {
  const asyncMode = cfg.mode === "async";
  /** The model the call uses: only async mode sends one, and only when ANIMO_MODEL is set; else the server's own. */
  const model = asyncMode ? cfg.model : undefined;
  return defineTool({
    name: "animo_generate_video",
    title: "Animo video generation",
    description: "Generates a short animated MP4 from a text prompt with Animo. Paid per video. Minutes: job_id for wait_for_job.",
    input: {
      prompt: prose(MAX_PROMPT),
      duration: quietRange(z.number().int(), 1, 60).optional().describe(`default ${DEFAULT_DURATION}; sync mode`),
      style: z.enum(STYLES).optional().describe(`default ${DEFAULT_STYLE}; sync mode`),
      resolution: z.enum(RESOLUTIONS).optional().describe(`default ${DEFAULT_RESOLUTION}; sync mode`),
      aspect_ratio: idText(MAX_ID)
        .regex(/^\d{1,2}:\d{1,2}$/, "aspect_ratio is WIDTH:HEIGHT, e.g. 16:9")
        .optional()
        .describe(`${DOCUMENTED_ASPECT_RATIOS.join("|")}; async mode`),
      wait_seconds: waitSecondsSchema(core),
    },
    output: jobResultShape,
    annotations: PAID_GENERATOR,
    quote(args) {
      const name = model ?? "Animo (the server's own model)";
      // A prices-file entry for model "*" prices every Animo call, whatever model the server runs.
      const price = prices.find(model ?? "*", asyncMode ? ANIMO_GENERATION_ENDPOINT : undefined);
      if (!price) return { vendor: VENDOR_ID, ...(model ? { model } : {}), estimate: unpricedEstimate(name, "item") };
      const metering = animoMeters(args, cfg.mode, price.unit);
      const estimate = "unknown" in metering ? unknownEstimate(metering.unknown, price.source) : estimateCost(name, price, metering.meters);
      return { vendor: VENDOR_ID, ...(model ? { model } : {}), estimate };
    },
    async run(args, ctx) {
      const budget = ctx.budget(args.wait_seconds);
      checkAnimo(args, cfg.mode);
      const label = args.prompt.slice(0, 80);
      let jobId: string;
      if (asyncMode) {
        const fields = animoAsyncFields(args, cfg);
        // Only a configured model can be checked: without one the server picks its own.
        const call: ModelCall | undefined =
          catalog && model ? { catalog, endpoint: ANIMO_GENERATION_ENDPOINT, model, args: { aspect_ratio: args.aspect_ratio } } : undefined;
        if (call) checkModel(ctx, call);
        const submit = (signal?: AbortSignal) => client.submit(args.prompt, fields, signal);
        ctx.progress("submitting the Animo generation request");
        jobId = await ctx.app.jobs.startTask({
          vendor: VENDOR_ID,
          op: "video",
          ...(model ? { model } : {}),
          label,
          budget,
          signal: ctx.signal,
          submit: async (signal) => ({
            task: await (call ? explainRefusals(call, () => submit(signal)) : submit(signal)),
            ...(model ? { model } : {}),
            x: asyncHandleFacts(cfg),
          }),
        });
      } else {
        const body = animoSyncBody(args);
        jobId = await ctx.app.jobs.startLocal({
          vendor: VENDOR_ID,
          op: "video",
          label,
          outputKind: "video",
          // The engine streams the returned body to disk (capped, hashed, sniffed).
          run: (signal) => client.openVideo(body, signal),
        });
      }
      return waitAndRender(ctx, jobId, budget, true);
    },
  });
}

import { z } from "zod";
import type { CoreConfig } from "../../config.js";
import type { Catalog } from "../../vendors/kit/catalog.js";
import { ENDPOINTS } from "../../vendors/visual/catalog.js";
import type { VisualClient } from "../../vendors/visual/client.js";
import type { VisualConfig } from "../../vendors/visual/config.js";
import { placeDelivery, portraitBody, reqKeyFor, routeFor } from "../../vendors/visual/requests.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import { waitSecondsSchema } from "../jobs.js";
import { MAX_MEDIA_REF, MEDIA_REF_HELP, loadInput } from "../media-inputs.js";
import { checkModel, explainRefusals } from "../model-check.js";
import { JPEG_PNG, logoSchema, MB, runRouted } from "./common.js";

export function jimengPortraitPhoto(client: VisualClient, cfg: VisualConfig, core: CoreConfig, catalog: Catalog) {
  return defineTool({
    name: "jimeng_portrait_photo",
    title: "Jimeng portrait photo (Volcengine Visual)",
    description:
      "Makes a new portrait of the person in one photo, keeping the face: prompt-driven scene (creative), close to the photo (reference) or the character only (reference_char). Paid per image. " +
      `Default req_key ${cfg.portraitReqKey} (VOLC_PORTRAIT_REQ_KEY). Typically 10-60 s; if longer it returns a job_id for wait_for_job.`,
    input: {
      image: z
        .string()
        .min(1)
        .max(MAX_MEDIA_REF)
        .describe(`photo of one person, face clearly visible; ${MEDIA_REF_HELP}. JPEG/PNG, <= 15 MB`),
      model: z
        .string()
        .min(1)
        .max(128)
        .optional()
        .describe(`req_key (default ${cfg.portraitReqKey}); any req_key is sent on; list_models shows the known ones`),
      prompt: z
        .string()
        .min(1)
        .max(800)
        .optional()
        .describe("scene, clothing and style of the new portrait (gen_mode creative follows it)"),
      gen_mode: z
        .string()
        .min(1)
        .max(32)
        .optional()
        .describe(
          "creative = follow the prompt (vendor default with a prompt); reference = stay close to the photo (default without a prompt); reference_char = keep only the character",
        ),
      width: z
        .number()
        .int()
        .min(1)
        .max(16384)
        .optional()
        .describe("output width in px, with height (range depends on the model; vendor default 1328)"),
      height: z.number().int().min(1).max(16384).optional().describe("output height in px, with width"),
      gpen: z.number().min(0).max(1).optional().describe("face restoration (HD) strength 0-1 (vendor default 0.4)"),
      skin: z.number().min(0).max(1).optional().describe("face beautification strength 0-1 (vendor default 0.3)"),
      skin_unifi: z.number().min(0).max(1).optional().describe("skin smoothing / tone unification 0-1 (vendor default 0)"),
      seed: z.number().int().min(-1).max(2147483647).optional().describe("-1 = random"),
      logo: logoSchema,
      wait_seconds: waitSecondsSchema(core),
    },
    output: jobResultShape,
    annotations: PAID_GENERATOR,
    async run(args, ctx) {
      const model = args.model ?? cfg.portraitReqKey;
      const call = { catalog, endpoint: ENDPOINTS.portrait, model, args };
      checkModel(ctx, call);
      const reqKey = reqKeyFor(catalog, model);
      const route = routeFor(catalog, model);
      const delivery = placeDelivery(route === "sync" ? "sync" : "async", { returnUrl: true, logo: args.logo });
      const image = (await loadInput(ctx.app, args.image, { field: "image", accept: ["image"], maxBytes: 15 * MB, mimes: JPEG_PNG }))!;
      const body = { ...portraitBody({ ...args, reqKey }, image), ...delivery.bodyFields };
      return explainRefusals(call, () =>
        runRouted(ctx, client, route, {
          op: "portrait",
          reqKey,
          body,
          reqJson: delivery.reqJson,
          label: args.prompt ?? "portrait photo",
          waitSeconds: args.wait_seconds,
        }),
      );
    },
  });
}

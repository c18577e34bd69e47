import { z } from "zod";
import type { CoreConfig } from "../../config.js";
import type { Catalog } from "../../vendors/kit/catalog.js";
import { DEFAULT_BY_ENDPOINT, DEFAULT_MODELS } from "../../vendors/visual/catalog.js";
import type { VisualClient } from "../../vendors/visual/client.js";
import { imageBody, imageEndpoint, imageFields, placeDelivery, reqKeyFor, routeFor } from "../../vendors/visual/requests.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import { waitSecondsSchema } from "../jobs.js";
import { MAX_MEDIA_REF, MEDIA_REF_HELP, loadInputs } from "../media-inputs.js";
import { checkModel, explainRefusals } from "../model-check.js";
import { aigcMetaSchema, JPEG_PNG, logoSchema, MB, runRouted } from "./common.js";

const BY_MODEL = "depends on the model (list_models)";

export function jimengGenerateImage(client: VisualClient, core: CoreConfig, catalog: Catalog) {
  return defineTool({
    name: "jimeng_generate_image",
    title: "Jimeng image generation (Volcengine Visual)",
    description:
      "Generates images with ByteDance Jimeng (即梦) (Volcengine Visual): text-to-image, editing by instruction, multi-image composition. Paid per image. Typically 10-60 s; if longer it returns a job_id for wait_for_job; never re-run to check. Models: list_models.",
    input: {
      prompt: z
        .string()
        .min(1)
        .max(2000)
        .describe("what to generate or how to edit; Chinese or English (at most ~800 characters works best)"),
      model: z
        .string()
        .min(1)
        .max(128)
        .optional()
        .describe(
          `req_key (default ${DEFAULT_MODELS.image}); any req_key is sent on (unknown ones as async tasks; CVProcess ones: volc_visual_call); models: list_models`,
        ),
      images: z
        .array(z.string().min(1).max(MAX_MEDIA_REF))
        .max(14)
        .optional()
        .describe(
          `reference images (how many ${BY_MODEL}: Jimeng 4.0 up to 10, 4.6 up to 14); each ${MEDIA_REF_HELP}. JPEG/PNG, <= 15 MB; all URLs or all local files`,
        ),
      size: z
        .number()
        .int()
        .min(1)
        .max(16384 * 16384)
        .optional()
        .describe("output area in pixels (Jimeng 4.0: 1024² to 4096², default 2048²; the model picks the shape)"),
      width: z
        .number()
        .int()
        .min(1)
        .max(16384)
        .optional()
        .describe(`output width in px, with height (range ${BY_MODEL}; 4.0: width x height within 1024²-4096², e.g. 2560x1440)`),
      height: z.number().int().min(1).max(16384).optional().describe("output height in px, with width"),
      scale: z.number().min(0).max(100).optional().describe(`how strongly the text steers the image (range ${BY_MODEL}; 4.0: 0-1)`),
      force_single: z.boolean().optional().describe("always return exactly one image (4.0: default false, each image billed)"),
      min_ratio: z.number().positive().max(100).optional().describe("4.0: smallest width/height ratio allowed (default 1/3)"),
      max_ratio: z.number().positive().max(100).optional().describe("4.0: largest width/height ratio allowed (default 3)"),
      seed: z.number().int().min(-1).max(2147483647).optional().describe("-1 = random"),
      use_pre_llm: z.boolean().optional().describe("3.x/2.1: let an LLM expand a short prompt"),
      logo: logoSchema,
      aigc_meta: aigcMetaSchema,
      wait_seconds: waitSecondsSchema(core),
    },
    output: jobResultShape,
    annotations: PAID_GENERATOR,
    async run(args, ctx) {
      const endpoint = imageEndpoint(args.images?.length ?? 0);
      const model = args.model ?? DEFAULT_BY_ENDPOINT[endpoint]!;
      const call = { catalog, endpoint, model, args };
      checkModel(ctx, call);
      const reqKey = reqKeyFor(catalog, model);
      const route = routeFor(catalog, model);
      const delivery = placeDelivery(route === "sync" ? "sync" : "async", { returnUrl: true, logo: args.logo, aigcMeta: args.aigc_meta });
      const images = await loadInputs(ctx.app, args.images, { field: "images", accept: ["image"], maxBytes: 15 * MB, mimes: JPEG_PNG });
      const body = { ...imageBody({ ...args, reqKey }, imageFields(images, "images")), ...delivery.bodyFields };
      return explainRefusals(call, () =>
        runRouted(ctx, client, route, {
          op: "image",
          reqKey,
          body,
          reqJson: delivery.reqJson,
          label: args.prompt,
          waitSeconds: args.wait_seconds,
        }),
      );
    },
  });
}

import { z } from "zod";
import { modelId, prose, quietRange } from "../bounds.js";
import type { CoreConfig } from "../../config.js";
import type { Catalog } from "../../vendors/kit/catalog.js";
import { DEFAULT_BY_ENDPOINT } from "../../vendors/visual/catalog.js";
import type { VisualClient } from "../../vendors/visual/client.js";
import type { PriceBook } from "../../vendors/kit/price.js";
import { VENDOR_ID } from "../../vendors/visual/config.js";
import { visualEstimate } from "../../vendors/visual/pricing.js";
import { imageBody, imageEndpoint, imageFields, placeDelivery, reqKeyFor, routeFor } from "../../vendors/visual/requests.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import { waitSecondsSchema } from "../jobs.js";
import { MAX_MEDIA_REF, loadInputs } from "../media-inputs.js";
import { checkModel, explainRefusals } from "../model-check.js";
import { aigcMetaSchema, JPEG_PNG, logoSchema, MB, runRouted } from "./common.js";

/** The endpoint family (from the reference images) and the model: the default of that family when none is given. */
function resolveModel(args: { model?: string; images?: string[] }): { endpoint: string; model: string } {
  const endpoint = imageEndpoint(args.images?.length ?? 0);
  return { endpoint, model: args.model ?? DEFAULT_BY_ENDPOINT[endpoint]! };
}

export function jimengGenerateImage(client: VisualClient, core: CoreConfig, catalog: Catalog, book: PriceBook) {
  return defineTool({
    name: "jimeng_generate_image",
    title: "Jimeng image generation (Volcengine Visual)",
    description:
      "Generates images with Jimeng (即梦) (Volcengine Visual): text-to-image, editing, multi-image composition. Paid per image. 10-60 s, else a job_id for wait_for_job.",
    input: {
      prompt: prose(2000),
      model: modelId().optional().describe("req_key"),
      images: z.array(z.string().min(1).max(MAX_MEDIA_REF)).max(14).optional().describe("JPEG/PNG <= 15 MB; all URLs or all files"),
      size: quietRange(z.number().int(), 1, 16384 * 16384)
        .optional()
        .describe("px² (4.0)"),
      width: quietRange(z.number().int(), 1, 16384).optional().describe("with height"),
      height: quietRange(z.number().int(), 1, 16384).optional(),
      scale: z.number().min(0).max(100).optional().describe("3.x 1-10, 4.0 0-1, 4.6 0-100"),
      force_single: z.boolean().optional(),
      min_ratio: quietRange(z.number(), 0, 100, true).optional().describe("w/h"),
      max_ratio: quietRange(z.number(), 0, 100, true).optional().describe("w/h"),
      seed: quietRange(z.number().int(), -1, 2147483647).optional(),
      use_pre_llm: z.boolean().optional().describe("expand prompt"),
      logo: logoSchema,
      aigc_meta: aigcMetaSchema,
      wait_seconds: waitSecondsSchema(core),
    },
    output: jobResultShape,
    annotations: PAID_GENERATOR,
    quote(args) {
      const { endpoint, model } = resolveModel(args);
      const reqKey = reqKeyFor(catalog, model);
      const body = imageBody({ ...args, reqKey }, args.images?.length ? { image_urls: args.images } : {});
      return { vendor: VENDOR_ID, model: reqKey, estimate: visualEstimate(book, catalog, reqKey, endpoint, body) };
    },
    async run(args, ctx) {
      const { endpoint, model } = resolveModel(args);
      const call = { catalog, endpoint, model, args };
      checkModel(ctx, call);
      const reqKey = reqKeyFor(catalog, model);
      const route = routeFor(catalog, model);
      const delivery = placeDelivery(route === "sync" ? "sync" : "async", { returnUrl: true, logo: args.logo, aigcMeta: args.aigc_meta });
      const images = await loadInputs(ctx, args.images, { field: "images", accept: ["image"], maxBytes: 15 * MB, mimes: JPEG_PNG });
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

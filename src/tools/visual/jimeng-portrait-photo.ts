import { z } from "zod";
import { idText, modelId, prose, quietRange } from "../bounds.js";
import type { CoreConfig } from "../../config.js";
import type { Catalog } from "../../vendors/kit/catalog.js";
import { ENDPOINTS } from "../../vendors/visual/catalog.js";
import type { VisualClient } from "../../vendors/visual/client.js";
import { VENDOR_ID, type VisualConfig } from "../../vendors/visual/config.js";
import type { PriceBook } from "../../vendors/kit/price.js";
import { visualEstimate } from "../../vendors/visual/pricing.js";
import { placeDelivery, portraitBody, reqKeyFor, routeFor } from "../../vendors/visual/requests.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import { waitSecondsSchema } from "../jobs.js";
import { MAX_MEDIA_REF, loadInput } from "../media-inputs.js";
import { checkModel, explainRefusals } from "../model-check.js";
import { JPEG_PNG, logoSchema, MB, runRouted } from "./common.js";

export function jimengPortraitPhoto(client: VisualClient, cfg: VisualConfig, core: CoreConfig, catalog: Catalog, book: PriceBook) {
  /** The model of a call: the given one, else VOLC_PORTRAIT_REQ_KEY's. */
  const modelOf = (args: { model?: string }) => args.model ?? cfg.portraitReqKey;
  return defineTool({
    name: "jimeng_portrait_photo",
    title: "Jimeng portrait photo (Volcengine Visual)",
    description:
      "Makes a new portrait of the person in a photo, keeping the face (Jimeng, Volcengine Visual). Paid per image. 10-60 s, else a job_id for wait_for_job.",
    input: {
      image: z.string().min(1).max(MAX_MEDIA_REF).describe("JPEG/PNG <= 15 MB"),
      model: modelId().optional().describe("req_key"),
      prompt: prose(800).optional(),
      gen_mode: idText(32).min(1).optional().describe("creative|reference|reference_char"),
      width: quietRange(z.number().int(), 1, 16384).optional(),
      height: quietRange(z.number().int(), 1, 16384).optional(),
      gpen: z.number().min(0).max(1).optional().describe("face HD"),
      skin: z.number().min(0).max(1).optional().describe("beautify"),
      skin_unifi: z.number().min(0).max(1).optional(),
      seed: quietRange(z.number().int(), -1, 2147483647).optional(),
      logo: logoSchema,
      wait_seconds: waitSecondsSchema(core),
    },
    output: jobResultShape,
    annotations: PAID_GENERATOR,
    quote(args) {
      const reqKey = reqKeyFor(catalog, modelOf(args));
      return { vendor: VENDOR_ID, model: reqKey, estimate: visualEstimate(book, catalog, reqKey, ENDPOINTS.portrait, {}) };
    },
    async run(args, ctx) {
      const model = modelOf(args);
      const call = { catalog, endpoint: ENDPOINTS.portrait, model, args };
      checkModel(ctx, call);
      const reqKey = reqKeyFor(catalog, model);
      const route = routeFor(catalog, model);
      const delivery = placeDelivery(route === "sync" ? "sync" : "async", { returnUrl: true, logo: args.logo });
      const image = (await loadInput(ctx, args.image, { field: "image", accept: ["image"], maxBytes: 15 * MB, mimes: JPEG_PNG }))!;
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

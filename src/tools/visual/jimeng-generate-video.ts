import { z } from "zod";
import { idText, modelId, prose, quietRange } from "../bounds.js";
import type { CoreConfig } from "../../config.js";
import type { Catalog } from "../../vendors/kit/catalog.js";
import { DEFAULT_BY_ENDPOINT } from "../../vendors/visual/catalog.js";
import type { VisualClient } from "../../vendors/visual/client.js";
import {
  checkImageLimits,
  imageFields,
  placeDelivery,
  reqKeyFor,
  routeFor,
  videoBody,
  videoEndpoint,
} from "../../vendors/visual/requests.js";
import type { PriceBook } from "../../vendors/kit/price.js";
import { VENDOR_ID } from "../../vendors/visual/config.js";
import { visualEstimate } from "../../vendors/visual/pricing.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import { waitSecondsSchema } from "../jobs.js";
import { MAX_ID, MAX_MEDIA_REF, loadInput } from "../media-inputs.js";
import { checkModel, explainRefusals } from "../model-check.js";
import { aigcMetaSchema, JPEG_PNG, MB, runRouted } from "./common.js";

/** Every Jimeng video page documents the same frame limits: JPEG/PNG, <= 4.7 MB, <= 4096², short side >= 320, ratio <= 3. */
const FRAME_LIMITS = { maxEdge: 4096, minShort: 320, maxRatio: 3 };

/** The call's facts, endpoint family (from the inputs) and model: the default of that family when none is given. */
function resolveModel<
  A extends { model?: string; first_frame?: string; last_frame?: string; prompt?: string; template_id?: string; camera_strength?: string },
>(args: A) {
  const req = { ...args, hasFirst: args.first_frame !== undefined, hasLast: args.last_frame !== undefined };
  const endpoint = videoEndpoint(req);
  return { req, endpoint, model: args.model ?? DEFAULT_BY_ENDPOINT[endpoint]! };
}

export function jimengGenerateVideo(client: VisualClient, core: CoreConfig, catalog: Catalog, book: PriceBook) {
  return defineTool({
    name: "jimeng_generate_video",
    title: "Jimeng video generation (Volcengine Visual)",
    description:
      "Generates a video with Jimeng (即梦) 3.0 (Volcengine Visual) from text, first/last frames or a camera template. Paid per second. 1-5 min: job_id for wait_for_job.",
    input: {
      prompt: prose(800).optional(),
      model: modelId().optional().describe("req_key"),
      first_frame: z.string().min(1).max(MAX_MEDIA_REF).optional().describe("JPEG/PNG <= 4.7 MB"),
      last_frame: z.string().min(1).max(MAX_MEDIA_REF).optional(),
      duration: quietRange(z.number().int(), 1, 60).optional().describe("5 or 10"),
      aspect_ratio: idText(MAX_ID)
        .regex(/^\d{1,2}:\d{1,2}$/, 'a ratio such as "16:9"')
        .optional()
        .describe("e.g. 16:9"),
      template_id: idText(MAX_ID)
        .regex(/^[a-z0-9_]{1,64}$/, "a camera template id such as hitchcock_dolly_in")
        .optional()
        .describe("camera move, e.g. robo_arm"),
      camera_strength: idText(16).min(1).optional().describe("weak|medium|strong"),
      seed: quietRange(z.number().int(), -1, 2147483647).optional(),
      aigc_meta: aigcMetaSchema,
      wait_seconds: waitSecondsSchema(core),
    },
    output: jobResultShape,
    annotations: PAID_GENERATOR,
    quote(args) {
      const { req, endpoint, model } = resolveModel(args);
      const reqKey = reqKeyFor(catalog, model);
      const body = videoBody({ ...req, reqKey }, {});
      return { vendor: VENDOR_ID, model: reqKey, estimate: visualEstimate(book, catalog, reqKey, endpoint, body) };
    },
    async run(args, ctx) {
      const { req, endpoint, model } = resolveModel(args);
      const call = { catalog, endpoint, model, args };
      checkModel(ctx, call);
      const reqKey = reqKeyFor(catalog, model);
      const route = routeFor(catalog, model);
      const delivery = placeDelivery(route === "sync" ? "sync" : "async", { aigcMeta: args.aigc_meta });
      const rule = { accept: ["image" as const], maxBytes: 4.7 * MB, mimes: JPEG_PNG };
      const first = await loadInput(ctx, args.first_frame, { ...rule, field: "first_frame" });
      const last = await loadInput(ctx, args.last_frame, { ...rule, field: "last_frame" });
      if (first) checkImageLimits([first], "first_frame", FRAME_LIMITS);
      if (last) checkImageLimits([last], "last_frame", FRAME_LIMITS);
      const frames = [first, last].filter((f) => f !== undefined);
      const body = { ...videoBody({ ...req, reqKey }, imageFields(frames, "first_frame")), ...delivery.bodyFields };
      return explainRefusals(call, () =>
        runRouted(ctx, client, route, {
          op: "video",
          reqKey,
          body,
          reqJson: delivery.reqJson,
          label: args.prompt ?? "video from a first frame",
          waitSeconds: args.wait_seconds,
        }),
      );
    },
  });
}

import { z } from "zod";
import type { CoreConfig } from "../../config.js";
import type { Catalog } from "../../vendors/kit/catalog.js";
import type { KlingClient } from "../../vendors/kling/client.js";
import type { KlingConfig } from "../../vendors/kling/config.js";
import { routeEndpoint, videoRoute } from "../../vendors/kling/families.js";
import { videoMeters } from "../../vendors/kling/pricing.js";
import { checkNewStandard, newStandardBody } from "../../vendors/kling/standard.js";
import { checkVideoShape, VIDEO_RATIOS, videoOptionsBody } from "../../vendors/kling/video-options.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import { checkKlingModel, klingQuote, modelField, submitKling, videoFields, wait, type KlingPrices } from "./common.js";
import { prose } from "../bounds.js";

export function klingTextToVideo(client: KlingClient, catalog: Catalog, cfg: KlingConfig, core: CoreConfig, prices: KlingPrices) {
  /** The call's model (the default when none is named) and the API standard it goes to. */
  const resolve = <A extends { model?: string }>(args: A) => {
    const opts = { ...args, model: args.model ?? cfg.videoModel };
    return { opts, route: videoRoute("t2v", catalog.find(opts.model)?.endpoints, opts.model) };
  };
  return defineTool({
    name: "kling_text_to_video",
    title: "Kling text-to-video",
    description:
      "Generates a video from a text prompt with Kling AI, with sound or multi-shot by model. Paid per video." +
      " 1-10 min: job_id for wait_for_job.",
    input: {
      prompt: prose(3072),
      model: modelField(),
      aspect_ratio: z.enum(VIDEO_RATIOS).optional(),
      ...videoFields,
      ...wait(core),
    },
    output: jobResultShape,
    annotations: PAID_GENERATOR,
    quote(args) {
      const { opts, route } = resolve(args);
      return klingQuote(prices, opts.model, routeEndpoint(route), (unit) => videoMeters({ ...opts, standard: route.standard }, unit));
    },
    async run(args, ctx) {
      const { opts, route } = resolve(args);
      const call = checkKlingModel(ctx, client, catalog, route, opts.model, args);
      checkVideoShape(opts);
      if (route.standard === "new") checkNewStandard(route.product, opts.model, args);
      const body = route.standard === "new" ? newStandardBody(route.product, opts) : videoOptionsBody(opts);
      return submitKling(ctx, client, { route, call, op: "video", body, label: args.prompt, wait_seconds: args.wait_seconds });
    },
  });
}

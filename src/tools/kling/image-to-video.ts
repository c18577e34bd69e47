import { z } from "zod";
import type { CoreConfig } from "../../config.js";
import type { Catalog } from "../../vendors/kit/catalog.js";
import type { KlingClient } from "../../vendors/kling/client.js";
import type { KlingConfig } from "../../vendors/kling/config.js";
import { routeEndpoint, videoRoute } from "../../vendors/kling/families.js";
import { videoMeters } from "../../vendors/kling/pricing.js";
import { NO_FIRST_FRAME, checkImageToVideo } from "../../vendors/kling/requests.js";
import { checkNewStandard, newStandardBody } from "../../vendors/kling/standard.js";
import { checkVideoShape, VIDEO_RATIOS, videoOptionsBody } from "../../vendors/kling/video-options.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import {
  checkKlingModel,
  elementIds,
  IMAGE_HELP,
  klingImage,
  klingQuote,
  modelField,
  submitKling,
  videoFields,
  wait,
  type KlingPrices,
} from "./common.js";
import { MAX_MEDIA_REF } from "../media-inputs.js";
import { prose } from "../bounds.js";

export function klingImageToVideo(client: KlingClient, catalog: Catalog, cfg: KlingConfig, core: CoreConfig, prices: KlingPrices) {
  /** The call's model (the default when none is named) and the API standard it goes to. */
  const resolve = <A extends { model?: string }>(args: A) => {
    const opts = { ...args, model: args.model ?? cfg.videoModel };
    return { opts, route: videoRoute("i2v", catalog.find(opts.model)?.endpoints, opts.model) };
  };
  return defineTool({
    name: "kling_image_to_video",
    title: "Kling image-to-video",
    description:
      "Animates an image with Kling AI: first (and last) frame, elements, voices, sound or multi-shot by model. Paid per video." +
      " 1-10 min: job_id for wait_for_job.",
    input: {
      image: z
        .string({
          error: (i) => (i.input === undefined ? NO_FIRST_FRAME : undefined),
        })
        .min(1)
        .max(MAX_MEDIA_REF)
        .describe(IMAGE_HELP),
      image_tail: z.string().min(1).max(MAX_MEDIA_REF).optional().describe("last frame"),
      prompt: prose(3072, 0).optional(),
      model: modelField(),
      aspect_ratio: z.enum(VIDEO_RATIOS).optional(),
      element_ids: elementIds(10),
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
      checkImageToVideo({ image: !!args.image });
      checkVideoShape(opts);
      if (route.standard === "new") checkNewStandard(route.product, opts.model, args);
      const [image, tail] = await Promise.all([klingImage(ctx, args.image, "image"), klingImage(ctx, args.image_tail, "image_tail")]);
      let body: Record<string, unknown>;
      if (route.standard === "new") {
        body = newStandardBody(route.product, { ...opts, image, image_tail: tail });
      } else {
        body = {
          ...videoOptionsBody(opts),
          ...(image ? { image } : {}),
          ...(tail ? { image_tail: tail } : {}),
          ...(args.element_ids?.length ? { element_list: args.element_ids.map((element_id) => ({ element_id })) } : {}),
        };
      }
      return submitKling(ctx, client, {
        route,
        call,
        op: "video",
        body,
        label: args.prompt || "video from an image",
        wait_seconds: args.wait_seconds,
      });
    },
  });
}

import { z } from "zod";
import type { CoreConfig } from "../../config.js";
import { AigcError } from "../../errors.js";
import type { Catalog } from "../../vendors/kit/catalog.js";
import { DEFAULT_MODELS } from "../../vendors/kling/catalog.js";
import type { KlingClient } from "../../vendors/kling/client.js";
import { VIDEO_RATIOS, videoOptionsBody } from "../../vendors/kling/video-options.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import {
  checkKlingModel,
  currentModels,
  IMAGE_HELP,
  klingImages,
  klingQuote,
  modelField,
  submitKling,
  videoFields,
  wait,
  type KlingPrices,
} from "./common.js";
import { videoMeters } from "../../vendors/kling/pricing.js";
import { OMNI_VIDEO, OMNI_VIDEO_FAMILY } from "./omni-video.js";
import { MAX_MEDIA_REF } from "../media-inputs.js";
import { prose } from "../bounds.js";

/** A retired model named here (kling-v1-6 was this endpoint's only one) is told which models this tool takes now. */
function onOmniVideo<T>(catalog: Catalog, check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof AigcError && err.code === "ModelRetired")
      err.info.hint =
        `This tool now runs on Kling's omni-video: use ${currentModels(catalog, OMNI_VIDEO_FAMILY).join(" or ")}. ${err.info.hint ?? ""}`.trim();
    throw err;
  }
}

/**
 * Kling retired `/v1/videos/multi-image2video` with its only model (kling-v1-6) on 2026-09-15. The
 * tool keeps its name and arguments and runs on omni-video: the images become reference images
 * (`<<<image_1>>>`…), with the same prompt, mode, duration, aspect ratio and watermark.
 */
export function klingMultiImageToVideo(client: KlingClient, catalog: Catalog, core: CoreConfig, prices: KlingPrices) {
  const fallback = DEFAULT_MODELS.omniVideo;
  return defineTool({
    name: "kling_multi_image_to_video",
    title: "Kling multi-image reference video",
    description:
      "Generates a video with Kling AI from 1-4 reference images, named <<<image_1>>>… in the prompt (runs on Omni video). Paid per video." +
      " 1-10 min: job_id for wait_for_job.",
    input: {
      images: z.array(z.string().min(1).max(MAX_MEDIA_REF)).min(1).max(4).describe(`1-4; ${IMAGE_HELP}`),
      prompt: prose(2500),
      model: modelField(),
      aspect_ratio: z.enum(VIDEO_RATIOS).optional(),
      mode: videoFields.mode,
      duration: videoFields.duration,
      watermark: videoFields.watermark,
      ...wait(core),
    },
    output: jobResultShape,
    annotations: PAID_GENERATOR,
    quote(args) {
      const model = args.model ?? fallback;
      return klingQuote(prices, model, OMNI_VIDEO_FAMILY, (unit) => videoMeters({ ...args, standard: "legacy", omni: true }, unit));
    },
    async run(args, ctx) {
      const model = args.model ?? fallback;
      const call = onOmniVideo(catalog, () => checkKlingModel(ctx, client, catalog, OMNI_VIDEO, model, args));
      const images = await klingImages(ctx, args.images, "images");
      const body = {
        ...videoOptionsBody({ ...args, model, aspect_ratio: args.aspect_ratio ?? "16:9" }),
        image_list: images.map((image_url) => ({ image_url })),
      };
      return submitKling(ctx, client, { route: OMNI_VIDEO, call, op: "video", body, label: args.prompt, wait_seconds: args.wait_seconds });
    },
  });
}

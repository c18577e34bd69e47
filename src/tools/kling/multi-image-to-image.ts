import { z } from "zod";
import type { CoreConfig } from "../../config.js";
import type { Catalog } from "../../vendors/kit/catalog.js";
import { DEFAULT_MODELS } from "../../vendors/kling/catalog.js";
import type { KlingClient } from "../../vendors/kling/client.js";
import type { KlingRoute } from "../../vendors/kling/families.js";
import { IMAGE_RATIOS } from "../../vendors/kling/requests.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import { imageCount } from "./generate-image.js";
import {
  checkKlingModel,
  IMAGE_HELP,
  klingImage,
  klingImages,
  klingQuote,
  modelField,
  submitKling,
  wait,
  type KlingPrices,
} from "./common.js";
import { imageMeters } from "../../vendors/kling/pricing.js";
import { MAX_MEDIA_REF } from "../media-inputs.js";
import { prose } from "../bounds.js";

const FAMILY = "images/multi-image2image" as const;
const ROUTE: KlingRoute = { standard: "legacy", family: FAMILY };

export function klingMultiImageToImage(client: KlingClient, catalog: Catalog, core: CoreConfig, prices: KlingPrices) {
  const fallback = DEFAULT_MODELS.multiImageToImage;
  return defineTool({
    name: "kling_multi_image_to_image",
    title: "Kling multi-image to image",
    description:
      "Composes an image with Kling AI from 1-4 subject images, optionally a scene and a style image. Paid per image." +
      " 10-60 s, else a job_id for wait_for_job.",
    input: {
      subject_images: z.array(z.string().min(1).max(MAX_MEDIA_REF)).min(1).max(4).describe(`1-4; ${IMAGE_HELP}`),
      scene_image: z.string().min(1).max(MAX_MEDIA_REF).optional(),
      style_image: z.string().min(1).max(MAX_MEDIA_REF).optional(),
      prompt: prose(2500, 0).optional(),
      n: imageCount,
      aspect_ratio: z.enum(IMAGE_RATIOS).optional(),
      model: modelField(),
      ...wait(core),
    },
    output: jobResultShape,
    annotations: PAID_GENERATOR,
    quote(args) {
      const model = args.model ?? fallback;
      return klingQuote(prices, model, FAMILY, () => imageMeters({ n: args.n, family: FAMILY }));
    },
    async run(args, ctx) {
      const model = args.model ?? fallback;
      const call = checkKlingModel(ctx, client, catalog, ROUTE, model, args);
      const subjects = await klingImages(ctx, args.subject_images, "subject_images");
      const [scene, style] = await Promise.all([
        klingImage(ctx, args.scene_image, "scene_image"),
        klingImage(ctx, args.style_image, "style_image"),
      ]);
      const body: Record<string, unknown> = {
        model_name: model,
        subject_image_list: subjects.map((subject_image) => ({ subject_image })),
        ...(scene ? { scene_image: scene } : {}),
        ...(style ? { style_image: style } : {}),
        ...(args.prompt ? { prompt: args.prompt } : {}),
        ...(args.n ? { n: args.n } : {}),
        ...(args.aspect_ratio ? { aspect_ratio: args.aspect_ratio } : {}),
      };
      return submitKling(ctx, client, {
        route: ROUTE,
        call,
        op: "image",
        body,
        label: args.prompt || "image from subjects",
        wait_seconds: args.wait_seconds,
      });
    },
  });
}

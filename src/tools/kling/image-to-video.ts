import { z } from "zod";
import type { CoreConfig } from "../../config.js";
import type { Catalog } from "../../vendors/kit/catalog.js";
import type { KlingClient } from "../../vendors/kling/client.js";
import type { KlingConfig } from "../../vendors/kling/config.js";
import { VIDEO_ROUTES, videoRoute } from "../../vendors/kling/families.js";
import { checkImageToVideo } from "../../vendors/kling/requests.js";
import { checkNewStandard, newStandardBody } from "../../vendors/kling/standard.js";
import { checkVideoShape, VIDEO_RATIOS, videoOptionsBody } from "../../vendors/kling/video-options.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import { checkKlingModel, elementIds, IMAGE_HELP, klingImage, modelField, submitKling, videoFields, wait } from "./common.js";
import { MAX_MEDIA_REF } from "../media-inputs.js";

const { family: FAMILY, product: PRODUCT } = VIDEO_ROUTES.i2v;
const point = z.object({
  x: z.number().int().min(0).describe("pixels from the left"),
  y: z.number().int().min(0).describe("pixels from the bottom (origin is bottom-left)"),
});

export function klingImageToVideo(client: KlingClient, catalog: Catalog, cfg: KlingConfig, core: CoreConfig) {
  return defineTool({
    name: "kling_image_to_video",
    title: "Kling image-to-video",
    description:
      "Animates an image with Kling AI (可灵) from a first frame, optionally to a last frame, with elements, voices, sound or multi-shot depending on the model (list_models). " +
      "Paid: billed by Kling per video. Takes 1-10 minutes: the call returns a job_id when its wait budget runs out; then call wait_for_job.",
    input: {
      image: z.string().min(1).max(MAX_MEDIA_REF).optional().describe(`first frame (required); ${IMAGE_HELP}`),
      image_tail: z
        .string()
        .min(1)
        .max(MAX_MEDIA_REF)
        .optional()
        .describe("last frame (same formats); not with motion brush or camera control"),
      prompt: z.string().max(3072).optional().describe("what happens in the video; elements as <<<element_1>>>, voices as <<<voice_1>>>"),
      model: modelField(catalog, cfg.videoModel, FAMILY, PRODUCT),
      aspect_ratio: z.enum(VIDEO_RATIOS).optional().describe("output aspect ratio (legacy models; default: follows the image)"),
      static_mask: z
        .string()
        .min(1)
        .max(MAX_MEDIA_REF)
        .optional()
        .describe("motion brush: mask of the area that stays still; only retired Kling 1.x models took it"),
      dynamic_masks: z
        .array(
          z.object({
            mask: z.string().min(1).max(MAX_MEDIA_REF).describe("mask image of the area to move"),
            trajectories: z.array(point).min(2).max(77).describe("the path of the masked area, 2-77 points"),
          }),
        )
        .max(6)
        .optional()
        .describe("motion brush: up to 6 masked areas with trajectories; only retired Kling 1.x models took it"),
      element_ids: elementIds(10),
      ...videoFields,
      ...wait(core),
    },
    output: jobResultShape,
    annotations: PAID_GENERATOR,
    async run(args, ctx) {
      const opts = { ...args, model: args.model ?? cfg.videoModel };
      const route = videoRoute("i2v", catalog.find(opts.model)?.endpoints, opts.model);
      const call = checkKlingModel(ctx, client, catalog, route, opts.model, args);
      checkImageToVideo({
        image: !!args.image,
        image_tail: !!args.image_tail,
        static_mask: !!args.static_mask,
        dynamic_masks: args.dynamic_masks,
        camera_control: !!args.camera_control,
      });
      checkVideoShape(opts);
      if (route.standard === "new") checkNewStandard(route.product, opts.model, args);
      const [image, tail, staticMask] = await Promise.all([
        klingImage(ctx, args.image, "image"),
        klingImage(ctx, args.image_tail, "image_tail"),
        klingImage(ctx, args.static_mask, "static_mask"),
      ]);
      let body: Record<string, unknown>;
      if (route.standard === "new") {
        body = newStandardBody(route.product, { ...opts, image, image_tail: tail });
      } else {
        const masks = [];
        for (const [i, m] of (args.dynamic_masks ?? []).entries())
          masks.push({ mask: await klingImage(ctx, m.mask, `dynamic_masks[${i}].mask`), trajectories: m.trajectories });
        body = {
          ...videoOptionsBody(opts),
          ...(image ? { image } : {}),
          ...(tail ? { image_tail: tail } : {}),
          ...(staticMask ? { static_mask: staticMask } : {}),
          ...(masks.length ? { dynamic_masks: masks } : {}),
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

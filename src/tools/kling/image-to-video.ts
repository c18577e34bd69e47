import { z } from "zod";
import type { CoreConfig } from "../../config.js";
import { inputError } from "../../errors.js";
import type { KlingClient } from "../../vendors/kling/client.js";
import type { KlingConfig } from "../../vendors/kling/config.js";
import { checkImageToVideo } from "../../vendors/kling/requests.js";
import { checkVideoOptions, VIDEO_RATIOS, videoOptionsBody } from "../../vendors/kling/video-options.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import { IMAGE_HELP, klingImage, modelField, submitKling, videoFields, wait } from "./common.js";

const FAMILY = "videos/image2video";
const point = z.object({
  x: z.number().int().min(0).describe("pixels from the left"),
  y: z.number().int().min(0).describe("pixels from the bottom (origin is bottom-left)"),
});

export function klingImageToVideo(client: KlingClient, cfg: KlingConfig, core: CoreConfig) {
  return defineTool({
    name: "kling_image_to_video",
    title: "Kling image-to-video",
    description:
      "Animates an image with Kling AI (可灵): from a first frame, to a last frame, or between both; with a motion brush (static_mask / dynamic_masks with trajectories) or camera control. " +
      "First/last frame, motion brush and camera control cannot be combined. Paid: billed by Kling per video. Takes 1-10 minutes: the call returns a job_id when its wait budget runs out; then call wait_for_job.",
    input: {
      image: z.string().min(1).optional().describe(`first frame; ${IMAGE_HELP}`),
      image_tail: z.string().min(1).optional().describe("last frame (same formats); not with motion brush or camera control"),
      prompt: z.string().max(2500).optional().describe("what happens in the video (<= 2500 characters)"),
      model: modelField(FAMILY, cfg.videoModel),
      aspect_ratio: z.enum(VIDEO_RATIOS).optional().describe("output aspect ratio (default: follows the image)"),
      static_mask: z
        .string()
        .min(1)
        .optional()
        .describe("motion brush: mask image of the area that must stay still (same formats and size as image)"),
      dynamic_masks: z
        .array(
          z.object({
            mask: z.string().min(1).describe("mask image of the area to move (same formats and size as image)"),
            trajectories: z.array(point).min(2).max(77).describe("the path of the masked area, 2-77 points"),
          }),
        )
        .max(6)
        .optional()
        .describe("motion brush: up to 6 masked areas, each with its trajectory"),
      element_ids: z
        .array(z.string().regex(/^\d{1,30}$/, "must be a numeric element id"))
        .max(10)
        .optional()
        .describe("Kling element (主体) ids to keep consistent in the video (see kling_list_elements)"),
      ...videoFields,
      ...wait(core),
    },
    output: jobResultShape,
    annotations: PAID_GENERATOR,
    async run(args, ctx) {
      const opts = { ...args, model: args.model ?? cfg.videoModel };
      checkImageToVideo({
        image: !!args.image,
        image_tail: !!args.image_tail,
        static_mask: !!args.static_mask,
        dynamic_masks: args.dynamic_masks,
        camera_control: !!args.camera_control,
      });
      checkVideoOptions(FAMILY, opts);
      if (args.multi_shot && args.image_tail) throw inputError("multi_shot", "cannot be combined with image_tail");
      const [image, tail, staticMask] = await Promise.all([
        klingImage(ctx, args.image, "image"),
        klingImage(ctx, args.image_tail, "image_tail"),
        klingImage(ctx, args.static_mask, "static_mask"),
      ]);
      const masks = [];
      for (const [i, m] of (args.dynamic_masks ?? []).entries())
        masks.push({ mask: await klingImage(ctx, m.mask, `dynamic_masks[${i}].mask`), trajectories: m.trajectories });
      const body: Record<string, unknown> = {
        ...videoOptionsBody(opts),
        ...(image ? { image } : {}),
        ...(tail ? { image_tail: tail } : {}),
        ...(staticMask ? { static_mask: staticMask } : {}),
        ...(masks.length ? { dynamic_masks: masks } : {}),
        ...(args.element_ids?.length ? { element_list: args.element_ids.map((element_id) => ({ element_id })) } : {}),
      };
      return submitKling(ctx, client, {
        family: FAMILY,
        op: "video",
        body,
        model: opts.model,
        label: args.prompt || "video from an image",
        wait_seconds: args.wait_seconds,
      });
    },
  });
}

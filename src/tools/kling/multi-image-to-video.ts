import { z } from "zod";
import type { CoreConfig } from "../../config.js";
import type { KlingClient } from "../../vendors/kling/client.js";
import { FAMILY_DEFAULT_MODEL } from "../../vendors/kling/models.js";
import { checkVideoOptions, VIDEO_RATIOS, videoOptionsBody } from "../../vendors/kling/video-options.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import { IMAGE_HELP, klingImages, modelField, submitKling, videoFields, wait } from "./common.js";

const FAMILY = "videos/multi-image2video";

export function klingMultiImageToVideo(client: KlingClient, core: CoreConfig) {
  const fallback = FAMILY_DEFAULT_MODEL[FAMILY];
  return defineTool({
    name: "kling_multi_image_to_video",
    title: "Kling multi-image reference video",
    description:
      "Generates a video with Kling AI (可灵) that combines up to 4 reference images (characters, objects, scenes) as the prompt describes. Images are used as given (no server-side cropping). " +
      "Paid: billed by Kling per video. Takes 1-10 minutes: the call returns a job_id when its wait budget runs out; then call wait_for_job.",
    input: {
      images: z.array(z.string().min(1)).min(1).max(4).describe(`1-4 reference images; each ${IMAGE_HELP}`),
      prompt: z.string().min(1).max(2500).describe("what happens in the video, referring to the subjects in the images"),
      model: modelField(FAMILY, fallback),
      aspect_ratio: z.enum(VIDEO_RATIOS).optional().describe("default 16:9"),
      negative_prompt: videoFields.negative_prompt,
      mode: videoFields.mode,
      duration: videoFields.duration,
      watermark: videoFields.watermark,
      ...wait(core),
    },
    output: jobResultShape,
    annotations: PAID_GENERATOR,
    async run(args, ctx) {
      const opts = { ...args, model: args.model ?? fallback };
      checkVideoOptions(FAMILY, opts);
      const images = await klingImages(ctx, args.images, "images");
      const body = { ...videoOptionsBody(opts), image_list: images.map((image) => ({ image })) };
      return submitKling(ctx, client, {
        family: FAMILY,
        op: "video",
        body,
        model: opts.model,
        label: args.prompt,
        wait_seconds: args.wait_seconds,
      });
    },
  });
}

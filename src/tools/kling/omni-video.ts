import { z } from "zod";
import type { CoreConfig } from "../../config.js";
import type { Catalog } from "../../vendors/kit/catalog.js";
import { DEFAULT_MODELS } from "../../vendors/kling/catalog.js";
import type { KlingClient } from "../../vendors/kling/client.js";
import type { KlingRoute } from "../../vendors/kling/families.js";
import { checkOmniVideo, FRAME_ROLES, REFER_TYPES } from "../../vendors/kling/requests.js";
import { checkVideoShape, VIDEO_RATIOS, videoOptionsBody } from "../../vendors/kling/video-options.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import { MAX_MEDIA_REF, loadInputUrl } from "../media-inputs.js";
import {
  checkKlingModel,
  durationField,
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
import { videoMeters } from "../../vendors/kling/pricing.js";
import { prose } from "../bounds.js";

export const OMNI_VIDEO_FAMILY = "videos/omni-video";
export const OMNI_VIDEO: KlingRoute = { standard: "legacy", family: OMNI_VIDEO_FAMILY };

export function klingOmniVideo(client: KlingClient, catalog: Catalog, core: CoreConfig, prices: KlingPrices) {
  const fallback = DEFAULT_MODELS.omniVideo;
  return defineTool({
    name: "kling_omni_video",
    title: "Kling Omni video",
    description:
      "Kling AI Omni video from text, frames, reference images, elements or a video to edit (<<<image_1>>> etc. in the prompt). Paid per video. 1-10 min: job_id for wait_for_job.",
    input: {
      prompt: prose(2500),
      images: z
        .array(
          z.object({
            image: z.string().min(1).max(MAX_MEDIA_REF).describe(IMAGE_HELP),
            role: z.enum(FRAME_ROLES).optional(),
          }),
        )
        .max(7)
        .optional()
        .describe("+ elements <= 7 (4 with video)"),
      element_ids: elementIds(7),
      video: z
        .object({
          url: z.string().min(1).max(MAX_MEDIA_REF).describe("mp4/mov 3-15 s, <= 200 MB"),
          refer_type: z.enum(REFER_TYPES).optional().describe("base = edit it"),
          keep_original_sound: z.boolean().optional(),
        })
        .optional(),
      model: modelField(),
      mode: videoFields.mode,
      aspect_ratio: z.enum(VIDEO_RATIOS).optional().describe("needed unless a first_frame or refer_type base sets it"),
      duration: durationField(catalog, OMNI_VIDEO_FAMILY),
      sound: videoFields.sound,
      multi_shot: videoFields.multi_shot,
      shot_type: videoFields.shot_type,
      multi_prompt: videoFields.multi_prompt,
      watermark: videoFields.watermark,
      ...wait(core),
    },
    output: jobResultShape,
    annotations: PAID_GENERATOR,
    quote(args) {
      const model = args.model ?? fallback;
      // An edited video is no longer than the model's longest video.
      const maxSeconds = catalog.largest(model, "duration", OMNI_VIDEO_FAMILY);
      return klingQuote(prices, model, OMNI_VIDEO_FAMILY, (unit) =>
        videoMeters({ ...args, standard: "legacy", omni: true, maxSeconds }, unit),
      );
    },
    async run(args, ctx) {
      const opts = { ...args, model: args.model ?? fallback };
      const call = checkKlingModel(ctx, client, catalog, OMNI_VIDEO, opts.model, args);
      const images = args.images ?? [];
      checkOmniVideo({
        roles: images.map((i) => i.role),
        elements: args.element_ids?.length ?? 0,
        video: args.video,
        aspect_ratio: args.aspect_ratio,
      });
      checkVideoShape(opts);
      const videoUrl = args.video && (await loadInputUrl(ctx.app, args.video.url, { field: "video.url", accept: ["video"] }, "Kling"));
      const imageList = [];
      for (const [i, img] of images.entries())
        imageList.push({ image_url: await klingImage(ctx, img.image, `images[${i}].image`), ...(img.role ? { type: img.role } : {}) });
      const body: Record<string, unknown> = {
        ...videoOptionsBody(opts),
        ...(imageList.length ? { image_list: imageList } : {}),
        ...(args.element_ids?.length ? { element_list: args.element_ids.map((element_id) => ({ element_id })) } : {}),
        ...(args.video
          ? {
              video_list: [
                {
                  video_url: videoUrl,
                  refer_type: args.video.refer_type ?? "feature",
                  ...(args.video.keep_original_sound !== undefined
                    ? { keep_original_sound: args.video.keep_original_sound ? "yes" : "no" }
                    : {}),
                },
              ],
            }
          : {}),
      };
      return submitKling(ctx, client, { route: OMNI_VIDEO, call, op: "video", body, label: args.prompt, wait_seconds: args.wait_seconds });
    },
  });
}

import { z } from "zod";
import type { CoreConfig } from "../../config.js";
import { toUrlOrDataUri } from "../../media/inputs.js";
import type { ArkClient } from "../../vendors/ark/client.js";
import type { ArkConfig } from "../../vendors/ark/config.js";
import { SEEDANCE_MODELS } from "../../vendors/ark/models.js";
import { checkSeedance, RATIOS, RESOLUTIONS, seedanceBody, SERVICE_TIERS } from "../../vendors/ark/seedance.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import { waitAndRender, waitSecondsSchema } from "../jobs.js";
import { loadInput, loadInputs, MEDIA_REF_HELP } from "../media-inputs.js";
import { VENDOR_ID } from "../../vendors/ark/config.js";

const MB = 1024 * 1024;

export function seedanceGenerateVideo(client: ArkClient, ark: ArkConfig, core: CoreConfig) {
  return defineTool({
    name: "seedance_generate_video",
    title: "Seedance video generation (Volcengine Ark)",
    description:
      "Generates a video with ByteDance Seedance on Volcengine Ark: text-to-video, first-frame image-to-video, first+last-frame, and (Seedance 2.0) multimodal reference video from images, videos and audio. " +
      "Paid: billed per generated video token by Ark (draft previews cost less). Takes 30 s to several minutes: the call returns a job_id when the wait budget runs out; then call wait_for_job. Never re-run the same request to check on it.",
    input: {
      prompt: z.string().max(4000).optional().describe("what happens in the video (required for text-to-video)"),
      model: z
        .string()
        .min(1)
        .optional()
        .describe(
          `model id or ep-… endpoint id (default ${ark.videoModel}); known: ${SEEDANCE_MODELS.map((m) => `${m.id} (${m.label})`).join(", ")}`,
        ),
      first_frame: z.string().min(1).optional().describe(`image the video starts from; ${MEDIA_REF_HELP}`),
      last_frame: z.string().min(1).optional().describe("image the video ends on (needs first_frame)"),
      reference_images: z
        .array(z.string().min(1))
        .max(9)
        .optional()
        .describe("reference images (Seedance 2.0: up to 9; 1.0 Lite i2v: up to 4); not with first_frame"),
      reference_videos: z.array(z.string().min(1)).max(3).optional().describe("reference videos, up to 3 (Seedance 2.0)"),
      reference_audios: z
        .array(z.string().min(1))
        .max(3)
        .optional()
        .describe("reference audio clips, up to 3 (Seedance 2.0; needs a reference image or video)"),
      draft_task_id: z
        .string()
        .min(1)
        .optional()
        .describe("vendor_task_id of an earlier draft video (Seedance 1.5 Pro) to render in full quality"),
      resolution: z.enum(RESOLUTIONS).optional().describe("default 720p (1.0 Pro: 1080p)"),
      ratio: z.enum(RATIOS).optional().describe("aspect ratio; adaptive follows the input image"),
      duration: z
        .number()
        .int()
        .min(-1)
        .max(15)
        .optional()
        .describe("seconds: 1.5 Pro 4-12, 1.0 2-12, 2.0 4-15; -1 lets 1.5 Pro/2.0 decide"),
      seed: z.number().int().min(-1).max(4294967295).optional().describe("-1 = random"),
      camera_fixed: z.boolean().optional().describe("keep the camera still"),
      watermark: z.boolean().optional().describe("add the AI-generated mark"),
      generate_audio: z.boolean().optional().describe("generate a synchronised soundtrack (Seedance 1.5 Pro and 2.0)"),
      draft: z.boolean().optional().describe("cheap 480p preview (Seedance 1.5 Pro); render it later with draft_task_id"),
      return_last_frame: z.boolean().optional().describe("also return the last frame as an image (to chain videos)"),
      service_tier: z.enum(SERVICE_TIERS).optional().describe('"flex" = cheaper offline queue, slower'),
      wait_seconds: waitSecondsSchema(core),
    },
    output: jobResultShape,
    annotations: PAID_GENERATOR,
    async run(args, ctx) {
      const model = args.model ?? ark.videoModel;
      checkSeedance({ ...args, model });
      const image = { accept: ["image" as const], maxBytes: 30 * MB };
      const [first, last, refImages, refVideos, refAudios] = await Promise.all([
        loadInput(ctx.app, args.first_frame, { ...image, field: "first_frame" }),
        loadInput(ctx.app, args.last_frame, { ...image, field: "last_frame" }),
        loadInputs(ctx.app, args.reference_images, { ...image, field: "reference_images" }),
        loadInputs(ctx.app, args.reference_videos, { field: "reference_videos", accept: ["video"], maxBytes: 50 * MB }),
        loadInputs(ctx.app, args.reference_audios, { field: "reference_audios", accept: ["audio"], maxBytes: 15 * MB }),
      ]);
      const body = seedanceBody({
        ...args,
        model,
        first_frame: first && toUrlOrDataUri(first),
        last_frame: last && toUrlOrDataUri(last),
        reference_images: refImages.map(toUrlOrDataUri),
        reference_videos: refVideos.map(toUrlOrDataUri),
        reference_audios: refAudios.map(toUrlOrDataUri),
      });
      ctx.progress("submitting the Seedance task");
      const jobId = await ctx.app.jobs.startTask({
        vendor: VENDOR_ID,
        op: "video",
        label: (args.prompt ?? "video from images").slice(0, 80),
        signal: ctx.signal,
        submit: async (signal) => ({ task: await client.createVideoTask(body, signal), model }),
      });
      return waitAndRender(ctx, jobId, args.wait_seconds, true);
    },
  });
}

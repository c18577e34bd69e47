import { z } from "zod";
import { idText, modelId, prose, quietRange } from "../bounds.js";
import type { CoreConfig } from "../../config.js";
import { toUrlOrDataUri } from "../../media/inputs.js";
import { ENDPOINTS } from "../../vendors/ark/catalog.js";
import { ARK_REFERENCES, type ArkClient } from "../../vendors/ark/client.js";
import type { ArkConfig } from "../../vendors/ark/config.js";
import {
  checkSeedanceContent,
  RATIOS,
  RESOLUTIONS,
  seedanceBody,
  seedanceFacts,
  SERVICE_TIERS,
  VIDEO_FORMATS,
} from "../../vendors/ark/seedance.js";
import type { Catalog } from "../../vendors/kit/catalog.js";
import { estimateCost, unknownEstimate, unpricedEstimate, type PriceBook } from "../../vendors/kit/price.js";
import { seedanceMeters } from "../../vendors/ark/pricing.js";
import { videoSeconds } from "./quote-inputs.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import { waitAndRender, waitSecondsSchema } from "../jobs.js";
import { MAX_ID, MAX_MEDIA_REF, loadInput, loadInputs } from "../media-inputs.js";
import { checkModel, explainRefusals } from "../model-check.js";
import { VENDOR_ID } from "../../vendors/ark/config.js";

const MB = 1024 * 1024;
const media = (max: number) => z.array(z.string().min(1).max(MAX_MEDIA_REF)).max(max).optional();
const VIDEO_RULE = { field: "reference_videos", accept: ["video" as const], maxBytes: 50 * MB, references: ARK_REFERENCES };

/** The model a call uses: the one named, else ARK_VIDEO_MODEL (or the built-in default). */
export function seedanceModel(ark: ArkConfig, args: { model?: string }): string {
  return args.model ?? ark.videoModel;
}

export function seedanceGenerateVideo(client: ArkClient, ark: ArkConfig, core: CoreConfig, catalog: Catalog, prices: PriceBook) {
  const endpoint = ENDPOINTS.video;
  return defineTool({
    name: "seedance_generate_video",
    title: "Seedance video generation (Volcengine Ark)",
    description:
      "Generates a video with Seedance (Volcengine Ark) from text, first/last frames or reference media. Paid per video token. Minutes: job_id for wait_for_job.",
    input: {
      prompt: prose(4000, 0).optional().describe("required for text-to-video"),
      model: modelId().optional().describe("or ep-… id"),
      first_frame: z.string().min(1).max(MAX_MEDIA_REF).optional(),
      last_frame: z.string().min(1).max(MAX_MEDIA_REF).optional().describe("needs first_frame"),
      reference_images: media(30),
      reference_videos: media(10),
      reference_audios: media(10),
      omni_reference_task_type: idText(64).min(1).optional().describe("2.x, e.g. first_last_frame"),
      draft_task_id: idText(MAX_ID).min(1).optional().describe("draft's vendor_task_id to render"),
      resolution: z.enum(RESOLUTIONS).optional(),
      ratio: z.enum(RATIOS).optional(),
      duration: quietRange(z.number().int().min(-1), -1, 120).optional().describe("s; -1 = model decides"),
      seed: quietRange(z.number().int(), -1, 4294967295).optional(),
      camera_fixed: z.boolean().optional(),
      watermark: z.boolean().optional(),
      generate_audio: z.boolean().optional(),
      draft: z.boolean().optional().describe("cheap 480p"),
      return_last_frame: z.boolean().optional(),
      service_tier: z.enum(SERVICE_TIERS).optional().describe("flex = cheaper, slower"),
      output_format: z.enum(VIDEO_FORMATS).optional(),
      wait_seconds: waitSecondsSchema(core),
    },
    output: jobResultShape,
    annotations: PAID_GENERATOR,
    async quote(args, ctx) {
      const model = seedanceModel(ark, args);
      const price = prices.find(model, endpoint);
      if (!price) return { vendor: VENDOR_ID, model, estimate: unpricedEstimate(model, "million_tokens") };
      const metering = seedanceMeters(
        {
          ...args,
          model,
          referenceVideoSeconds: await videoSeconds(ctx, args.reference_videos, VIDEO_RULE),
          maxDuration: catalog.largest(model, "duration"),
        },
        price.unit,
      );
      const estimate =
        "unknown" in metering
          ? unknownEstimate(`${metering.unknown} (${model})`, price.source)
          : estimateCost(model, price, metering.meters, metering.lowerBound);
      return { vendor: VENDOR_ID, model, estimate };
    },
    async run(args, ctx) {
      const budget = ctx.budget(args.wait_seconds);
      const model = seedanceModel(ark, args);
      const { wait_seconds: _wait, ...rest } = args;
      // duration -1 ("the model decides") is not a number of seconds to hold against a model's range.
      const call = { catalog, endpoint, model, args: { ...rest, duration: args.duration === -1 ? undefined : args.duration } };
      checkModel(ctx, call);
      checkSeedanceContent(args);
      const image = { accept: ["image" as const], maxBytes: 30 * MB, references: ARK_REFERENCES };
      const [first, last, refImages, refVideos, refAudios] = await Promise.all([
        loadInput(ctx, args.first_frame, { ...image, field: "first_frame" }),
        loadInput(ctx, args.last_frame, { ...image, field: "last_frame" }),
        loadInputs(ctx, args.reference_images, { ...image, field: "reference_images" }),
        loadInputs(ctx, args.reference_videos, VIDEO_RULE),
        loadInputs(ctx, args.reference_audios, {
          field: "reference_audios",
          accept: ["audio"],
          maxBytes: 15 * MB,
          references: ARK_REFERENCES,
        }),
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
        loads: ctx.limits.loads,
        vendor: VENDOR_ID,
        op: "video",
        model,
        label: (args.prompt ?? "video from images").slice(0, 80),
        budget,
        facts: seedanceFacts(body),
        signal: ctx.signal,
        submit: (signal) => explainRefusals(call, async () => ({ task: await client.createVideoTask(body, signal), model })),
      });
      return waitAndRender(ctx, jobId, budget, true);
    },
  });
}

import { z } from "zod";
import { idText, modelId, prose, quietRange } from "../bounds.js";
import type { CoreConfig } from "../../config.js";
import { toUrlOrDataUri } from "../../media/inputs.js";
import { ENDPOINTS } from "../../vendors/ark/catalog.js";
import { ARK_REFERENCES, type ArkClient } from "../../vendors/ark/client.js";
import type { ArkConfig } from "../../vendors/ark/config.js";
import {
  checkSeedreamGroup,
  IMAGE_FORMATS,
  MAX_GROUP_TOTAL,
  MAX_REFERENCE_IMAGES,
  PROMPT_OPTIMIZATION,
  seedreamBody,
  seedreamResult,
  THINKING,
} from "../../vendors/ark/seedream.js";
import type { Catalog } from "../../vendors/kit/catalog.js";
import { estimateCost, unknownEstimate, unpricedEstimate, type PriceBook } from "../../vendors/kit/price.js";
import { seedreamMeters } from "../../vendors/ark/pricing.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import { waitAndRender, waitSecondsSchema } from "../jobs.js";
import { MAX_ID, MAX_MEDIA_REF, loadInputs } from "../media-inputs.js";
import { checkModel, explainRefusals } from "../model-check.js";
import { VENDOR_ID } from "../../vendors/ark/config.js";

const IMAGE_MIMES = ["image/jpeg", "image/png", "image/webp", "image/bmp", "image/tiff", "image/gif"];
const TIER = /^\d+(\.\d+)?k$/i;

/** The default model: groups (max_images > 1) have their own default, since the single-image default cannot make them. */
export function seedreamModel(ark: ArkConfig, args: { model?: string; max_images?: number }): string {
  return args.model ?? ((args.max_images ?? 1) > 1 ? ark.imageGroupModel : ark.imageModel);
}

export function seedreamGenerateImage(client: ArkClient, ark: ArkConfig, core: CoreConfig, catalog: Catalog, prices: PriceBook) {
  const endpoint = ENDPOINTS.image;
  return defineTool({
    name: "seedream_generate_image",
    title: "Seedream image generation (Volcengine Ark)",
    description:
      "Generates images with Seedream (Volcengine Ark): text-to-image, editing, fusion, groups (max_images > 1). Paid per image. 10-60 s, else a job_id for wait_for_job.",
    input: {
      prompt: prose(4000),
      images: z.array(z.string().min(1).max(MAX_MEDIA_REF)).max(MAX_REFERENCE_IMAGES).optional().describe("or asset://<id>; <= 10 MB"),
      model: modelId().optional().describe("or ep-… id"),
      size: idText(MAX_ID)
        .regex(
          /^(\d+(\.\d+)?[kK]|adaptive|\d{2,5}x\d{2,5})$/,
          'must be a tier such as "2K" or "2k", "adaptive", or WIDTHxHEIGHT such as "2048x2048"',
        )
        .optional()
        .describe("1K-4K or WxH"),
      seed: quietRange(z.number().int(), -1, 2147483647).optional(),
      watermark: z.boolean().optional().describe("default true"),
      max_images: z.number().int().min(1).max(MAX_GROUP_TOTAL).optional().describe(`2+ = group (refs + images <= ${MAX_GROUP_TOTAL})`),
      prompt_optimization: z.enum(PROMPT_OPTIMIZATION).optional(),
      thinking: z.enum(THINKING).optional().describe("5.0"),
      output_format: z.enum(IMAGE_FORMATS).optional(),
      wait_seconds: waitSecondsSchema(core),
    },
    output: jobResultShape,
    annotations: PAID_GENERATOR,
    quote(args) {
      const model = seedreamModel(ark, args);
      const price = prices.find(model, endpoint);
      const metering = seedreamMeters(args, price?.unit ?? "image");
      const estimate =
        "unknown" in metering
          ? unknownEstimate(`${metering.unknown} (${model})`, price?.source)
          : price
            ? estimateCost(model, price, metering.meters)
            : unpricedEstimate(model, "image");
      return { vendor: VENDOR_ID, model, estimate };
    },
    async run(args, ctx) {
      const budget = ctx.budget(args.wait_seconds);
      const model = seedreamModel(ark, args);
      // The catalog lists tiers: they are compared case-insensitively and WIDTHxHEIGHT is left to Ark (the vendor gets the size as given).
      const size = args.size?.includes("x") ? undefined : args.size && TIER.test(args.size) ? args.size.toUpperCase() : args.size;
      const { wait_seconds: _wait, ...rest } = args;
      const call = { catalog, endpoint, model, args: { ...rest, size } };
      checkModel(ctx, call);
      checkSeedreamGroup({ imageCount: args.images?.length ?? 0, max_images: args.max_images });
      const images = await loadInputs(ctx, args.images, {
        field: "images",
        accept: ["image"],
        maxBytes: 10 * 1024 * 1024,
        mimes: IMAGE_MIMES,
        references: ARK_REFERENCES,
      });
      const body = seedreamBody({ ...args, model, images: images.map(toUrlOrDataUri) });
      const jobId = await ctx.app.jobs.startLocal({
        loads: ctx.limits.loads,
        vendor: VENDOR_ID,
        op: "image",
        model,
        label: args.prompt.slice(0, 80),
        outputKind: "image",
        run: (signal, answered) => explainRefusals(call, async () => seedreamResult(await client.generateImages(body, signal, answered))),
      });
      return waitAndRender(ctx, jobId, budget, true);
    },
  });
}

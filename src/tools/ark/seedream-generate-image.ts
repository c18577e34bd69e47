import { z } from "zod";
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
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import { waitAndRender, waitSecondsSchema } from "../jobs.js";
import { MAX_ID, MAX_MEDIA_REF, MEDIA_REF_HELP, loadInputs } from "../media-inputs.js";
import { checkModel, explainRefusals } from "../model-check.js";
import { VENDOR_ID } from "../../vendors/ark/config.js";

const IMAGE_MIMES = ["image/jpeg", "image/png", "image/webp", "image/bmp", "image/tiff", "image/gif"];
const TIER = /^\d+(\.\d+)?k$/i;

/** The default model: groups (max_images > 1) have their own default, since the single-image default cannot make them. */
export function seedreamModel(ark: ArkConfig, args: { model?: string; max_images?: number }): string {
  return args.model ?? ((args.max_images ?? 1) > 1 ? ark.imageGroupModel : ark.imageModel);
}

export function seedreamGenerateImage(client: ArkClient, ark: ArkConfig, core: CoreConfig, catalog: Catalog) {
  const endpoint = ENDPOINTS.image;
  const defaults =
    ark.imageGroupModel === ark.imageModel ? `default ${ark.imageModel}` : `default ${ark.imageModel}, for groups ${ark.imageGroupModel}`;
  return defineTool({
    name: "seedream_generate_image",
    title: "Seedream image generation (Volcengine Ark)",
    description:
      "Generates images with ByteDance Seedream (Volcengine Ark): text-to-image, editing, multi-image fusion, and consistent groups (max_images > 1). Paid per image. Typically 10-60 s; if longer it returns a job_id for wait_for_job. Per-model sizes and options: list_models.",
    input: {
      prompt: z
        .string()
        .min(1)
        .max(4000)
        .describe("what to generate or how to edit; Chinese or English (best under ~300 Chinese characters / 600 English words)"),
      images: z
        .array(z.string().min(1).max(MAX_MEDIA_REF))
        .max(MAX_REFERENCE_IMAGES)
        .optional()
        .describe(
          `reference images (how many depends on the model); each ${MEDIA_REF_HELP}, or asset://<id>. jpeg/png/webp/bmp/tiff/gif, <= 10 MB`,
        ),
      model: z.string().min(1).max(128).optional().describe(`model id or ep-… endpoint id (${defaults}); models: list_models`),
      size: z
        .string()
        .max(MAX_ID)
        .regex(
          /^(\d+(\.\d+)?[kK]|adaptive|\d{2,5}x\d{2,5})$/,
          'must be a tier such as "2K" or "2k", "adaptive", or WIDTHxHEIGHT such as "2048x2048"',
        )
        .optional()
        .describe("a tier (1K, 2K, 3K, 4K; which ones depends on the model) or WIDTHxHEIGHT, e.g. 2048x2048, 2560x1440 (16:9)"),
      seed: z.number().int().min(-1).max(2147483647).optional().describe("-1 = random"),
      watermark: z.boolean().optional().describe('add the "AI生成" mark at the bottom right (Ark default: true)'),
      max_images: z
        .number()
        .int()
        .min(1)
        .max(MAX_GROUP_TOTAL)
        .optional()
        .describe(`1 = a single image (default); 2-${MAX_GROUP_TOTAL} = an image group (reference + generated <= ${MAX_GROUP_TOTAL})`),
      prompt_optimization: z.enum(PROMPT_OPTIMIZATION).optional().describe("prompt rewriting mode"),
      thinking: z.enum(THINKING).optional().describe("the model's reasoning while rewriting the prompt (Seedream 5.0)"),
      output_format: z.enum(IMAGE_FORMATS).optional().describe("image file format (Seedream 5.0)"),
      wait_seconds: waitSecondsSchema(core),
    },
    output: jobResultShape,
    annotations: PAID_GENERATOR,
    async run(args, ctx) {
      const budget = ctx.budget(args.wait_seconds);
      const model = seedreamModel(ark, args);
      // The catalog lists tiers: they are compared case-insensitively and WIDTHxHEIGHT is left to Ark (the vendor gets the size as given).
      const size = args.size?.includes("x") ? undefined : args.size && TIER.test(args.size) ? args.size.toUpperCase() : args.size;
      const { wait_seconds: _wait, ...rest } = args;
      const call = { catalog, endpoint, model, args: { ...rest, size } };
      checkModel(ctx, call);
      checkSeedreamGroup({ imageCount: args.images?.length ?? 0, max_images: args.max_images });
      const images = await loadInputs(ctx.app, args.images, {
        field: "images",
        accept: ["image"],
        maxBytes: 10 * 1024 * 1024,
        mimes: IMAGE_MIMES,
        references: ARK_REFERENCES,
      });
      const body = seedreamBody({ ...args, model, images: images.map(toUrlOrDataUri) });
      const jobId = await ctx.app.jobs.startLocal({
        vendor: VENDOR_ID,
        op: "image",
        model,
        label: args.prompt.slice(0, 80),
        outputKind: "image",
        run: (signal) => explainRefusals(call, async () => seedreamResult(await client.generateImages(body, signal))),
      });
      return waitAndRender(ctx, jobId, budget, true);
    },
  });
}

import { z } from "zod";
import type { CoreConfig } from "../../config.js";
import { toUrlOrDataUri } from "../../media/inputs.js";
import type { ArkClient } from "../../vendors/ark/client.js";
import type { ArkConfig } from "../../vendors/ark/config.js";
import { SEEDREAM_MODELS } from "../../vendors/ark/models.js";
import { checkSeedream, MAX_REFERENCE_IMAGES, seedreamBody, seedreamResult } from "../../vendors/ark/seedream.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import { waitAndRender, waitSecondsSchema } from "../jobs.js";
import { loadInputs, MEDIA_REF_HELP } from "../media-inputs.js";
import { VENDOR_ID } from "../../vendors/ark/config.js";

const IMAGE_MIMES = ["image/jpeg", "image/png", "image/webp", "image/bmp", "image/tiff", "image/gif"];

export function seedreamGenerateImage(client: ArkClient, ark: ArkConfig, core: CoreConfig) {
  return defineTool({
    name: "seedream_generate_image",
    title: "Seedream image generation (Volcengine Ark)",
    description:
      "Generates images with ByteDance Seedream on Volcengine Ark: text-to-image, image editing (1 reference image), multi-image fusion (2-14 reference images) and image groups (max_images > 1 makes a consistent series). " +
      "Paid: each generated image is billed by Ark. Images are saved to the output folder and returned inline when small. Typical time 10-60 s; if it takes longer the call returns a job_id for wait_for_job.",
    input: {
      prompt: z
        .string()
        .min(1)
        .max(4000)
        .describe("what to generate or how to edit; Chinese or English (best under ~300 Chinese characters / 600 English words)"),
      images: z
        .array(z.string().min(1))
        .max(MAX_REFERENCE_IMAGES)
        .optional()
        .describe(`reference images (0-${MAX_REFERENCE_IMAGES}); each ${MEDIA_REF_HELP}. jpeg/png/webp/bmp/tiff/gif, <= 10 MB each`),
      model: z
        .string()
        .min(1)
        .optional()
        .describe(
          `model id or ep-… endpoint id (default ${ark.imageModel}); known: ${SEEDREAM_MODELS.map((m) => `${m.id} (${m.label})`).join(", ")}`,
        ),
      size: z
        .string()
        .regex(
          /^(1K|2K|3K|4K|adaptive|\d{2,5}x\d{2,5})$/,
          'must be one of "1K", "2K", "3K", "4K", "adaptive", or WIDTHxHEIGHT such as "2048x2048"',
        )
        .optional()
        .describe(
          'a tier ("1K", "2K", "4K"; 4.5 has no 1K; 5.0 Lite: "2K", "3K") or WIDTHxHEIGHT, e.g. 2048x2048, 2560x1440 (16:9), 1440x2560 (9:16), 2304x1728 (4:3); default 2048x2048',
        ),
      seed: z.number().int().min(-1).max(2147483647).optional().describe("-1 = random"),
      watermark: z.boolean().optional().describe('add the "AI生成" mark at the bottom right (Ark default: true)'),
      max_images: z
        .number()
        .int()
        .min(1)
        .max(15)
        .optional()
        .describe("1 = a single image (default); 2-15 = an image group (reference + generated <= 15)"),
      prompt_optimization: z.enum(["standard", "fast"]).optional().describe('prompt rewriting mode; "fast" is Seedream 4.0 only'),
      wait_seconds: waitSecondsSchema(core),
    },
    output: jobResultShape,
    annotations: PAID_GENERATOR,
    async run(args, ctx) {
      const model = args.model ?? ark.imageModel;
      checkSeedream({
        model,
        imageCount: args.images?.length ?? 0,
        size: args.size,
        max_images: args.max_images,
        prompt_optimization: args.prompt_optimization,
      });
      const images = await loadInputs(ctx.app, args.images, {
        field: "images",
        accept: ["image"],
        maxBytes: 10 * 1024 * 1024,
        mimes: IMAGE_MIMES,
      });
      const body = seedreamBody({ ...args, model, images: images.map(toUrlOrDataUri) });
      const jobId = await ctx.app.jobs.startLocal({
        vendor: VENDOR_ID,
        op: "image",
        model,
        label: args.prompt.slice(0, 80),
        outputKind: "image",
        run: async (signal) => seedreamResult(await client.generateImages(body, signal)),
      });
      return waitAndRender(ctx, jobId, args.wait_seconds, true);
    },
  });
}

import { z } from "zod";
import type { CoreConfig } from "../../config.js";
import type { VisualClient } from "../../vendors/visual/client.js";
import { findImageModel, JIMENG_IMAGE_KEYS, JIMENG_IMAGE_MODELS } from "../../vendors/visual/models.js";
import { checkImageLimits, checkImageRequest, imageBody, imageFields, placeDelivery } from "../../vendors/visual/requests.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import { waitSecondsSchema } from "../jobs.js";
import { loadInputs, MEDIA_REF_HELP } from "../media-inputs.js";
import { aigcMetaSchema, JPEG_PNG, logoSchema, MB, runAsync, runSync } from "./common.js";

export function jimengGenerateImage(client: VisualClient, core: CoreConfig) {
  return defineTool({
    name: "jimeng_generate_image",
    title: "Jimeng image generation (Volcengine Visual)",
    description:
      "Generates images with ByteDance Jimeng (即梦) on the Volcengine Visual API. Default Jimeng 4.0: text-to-image, editing one image by instruction, and multi-image composition from up to 10 reference images; also Jimeng 3.0/3.1 text-to-image, 3.0 image-to-image, Seedream 3.0 and the synchronous Jimeng 2.1. " +
      "Paid: billed per generated image by Volcengine. Images are saved to the output folder (vendor URLs last 24 h). Typically 10-60 s; if longer the call returns a job_id for wait_for_job. Never re-run the same request to check on it.",
    input: {
      prompt: z
        .string()
        .min(1)
        .max(2000)
        .describe("what to generate or how to edit; Chinese or English (Jimeng 4.0: at most ~800 characters works best)"),
      model: z
        .enum(JIMENG_IMAGE_KEYS)
        .optional()
        .describe(`req_key (default jimeng_t2i_v40): ${JIMENG_IMAGE_MODELS.map((m) => `${m.reqKey} = ${m.label}`).join("; ")}`),
      images: z
        .array(z.string().min(1))
        .max(10)
        .optional()
        .describe(
          `reference images: Jimeng 4.0 takes 0-10 (<= 6 recommended), jimeng_i2i_v30 exactly 1; each ${MEDIA_REF_HELP}. JPEG/PNG, <= 15 MB, <= 4096x4096, aspect ratio 1:3 to 3:1`,
        ),
      size: z
        .number()
        .int()
        .min(1024 * 1024)
        .max(4096 * 4096)
        .optional()
        .describe(
          "Jimeng 4.0: output area in pixels, 1048576 (1024²) to 16777216 (4096²), default 4194304 (2048²); the model picks the shape",
        ),
      width: z
        .number()
        .int()
        .min(256)
        .max(8192)
        .optional()
        .describe(
          "output width in px, with height (4.0: width x height within 1024²-4096², e.g. 2048x2048, 2560x1440, 2304x1728; 3.x: 512-2048; 2.1: 256-768)",
        ),
      height: z.number().int().min(256).max(8192).optional().describe("output height in px, with width"),
      scale: z
        .number()
        .min(0)
        .max(10)
        .optional()
        .describe("how strongly the text steers the image: 4.0 and i2i 0-1 (default 0.5); 3.x t2i and Seedream 3.0 1-10 (default 2.5)"),
      force_single: z
        .boolean()
        .optional()
        .describe("Jimeng 4.0: always return exactly one image (default false: the model may return several, each billed)"),
      min_ratio: z
        .number()
        .min(1 / 16)
        .max(16)
        .optional()
        .describe("Jimeng 4.0: smallest width/height ratio allowed (default 1/3)"),
      max_ratio: z
        .number()
        .min(1 / 16)
        .max(16)
        .optional()
        .describe("Jimeng 4.0: largest width/height ratio allowed (default 3)"),
      seed: z.number().int().min(-1).max(2147483647).optional().describe("-1 = random"),
      use_pre_llm: z.boolean().optional().describe("3.x/2.1/Seedream 3.0: let an LLM expand a short prompt (vendor default true)"),
      logo: logoSchema,
      aigc_meta: aigcMetaSchema,
      wait_seconds: waitSecondsSchema(core),
    },
    output: jobResultShape,
    annotations: PAID_GENERATOR,
    async run(args, ctx) {
      const model = args.model ?? "jimeng_t2i_v40";
      const req = { ...args, model, imageCount: args.images?.length ?? 0 };
      checkImageRequest(req);
      const m = findImageModel(model)!;
      const delivery = placeDelivery(m.mode, { returnUrl: true, logo: args.logo, aigcMeta: args.aigc_meta });
      const images = await loadInputs(ctx.app, args.images, { field: "images", accept: ["image"], maxBytes: 15 * MB, mimes: JPEG_PNG });
      checkImageLimits(images, "images", { maxEdge: 4096, maxRatio: 3 });
      const body = { ...imageBody(req, imageFields(images, "images")), ...delivery.bodyFields };
      if (m.mode === "sync")
        return runSync(ctx, client, {
          op: "image",
          reqKey: model,
          body,
          label: args.prompt,
          waitSeconds: args.wait_seconds,
          kind: "image",
        });
      return runAsync(ctx, client, {
        op: "image",
        reqKey: model,
        body,
        reqJson: delivery.reqJson,
        label: args.prompt,
        waitSeconds: args.wait_seconds,
      });
    },
  });
}

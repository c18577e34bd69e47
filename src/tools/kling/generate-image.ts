import { z } from "zod";
import type { CoreConfig } from "../../config.js";
import type { Catalog } from "../../vendors/kit/catalog.js";
import type { KlingClient } from "../../vendors/kling/client.js";
import type { KlingConfig } from "../../vendors/kling/config.js";
import type { KlingRoute } from "../../vendors/kling/families.js";
import { checkGenerateImage, IMAGE_RATIOS, IMAGE_REFERENCES, RESOLUTIONS } from "../../vendors/kling/requests.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import {
  checkKlingModel,
  elementIds,
  IMAGE_HELP,
  klingImage,
  klingQuote,
  modelField,
  submitKling,
  wait,
  type KlingPrices,
} from "./common.js";
import { imageMeters } from "../../vendors/kling/pricing.js";
import { MAX_MEDIA_REF } from "../media-inputs.js";
import { prose } from "../bounds.js";

const FAMILY = "images/generations" as const;
const ROUTE: KlingRoute = { standard: "legacy", family: FAMILY };

export const imageCount = z.number().int().min(1).max(9).optional();

export function klingGenerateImage(client: KlingClient, catalog: Catalog, cfg: KlingConfig, core: CoreConfig, prices: KlingPrices) {
  return defineTool({
    name: "kling_generate_image",
    title: "Kling image generation",
    description:
      "Generates 1-9 images with Kling AI from a prompt, a reference image (2.1) or elements (3.0). Paid per image." +
      " 10-60 s, else a job_id for wait_for_job.",
    input: {
      prompt: prose(2500),
      negative_prompt: z.string().max(2500).optional(),
      image: z.string().min(1).max(MAX_MEDIA_REF).optional().describe(IMAGE_HELP),
      image_reference: z.enum(IMAGE_REFERENCES).optional().describe("2.1"),
      image_fidelity: z.number().min(0).max(1).optional().describe("2.1"),
      human_fidelity: z.number().min(0).max(1).optional().describe("2.1, subject"),
      element_ids: elementIds(10),
      resolution: z.enum(RESOLUTIONS).optional(),
      n: imageCount,
      aspect_ratio: z.enum(IMAGE_RATIOS).optional(),
      model: modelField(),
      ...wait(core),
    },
    output: jobResultShape,
    annotations: PAID_GENERATOR,
    quote(args) {
      const model = args.model ?? cfg.imageModel;
      return klingQuote(prices, model, FAMILY, () => imageMeters({ ...args, family: FAMILY, image: !!args.image }));
    },
    async run(args, ctx) {
      const model = args.model ?? cfg.imageModel;
      const call = checkKlingModel(ctx, client, catalog, ROUTE, model, args);
      checkGenerateImage({ ...args, image: !!args.image, elements: args.element_ids?.length ?? 0 });
      const image = await klingImage(ctx, args.image, "image");
      const { wait_seconds, model: _m, image: _i, element_ids, ...rest } = args;
      const body = {
        model_name: model,
        ...rest,
        ...(image ? { image } : {}),
        ...(element_ids?.length ? { element_list: element_ids.map((element_id) => ({ element_id })) } : {}),
      };
      return submitKling(ctx, client, { route: ROUTE, call, op: "image", body, label: args.prompt, wait_seconds });
    },
  });
}

import { z } from "zod";
import type { CoreConfig } from "../../config.js";
import { inputError } from "../../errors.js";
import type { Catalog } from "../../vendors/kit/catalog.js";
import { DEFAULT_MODELS } from "../../vendors/kling/catalog.js";
import type { KlingClient } from "../../vendors/kling/client.js";
import type { KlingRoute } from "../../vendors/kling/families.js";
import { checkOmniImage, OMNI_IMAGE_RATIOS, RESOLUTIONS, RESULT_TYPES, SERIES_AMOUNTS } from "../../vendors/kling/requests.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import { imageCount } from "./generate-image.js";
import {
  checkKlingModel,
  elementIds,
  IMAGE_HELP,
  klingImages,
  klingQuote,
  modelField,
  submitKling,
  wait,
  type KlingPrices,
} from "./common.js";
import { imageMeters } from "../../vendors/kling/pricing.js";
import { MAX_MEDIA_REF } from "../media-inputs.js";
import { prose } from "../bounds.js";

const FAMILY = "images/omni-image" as const;
const SERIES_AUTO = SERIES_AMOUNTS[0];
const ROUTE: KlingRoute = { standard: "legacy", family: FAMILY };

export function klingOmniImage(client: KlingClient, catalog: Catalog, core: CoreConfig, prices: KlingPrices) {
  const fallback = DEFAULT_MODELS.omniImage;
  return defineTool({
    name: "kling_omni_image",
    title: "Kling Omni image",
    description:
      "Kling AI Omni image: generates or edits images with reference images and elements (<<<image_1>>>, <<<element_1>>>), n images or a series. Paid per image." +
      " 10-90 s, else a job_id for wait_for_job.",
    input: {
      prompt: prose(2500),
      images: z.array(z.string().min(1).max(MAX_MEDIA_REF)).max(10).optional().describe(`+ elements <= 10; ${IMAGE_HELP}`),
      element_ids: elementIds(10),
      resolution: z.enum(RESOLUTIONS).optional(),
      result_type: z.enum(RESULT_TYPES).optional(),
      n: imageCount,
      // A number and a flag, not a union of a number and "auto": LangChain's adapter drops such a union's type (issue 12).
      series_amount: z.number().int().min(2).max(9).optional(),
      series_auto: z.boolean().optional().describe("Kling picks the amount"),
      aspect_ratio: z.enum(OMNI_IMAGE_RATIOS).optional(),
      model: modelField(),
      ...wait(core),
    },
    output: jobResultShape,
    annotations: PAID_GENERATOR,
    quote(args) {
      const model = args.model ?? fallback;
      const series_amount = args.series_auto ? SERIES_AUTO : args.series_amount;
      return klingQuote(prices, model, FAMILY, () => imageMeters({ ...args, family: FAMILY, series_amount }));
    },
    async run(args, ctx) {
      const model = args.model ?? fallback;
      const { series_auto, ...given } = args;
      if (series_auto && args.series_amount !== undefined) throw inputError("series_auto", "give series_amount or series_auto, not both");
      const opts = series_auto ? { ...given, series_amount: SERIES_AUTO } : given;
      const call = checkKlingModel(ctx, client, catalog, ROUTE, model, opts);
      checkOmniImage({ ...opts, images: args.images?.length ?? 0, elements: args.element_ids?.length ?? 0 });
      const images = await klingImages(ctx, args.images, "images");
      const { wait_seconds, model: _m, images: _i, element_ids, ...rest } = opts;
      const body: Record<string, unknown> = {
        model_name: model,
        ...rest,
        ...(images.length ? { image_list: images.map((image) => ({ image })) } : {}),
        ...(element_ids?.length ? { element_list: element_ids.map((element_id) => ({ element_id })) } : {}),
      };
      return submitKling(ctx, client, { route: ROUTE, call, op: "image", body, label: args.prompt, wait_seconds });
    },
  });
}

import { z } from "zod";
import type { CoreConfig } from "../../config.js";
import type { Catalog } from "../../vendors/kit/catalog.js";
import type { KlingClient } from "../../vendors/kling/client.js";
import type { KlingConfig } from "../../vendors/kling/config.js";
import { VIDEO_ROUTES, videoRoute } from "../../vendors/kling/families.js";
import { checkNewStandard, newStandardBody } from "../../vendors/kling/standard.js";
import { checkVideoShape, VIDEO_RATIOS, videoOptionsBody } from "../../vendors/kling/video-options.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import { checkKlingModel, modelField, submitKling, videoFields, wait } from "./common.js";

const { family: FAMILY, product: PRODUCT } = VIDEO_ROUTES.t2v;

export function klingTextToVideo(client: KlingClient, catalog: Catalog, cfg: KlingConfig, core: CoreConfig) {
  return defineTool({
    name: "kling_text_to_video",
    title: "Kling text-to-video",
    description:
      "Generates a video from a text prompt with Kling AI (可灵): optional sound, multi-shot, 4k, depending on the model (list_models). " +
      "Paid: billed by Kling per video (pro, 4k and longer videos cost more). Takes 1-10 minutes: the call returns a job_id when its wait budget runs out; then call wait_for_job. Never re-run the same request to check on it.",
    input: {
      prompt: z.string().min(1).max(3072).describe("what happens in the video (<= 2500 characters on most models, 3072 on Kling 3.0)"),
      model: modelField(catalog, cfg.videoModel, FAMILY, PRODUCT),
      aspect_ratio: z.enum(VIDEO_RATIOS).optional().describe("default 16:9"),
      ...videoFields,
      ...wait(core),
    },
    output: jobResultShape,
    annotations: PAID_GENERATOR,
    async run(args, ctx) {
      const opts = { ...args, model: args.model ?? cfg.videoModel };
      const route = videoRoute("t2v", catalog.find(opts.model)?.endpoints, opts.model);
      const call = checkKlingModel(ctx, client, catalog, route, opts.model, args);
      checkVideoShape(opts);
      if (route.standard === "new") checkNewStandard(route.product, opts.model, args);
      const body = route.standard === "new" ? newStandardBody(route.product, opts) : videoOptionsBody(opts);
      return submitKling(ctx, client, { route, call, op: "video", body, label: args.prompt, wait_seconds: args.wait_seconds });
    },
  });
}

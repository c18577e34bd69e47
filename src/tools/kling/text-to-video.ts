import { z } from "zod";
import type { CoreConfig } from "../../config.js";
import type { KlingClient } from "../../vendors/kling/client.js";
import type { KlingConfig } from "../../vendors/kling/config.js";
import { checkVideoOptions, VIDEO_RATIOS, videoOptionsBody } from "../../vendors/kling/video-options.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import { modelField, submitKling, videoFields, wait } from "./common.js";

const FAMILY = "videos/text2video";

export function klingTextToVideo(client: KlingClient, cfg: KlingConfig, core: CoreConfig) {
  return defineTool({
    name: "kling_text_to_video",
    title: "Kling text-to-video",
    description:
      "Generates a video from a text prompt with Kling AI (可灵): camera moves, optional sound and voices (Kling 2.6+), multi-shot (Kling 3.0). " +
      "Paid: billed by Kling per video (pro mode and 10 s cost more). Takes 1-10 minutes: the call returns a job_id when its wait budget runs out; then call wait_for_job. Never re-run the same request to check on it.",
    input: {
      prompt: z
        .string()
        .min(1)
        .max(2500)
        .describe("what happens in the video (<= 2500 characters); voices are referenced as <<<voice_1>>>"),
      model: modelField(FAMILY, cfg.videoModel),
      aspect_ratio: z.enum(VIDEO_RATIOS).optional().describe("default 16:9"),
      ...videoFields,
      ...wait(core),
    },
    output: jobResultShape,
    annotations: PAID_GENERATOR,
    async run(args, ctx) {
      const opts = { ...args, model: args.model ?? cfg.videoModel };
      checkVideoOptions(FAMILY, opts);
      return submitKling(ctx, client, {
        family: FAMILY,
        op: "video",
        body: videoOptionsBody(opts),
        model: opts.model,
        label: args.prompt,
        wait_seconds: args.wait_seconds,
      });
    },
  });
}

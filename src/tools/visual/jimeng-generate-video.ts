import { z } from "zod";
import type { CoreConfig } from "../../config.js";
import type { VisualClient } from "../../vendors/visual/client.js";
import { JIMENG_VIDEO_KEYS, JIMENG_VIDEO_MODELS, VIDEO_ASPECT_RATIOS } from "../../vendors/visual/models.js";
import { checkImageLimits, checkVideoRequest, imageFields, placeDelivery, videoBody } from "../../vendors/visual/requests.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import { waitSecondsSchema } from "../jobs.js";
import { loadInput, MEDIA_REF_HELP } from "../media-inputs.js";
import { aigcMetaSchema, JPEG_PNG, MB, runAsync } from "./common.js";

export function jimengGenerateVideo(client: VisualClient, core: CoreConfig) {
  return defineTool({
    name: "jimeng_generate_video",
    title: "Jimeng video generation (Volcengine Visual)",
    description:
      "Generates a 5 or 10 second video with ByteDance Jimeng (即梦) 3.0 on the Volcengine Visual API: text-to-video, first-frame image-to-video, and first+last-frame video. Default Jimeng 3.0 Pro (1080P, text or first frame). " +
      "Paid: billed per second of successful video (3.0 Pro is the most expensive). Takes 1-5 minutes: the call returns a job_id when the wait budget runs out; then call wait_for_job (the video is downloaded as soon as it is ready, because Jimeng video URLs expire after 1 hour). Never re-run the same request to check on it.",
    input: {
      prompt: z
        .string()
        .min(1)
        .max(800)
        .optional()
        .describe("what happens in the video (required for text-to-video; <= 400 characters recommended)"),
      model: z
        .enum(JIMENG_VIDEO_KEYS)
        .optional()
        .describe(`req_key (default jimeng_ti2v_v30_pro): ${JIMENG_VIDEO_MODELS.map((m) => `${m.reqKey} = ${m.label}`).join("; ")}`),
      first_frame: z
        .string()
        .min(1)
        .optional()
        .describe(
          `image the video starts from; ${MEDIA_REF_HELP}. JPEG/PNG, <= 4.7 MB, <= 4096x4096, short side >= 320 px, long side <= 3x short side`,
        ),
      last_frame: z
        .string()
        .min(1)
        .optional()
        .describe("image the video ends on (jimeng_i2v_first_tail_v30 models only; needs first_frame)"),
      duration: z
        .union([z.literal(5), z.literal(10)])
        .optional()
        .describe("seconds: 5 (default) or 10; sent as 121 or 241 frames"),
      aspect_ratio: z
        .enum(VIDEO_ASPECT_RATIOS)
        .optional()
        .describe("text-to-video only (default 16:9); with a first frame the image's shape is used"),
      seed: z.number().int().min(-1).max(2147483647).optional().describe("-1 = random (default)"),
      aigc_meta: aigcMetaSchema,
      wait_seconds: waitSecondsSchema(core),
    },
    output: jobResultShape,
    annotations: PAID_GENERATOR,
    async run(args, ctx) {
      const model = args.model ?? "jimeng_ti2v_v30_pro";
      const req = { ...args, model, hasFirst: args.first_frame !== undefined, hasLast: args.last_frame !== undefined };
      checkVideoRequest(req);
      const delivery = placeDelivery("async", { aigcMeta: args.aigc_meta });
      const rule = { accept: ["image" as const], maxBytes: 4.7 * MB, mimes: JPEG_PNG };
      const first = await loadInput(ctx.app, args.first_frame, { ...rule, field: "first_frame" });
      const last = await loadInput(ctx.app, args.last_frame, { ...rule, field: "last_frame" });
      const limits = { maxEdge: 4096, minShort: 320, maxRatio: 3 };
      if (first) checkImageLimits([first], "first_frame", limits);
      if (last) checkImageLimits([last], "last_frame", limits);
      const frames = [first, last].filter((f) => f !== undefined);
      const body = videoBody(req, imageFields(frames, "first_frame"));
      return runAsync(ctx, client, {
        op: "video",
        reqKey: model,
        body,
        reqJson: delivery.reqJson,
        label: args.prompt ?? "video from a first frame",
        waitSeconds: args.wait_seconds,
      });
    },
  });
}

import { z } from "zod";
import type { CoreConfig } from "../../config.js";
import { inputError } from "../../errors.js";
import type { VisualClient } from "../../vendors/visual/client.js";
import { imageFields, MAX_REQ_JSON } from "../../vendors/visual/requests.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import { waitSecondsSchema } from "../jobs.js";
import { loadInputs, MEDIA_REF_HELP } from "../media-inputs.js";
import { JPEG_PNG, MB, runAsync, runSync } from "./common.js";

export function volcVisualCall(client: VisualClient, core: CoreConfig) {
  return defineTool({
    name: "volc_visual_call",
    title: "Raw Volcengine Visual call (any req_key)",
    description:
      "Calls any Volcengine Visual (即梦/视觉智能) model by its req_key with a JSON body you write from the vendor's documentation: mode async = CVSync2AsyncSubmitTask then CVSync2AsyncGetResult polling, mode sync = CVProcess. Use it only for models jimeng_generate_image, jimeng_generate_video and jimeng_portrait_photo do not cover (e.g. jimeng_t2i_v46, upscaling, inpainting). " +
      "Paid: the vendor bills whatever the req_key costs. Image/video results are saved to the output folder like the other tools (base64 results are decoded to files).",
    input: {
      req_key: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{1,128}$/, "letters, digits, _ . - only")
        .describe("the model's req_key, e.g. jimeng_t2i_v46"),
      mode: z.enum(["async", "sync"]).describe("async: submit + poll (most Jimeng 3.x/4.x models); sync: CVProcess, answers in one call"),
      body: z
        .record(z.string(), z.unknown())
        .describe(
          'business fields of the request besides req_key, exactly as the vendor documents them (e.g. {"prompt":"…","width":1024,"height":1024})',
        ),
      req_json: z
        .record(z.string(), z.unknown())
        .optional()
        .describe(
          'async only: options sent with every poll (serialised into req_json), e.g. {"return_url":true,"logo_info":{"add_logo":true}}; for sync put return_url/logo_info in body',
        ),
      images: z
        .array(z.string().min(1))
        .max(10)
        .optional()
        .describe(`input images appended as image_urls (URLs) or binary_data_base64 (files); each ${MEDIA_REF_HELP}. JPEG/PNG, <= 15 MB`),
      output_kind: z.enum(["image", "video"]).optional().describe("what the model returns (default image)"),
      wait_seconds: waitSecondsSchema(core),
    },
    output: jobResultShape,
    annotations: PAID_GENERATOR,
    async run(args, ctx) {
      if (args.body.req_key !== undefined && args.body.req_key !== args.req_key)
        throw inputError("body", "must not set a different req_key; pass it as req_key");
      if (args.mode === "sync" && args.req_json)
        throw inputError("req_json", "is for async mode only; in sync (CVProcess) mode put return_url, logo_info and aigc_meta in body");
      if (args.images?.length && (args.body.image_urls !== undefined || args.body.binary_data_base64 !== undefined)) {
        throw inputError("images", "body already has image_urls/binary_data_base64; give images in one place");
      }
      const reqJson = args.req_json && Object.keys(args.req_json).length ? JSON.stringify(args.req_json) : undefined;
      if (reqJson && reqJson.length > MAX_REQ_JSON)
        throw inputError("req_json", `is ${reqJson.length} characters as JSON; at most ${MAX_REQ_JSON}`);
      const images = await loadInputs(ctx.app, args.images, { field: "images", accept: ["image"], maxBytes: 15 * MB, mimes: JPEG_PNG });
      const body = { ...args.body, req_key: args.req_key, ...imageFields(images, "images") };
      const kind = args.output_kind ?? "image";
      const label = typeof args.body.prompt === "string" ? args.body.prompt : args.req_key;
      if (args.mode === "sync")
        return runSync(ctx, client, { op: "call", reqKey: args.req_key, body, label, waitSeconds: args.wait_seconds, kind });
      return runAsync(ctx, client, {
        op: kind === "video" ? "call_video" : "call_image",
        reqKey: args.req_key,
        body,
        reqJson,
        label,
        waitSeconds: args.wait_seconds,
      });
    },
  });
}

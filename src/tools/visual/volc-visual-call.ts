import { z } from "zod";
import type { CoreConfig } from "../../config.js";
import { AigcError, inputError } from "../../errors.js";
import { fits, type Catalog } from "../../vendors/kit/catalog.js";
import { ENDPOINTS, MODES } from "../../vendors/visual/catalog.js";
import type { VisualClient } from "../../vendors/visual/client.js";
import { imageFields, MAX_REQ_JSON, routeFor } from "../../vendors/visual/requests.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import { waitSecondsSchema } from "../jobs.js";
import { MAX_ID, MAX_MEDIA_REF, MEDIA_REF_HELP, loadInputs } from "../media-inputs.js";
import { checkModel, explainRefusals } from "../model-check.js";
import { JPEG_PNG, MB, runRouted } from "./common.js";

/** Known req_keys that are not called the default (async) way, as "key (mode)". */
function unusualRoutes(catalog: Catalog): string {
  return catalog.models
    .filter((m) => m.status !== "retired" && routeFor(catalog, m.id) !== "async")
    .map((m) => `${m.id} (${routeFor(catalog, m.id)})`)
    .join(", ");
}

export function volcVisualCall(client: VisualClient, core: CoreConfig, catalog: Catalog) {
  return defineTool({
    name: "volc_visual_call",
    title: "Raw Volcengine Visual call (any req_key)",
    description:
      "Calls any Volcengine Visual (即梦/视觉智能) model by req_key with a JSON body written from the vendor's docs, for models the jimeng_* tools do not cover (OmniHuman, upscaling, inpainting…). Paid as the req_key costs. Media results are saved like other tools; data results come back as the job's detail.",
    input: {
      req_key: z
        .string()
        .max(MAX_ID)
        .regex(/^[A-Za-z0-9_.-]{1,128}$/, "letters, digits, _ . - only")
        .describe("the model's req_key, from the vendor's documentation"),
      mode: z
        .enum(MODES)
        .optional()
        .describe(
          `async: CVSync2AsyncSubmitTask + CVSync2AsyncGetResult (most Jimeng models); sync: CVProcess, answers in one call; submit_task: CVSubmitTask + CVGetResult. Default: the catalog's route for known req_keys (${unusualRoutes(catalog)}; the others async), else async`,
        ),
      body: z
        .record(z.string().max(MAX_ID), z.unknown())
        .describe(
          'business fields of the request besides req_key, exactly as the vendor documents them (e.g. {"prompt":"…","width":1024,"height":1024})',
        ),
      req_json: z
        .record(z.string().max(MAX_ID), z.unknown())
        .optional()
        .describe(
          'task modes only: options sent with every poll (serialised into req_json), e.g. {"return_url":true,"logo_info":{"add_logo":true}}; for sync put return_url/logo_info in body',
        ),
      images: z
        .array(z.string().min(1).max(MAX_MEDIA_REF))
        .max(14)
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
      const route = args.mode ?? routeFor(catalog, args.req_key);
      if (route === "sync" && args.req_json)
        throw inputError(
          "req_json",
          "is for the task modes only; in sync (CVProcess) mode put return_url, logo_info and aigc_meta in body",
        );
      if (args.images?.length && (args.body.image_urls !== undefined || args.body.binary_data_base64 !== undefined)) {
        throw inputError("images", "body already has image_urls/binary_data_base64; give images in one place");
      }
      const reqJson = args.req_json && Object.keys(args.req_json).length ? JSON.stringify(args.req_json) : undefined;
      if (reqJson && reqJson.length > MAX_REQ_JSON)
        throw inputError("req_json", `is ${reqJson.length} characters as JSON; at most ${MAX_REQ_JSON}`);
      // The raw body's field names are the vendor's, which the catalog's capabilities share (prompt, width, scale…).
      const endpoint = catalog.find(args.req_key)?.endpoints[0] ?? ENDPOINTS.raw;
      const call = { catalog, endpoint, model: args.req_key, args: { ...args.body, images: args.images, mode: args.mode } };
      checkModel(ctx, call);
      const images = await loadInputs(ctx.app, args.images, { field: "images", accept: ["image"], maxBytes: 15 * MB, mimes: JPEG_PNG });
      const body = { ...args.body, req_key: args.req_key, ...imageFields(images, "images") };
      const kind = args.output_kind ?? "image";
      const label = typeof args.body.prompt === "string" ? args.body.prompt : args.req_key;
      // A known req_key called with an action its entry does not list: the vendor's "not supported"
      // is then about the action, not the model, so it is explained with the documented mode.
      const documentedMode = catalog.find(args.req_key)?.capabilities.mode;
      const offRoute = args.mode !== undefined && documentedMode !== undefined && !fits(documentedMode, args.mode);
      return explainRefusals(call, () =>
        runRouted(ctx, client, route, {
          op: kind === "video" ? "call_video" : "call_image",
          syncOp: "call",
          reqKey: args.req_key,
          body,
          reqJson,
          label,
          waitSeconds: args.wait_seconds,
        }).catch((err: unknown) => {
          if (offRoute && err instanceof AigcError && err.category === "not_found") err.info.category = "invalid_input";
          throw err;
        }),
      );
    },
  });
}

import { z } from "zod";
import { idText } from "../bounds.js";
import type { CoreConfig } from "../../config.js";
import { AigcError, inputError } from "../../errors.js";
import { checkPassthroughUrls } from "../../net/fetch-policy.js";
import { fits, type Catalog } from "../../vendors/kit/catalog.js";
import { ENDPOINTS, MODES } from "../../vendors/visual/catalog.js";
import type { VisualClient } from "../../vendors/visual/client.js";
import { imageFields, MAX_REQ_JSON, routeFor } from "../../vendors/visual/requests.js";
import type { PriceBook } from "../../vendors/kit/price.js";
import { VENDOR_ID } from "../../vendors/visual/config.js";
import { visualEstimate } from "../../vendors/visual/pricing.js";
import { defineTool, PAID_GENERATOR } from "../define.js";
import { jobResultShape } from "../job-result.js";
import { waitSecondsSchema } from "../jobs.js";
import { MAX_ID, MAX_MEDIA_REF, loadInputs } from "../media-inputs.js";
import { checkModel, explainRefusals } from "../model-check.js";
import { JPEG_PNG, MB, runRouted } from "./common.js";

/** The endpoint family of a req_key: its catalog entry's first, else `raw` (the raw body's field names are the vendor's). */
const endpointOf = (catalog: Catalog, reqKey: string): string => catalog.find(reqKey)?.endpoints[0] ?? ENDPOINTS.raw;

export function volcVisualCall(client: VisualClient, core: CoreConfig, catalog: Catalog, book: PriceBook) {
  return defineTool({
    name: "volc_visual_call",
    title: "Raw Volcengine Visual call (any req_key)",
    description:
      "Calls any Volcengine Visual (即梦/视觉智能) model by req_key with a body from the vendor's docs (OmniHuman, upscaling…). Paid per req_key.",
    input: {
      req_key: idText(MAX_ID).regex(/^[A-Za-z0-9_.-]{1,128}$/, "letters, digits, _ . - only"),
      mode: z.enum(MODES).optional().describe("default per req_key"),
      body: z.record(z.string().max(MAX_ID), z.unknown()).describe("fields besides req_key"),
      req_json: z.record(z.string().max(MAX_ID), z.unknown()).optional().describe("poll options (task modes)"),
      images: z.array(z.string().min(1).max(MAX_MEDIA_REF)).max(14).optional().describe("JPEG/PNG <= 15 MB"),
      output_kind: z.enum(["image", "video"]).optional().describe("default per req_key"),
      wait_seconds: waitSecondsSchema(core),
    },
    output: jobResultShape,
    annotations: PAID_GENERATOR,
    // The raw body's fields reach the model check under the vendor's names.
    capabilityNames: "any",
    quote(args) {
      const body = { ...args.body, ...(args.images?.length ? { image_urls: args.images } : {}) };
      return {
        vendor: VENDOR_ID,
        model: args.req_key,
        estimate: visualEstimate(book, catalog, args.req_key, endpointOf(catalog, args.req_key), body),
      };
    },
    async run(args, ctx) {
      if (args.body.req_key !== undefined && args.body.req_key !== args.req_key)
        throw inputError("body", "must not set a different req_key; pass it as req_key");
      // The body goes to the vendor as is: its URLs get the same check as the media fields'.
      checkPassthroughUrls("body", args.body, ctx.app.media.fetchPolicy);
      checkPassthroughUrls("req_json", args.req_json, ctx.app.media.fetchPolicy);
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
      const endpoint = endpointOf(catalog, args.req_key);
      const call = { catalog, endpoint, model: args.req_key, args: { ...args.body, images: args.images, mode: args.mode } };
      checkModel(ctx, call);
      const images = await loadInputs(ctx, args.images, { field: "images", accept: ["image"], maxBytes: 15 * MB, mimes: JPEG_PNG });
      const body = { ...args.body, req_key: args.req_key, ...imageFields(images, "images") };
      const kind = args.output_kind ?? (endpoint.startsWith("video/") ? "video" : "image");
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

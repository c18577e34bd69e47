/** What every Kling tool shares: zod fields for the common options, image loading, model checks and task submission. */
import { z } from "zod";
import { idText, modelId, prose, quietRange } from "../bounds.js";
import type { CoreConfig } from "../../config.js";
import type { Catalog } from "../../vendors/kit/catalog.js";
import type { KlingClient } from "../../vendors/kling/client.js";
import { routeEndpoint, type KlingRoute } from "../../vendors/kling/families.js";
import { checkKlingImage, IMAGE_MAX_BYTES, IMAGE_MIMES, toKlingImage } from "../../vendors/kling/requests.js";
import { createFacts, routeFacts } from "../../vendors/kling/tasks.js";
import { newExternalTaskId } from "../../vendors/kling/client.js";
import { MAX_SHOT_PROMPT, MAX_SHOTS, MODES, SHOT_TYPES } from "../../vendors/kling/video-options.js";
import { VENDOR_ID } from "../../vendors/kling/config.js";
import type { Quote, ToolContext } from "../define.js";
import type { Currency, PriceBook, PriceUnit } from "../../vendors/kit/price.js";
import { klingEstimate, type Metered } from "../../vendors/kling/pricing.js";
import { waitAndRender, waitSecondsSchema } from "../jobs.js";
import { MAX_ID, loadInput } from "../media-inputs.js";
import { checkModel, explainRefusals, type ModelCall } from "../model-check.js";

/** Kling's image limits, checked here for local files (the forms every media argument takes are in the server instructions). */
export const IMAGE_HELP = "jpg/png <= 10 MB, >= 300 px";

/** The ids of a catalog's current models on these endpoint families. */
export function currentModels(catalog: Catalog, ...endpoints: string[]): string[] {
  return [
    ...new Set(
      endpoints.flatMap((e) =>
        catalog
          .forEndpoint(e)
          .filter((m) => m.status !== "retired")
          .map((m) => m.id),
      ),
    ),
  ];
}

/**
 * The `model` field: a free string (Kling ships models monthly); list_models names them, with the
 * default and what each takes (kept out of the tool list, issue 12 item 16; the server instructions
 * say how model fields work).
 */
export function modelField() {
  return modelId().optional();
}

/** `duration` with each current model's seconds on this endpoint, from the catalog (so the text cannot drift from the data). */
export function durationField(catalog: Catalog, endpoint: string) {
  const ranges = catalog
    .forEndpoint(endpoint)
    .filter((m) => m.status !== "retired")
    .flatMap((m) => {
      const c = catalog.capabilities(m, endpoint).duration;
      if (Array.isArray(c)) return [`${m.id} ${c.join("/")}`];
      return c && typeof c === "object" ? [`${m.id} ${c.min}-${c.max}`] : [];
    });
  return videoFields.duration.describe(`default 5; ${ranges.join(", ")}`);
}

export const elementIds = (max: number) =>
  z
    .array(idText(MAX_ID).regex(/^\d{1,30}$/, "must be a numeric element id"))
    .max(max)
    .optional()
    .describe("kling_list_elements");

export const videoFields = {
  negative_prompt: z.string().max(2500).optional(),
  mode: z.enum(MODES).optional().describe("std 720p, pro 1080p"),
  duration: quietRange(z.number().int(), 1, 60).optional().describe("default 5"),
  sound: z.boolean().optional(),
  multi_shot: z.boolean().optional().describe("Kling 3.0"),
  shot_type: z.enum(SHOT_TYPES).optional().describe("customize: give multi_prompt"),
  multi_prompt: z
    .array(
      z.object({
        prompt: prose(MAX_SHOT_PROMPT),
        duration: quietRange(z.number().int(), 1, 60),
      }),
    )
    .min(1)
    .max(MAX_SHOTS)
    .optional()
    .describe("1-6 shots; sum = duration"),
  voice_ids: z.array(idText(MAX_ID).min(1)).max(2).optional().describe("<= 2, with sound: <<<voice_1>>>"),
  watermark: z.boolean().optional().describe("+ watermarked copy"),
};

export const wait = (core: CoreConfig) => ({ wait_seconds: waitSecondsSchema(core) });

/** Loads one image argument, checks it, and returns the URL or raw base64 Kling takes. */
export async function klingImage(ctx: ToolContext, value: string | undefined, field: string): Promise<string | undefined> {
  const input = await loadInput(ctx, value, { field, accept: ["image"], maxBytes: IMAGE_MAX_BYTES, mimes: IMAGE_MIMES });
  checkKlingImage(input, field);
  return input && toKlingImage(input);
}

export async function klingImages(ctx: ToolContext, values: string[] | undefined, field: string): Promise<string[]> {
  const out: string[] = [];
  for (const [i, v] of (values ?? []).entries()) out.push((await klingImage(ctx, v, `${field}[${i}]`))!);
  return out;
}

/** Refuses a retired model, adds the catalog's advice, and refuses a new-standard route without an API key; returns the model call. */
export function checkKlingModel(
  ctx: ToolContext,
  client: KlingClient,
  catalog: Catalog,
  route: KlingRoute,
  model: string,
  args: Record<string, unknown>,
): ModelCall {
  const call: ModelCall = { catalog, endpoint: routeEndpoint(route), model, args };
  checkModel(ctx, call);
  client.auth.assert(route.standard, model);
  return call;
}

/** Creates the Kling task as a job (1302/1303 wait locally within the call's budget) and waits for it. */
export async function submitKling(
  ctx: ToolContext,
  client: KlingClient,
  t: { route: KlingRoute; call: ModelCall; op: "video" | "image"; body: Record<string, unknown>; label: string; wait_seconds?: number },
) {
  const budget = ctx.budget(t.wait_seconds);
  const externalTaskId = newExternalTaskId();
  ctx.progress(`submitting the Kling ${t.call.endpoint} task`);
  const jobId = await explainRefusals(t.call, () =>
    ctx.app.jobs.startTask({
      loads: ctx.limits.loads,
      vendor: VENDOR_ID,
      op: t.op,
      model: t.call.model,
      label: t.label.slice(0, 80),
      budget,
      // The external id finds the task if the create answer is lost (the driver's findLost).
      facts: createFacts(t.route, externalTaskId),
      signal: ctx.signal,
      submit: async (signal) => {
        const created = await client.createTask(t.route, t.body, {
          signal,
          deadlineMs: budget.deadlineMs,
          onQueued: (m) => ctx.progress(m),
          externalTaskId,
        });
        return { task: created.taskId, model: t.call.model, x: routeFacts(t.route) };
      },
    }),
  );
  return waitAndRender(ctx, jobId, budget, true);
}

/** What the Kling tools quote with: the vendor's price book (plugin.ts) and the account's billing currency. */
export interface KlingPrices {
  book: PriceBook;
  currency?: Currency;
}

/** A paid Kling tool's quote: `model` on the endpoint family, metered by `meter` for the price's unit. No vendor request. */
export function klingQuote(prices: KlingPrices, model: string, endpoint: string, meter: (unit: PriceUnit | undefined) => Metered): Quote {
  return {
    vendor: VENDOR_ID,
    model,
    estimate: klingEstimate(prices.book, model, endpoint, meter, prices.currency),
    ...(prices.currency ? { billedIn: prices.currency } : {}),
  };
}

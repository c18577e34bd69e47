/** What every Kling tool shares: zod fields for the common options, image loading, model checks and task submission. */
import { z } from "zod";
import type { CoreConfig } from "../../config.js";
import type { Catalog } from "../../vendors/kit/catalog.js";
import type { KlingClient } from "../../vendors/kling/client.js";
import { routeEndpoint, type KlingRoute } from "../../vendors/kling/families.js";
import { checkKlingImage, IMAGE_MAX_BYTES, IMAGE_MIMES, toKlingImage } from "../../vendors/kling/requests.js";
import { createFacts, routeFacts } from "../../vendors/kling/tasks.js";
import { newExternalTaskId } from "../../vendors/kling/client.js";
import { CAMERA_TYPES, MAX_SHOT_PROMPT, MAX_SHOTS, MODES, SHOT_TYPES } from "../../vendors/kling/video-options.js";
import { VENDOR_ID } from "../../vendors/kling/config.js";
import type { ToolContext } from "../define.js";
import { waitAndRender, waitSecondsSchema } from "../jobs.js";
import { MAX_ID, MEDIA_REF_HELP, loadInput } from "../media-inputs.js";
import { checkModel, explainRefusals, type ModelCall } from "../model-check.js";

export const IMAGE_HELP = `${MEDIA_REF_HELP}; jpg/png, <= 10 MB, >= 300 px a side, aspect 1:2.5-2.5:1`;

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

/** The `model` field: a free string (Kling ships models monthly); list_models names them (kept out of the tool list, issue 12 item 16). */
export function modelField(catalog: Catalog, fallback: string, endpoint: string, newStandard?: string) {
  const fresh = newStandard ? currentModels(catalog, newStandard) : [];
  return z
    .string()
    .min(1)
    .max(128)
    .optional()
    .describe(
      `Kling model (default ${fallback}; any name is sent on${fresh.length ? `; ${fresh[0]}-style names need KLING_API_KEY` : ""}); models and what each takes: list_models`,
    );
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
  return videoFields.duration.describe(`seconds (default 5): ${ranges.join(", ")}`);
}

/** A camera axis; the range is in the schema (minimum/maximum), so no description repeats it. */
const axis = z.number().min(-10).max(10).optional();

export const elementIds = (max: number) =>
  z
    .array(
      z
        .string()
        .max(MAX_ID)
        .regex(/^\d{1,30}$/, "must be a numeric element id"),
    )
    .max(max)
    .optional()
    .describe("Kling element (主体) ids (kling_list_elements); how many depends on the model");

export const videoFields = {
  negative_prompt: z.string().max(2500).optional().describe("what the video should not show (legacy models only)"),
  mode: z.enum(MODES).optional().describe('"std" (720p), "pro" (1080p) or "4k"; which ones depends on the model; Kling default std'),
  duration: z.number().int().min(1).max(60).optional().describe("seconds; depends on the model (5/10, 3-10 or 3-15); default 5"),
  cfg_scale: z.number().min(0).max(1).optional().describe("prompt adherence 0-1; only retired Kling 1.x models took it"),
  sound: z.boolean().optional().describe("generate sound with the video (models with native audio)"),
  camera_control: z
    .object({
      type: z.enum(CAMERA_TYPES).describe('"simple" (one axis, set in config) or a preset movement'),
      config: z
        .object({
          horizontal: axis,
          vertical: axis,
          pan: axis,
          tilt: axis,
          roll: axis,
          zoom: axis,
        })
        .optional()
        .describe('for type "simple": exactly one non-zero axis'),
    })
    .optional()
    .describe("camera movement; only retired Kling 1.x models took it"),
  multi_shot: z.boolean().optional().describe("make a multi-shot video (Kling 3.0 models)"),
  shot_type: z
    .enum(SHOT_TYPES)
    .optional()
    .describe('with multi_shot: "customize" (you give multi_prompt) or "intelligence" (Kling splits the prompt)'),
  multi_prompt: z
    .array(
      z.object({
        prompt: z.string().min(1).max(MAX_SHOT_PROMPT).describe("what happens in this shot"),
        duration: z.number().int().min(1).max(60).describe("seconds of this shot"),
      }),
    )
    .min(1)
    .max(MAX_SHOTS)
    .optional()
    .describe('1-6 shots for shot_type "customize"; durations add up to duration'),
  voice_ids: z
    .array(z.string().min(1).max(MAX_ID))
    .max(2)
    .optional()
    .describe("up to 2 Kling voice ids (image-to-video on Kling 2.6; needs sound: true); in the prompt <<<voice_1>>>"),
  watermark: z.boolean().optional().describe("also produce a watermarked copy (saved next to the clean one)"),
};

export const wait = (core: CoreConfig) => ({ wait_seconds: waitSecondsSchema(core) });

/** Loads one image argument, checks it, and returns the URL or raw base64 Kling takes. */
export async function klingImage(ctx: ToolContext, value: string | undefined, field: string): Promise<string | undefined> {
  const input = await loadInput(ctx.app, value, { field, accept: ["image"], maxBytes: IMAGE_MAX_BYTES, mimes: IMAGE_MIMES });
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
      vendor: VENDOR_ID,
      op: t.op,
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

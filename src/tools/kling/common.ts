/** What every Kling tool shares: zod fields for the common options, image loading, and task submission. */
import { z } from "zod";
import type { CoreConfig } from "../../config.js";
import type { KlingClient } from "../../vendors/kling/client.js";
import { knownModels, type KlingFamily } from "../../vendors/kling/models.js";
import { checkKlingImage, IMAGE_MAX_BYTES, IMAGE_MIMES, toKlingImage } from "../../vendors/kling/requests.js";
import { CAMERA_TYPES, MODES, SHOT_TYPES } from "../../vendors/kling/video-options.js";
import type { ToolContext } from "../define.js";
import { waitAndRender, waitSecondsSchema } from "../jobs.js";
import { loadInput, MEDIA_REF_HELP } from "../media-inputs.js";
import { VENDOR_ID } from "../../vendors/kling/config.js";

export const IMAGE_HELP = `${MEDIA_REF_HELP}; jpg/png, <= 10 MB, >= 300 px a side, aspect 1:2.5-2.5:1`;

export function modelField(family: KlingFamily, fallback: string) {
  return z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe(
      `Kling model_name (default ${fallback}); known for this endpoint: ${knownModels(family).join(", ")}. Newer names are passed through as given.`,
    );
}

const axis = z.number().min(-10).max(10).optional();

export const videoFields = {
  negative_prompt: z.string().max(2500).optional().describe("what the video should not show (<= 2500 characters)"),
  mode: z.enum(MODES).optional().describe('"std" (cheaper, faster) or "pro" (higher quality, costs more); Kling default std'),
  duration: z
    .number()
    .int()
    .min(3)
    .max(15)
    .optional()
    .describe("seconds (sent as a string): most models 5 or 10; Kling 3.0 3-15; default 5"),
  cfg_scale: z.number().min(0).max(1).optional().describe("prompt adherence 0-1 (default 0.5); Kling 1.x models only"),
  sound: z.boolean().optional().describe("generate sound with the video (Kling 2.6 and newer)"),
  camera_control: z
    .object({
      type: z.enum(CAMERA_TYPES).describe('"simple" (one axis, set in config) or a preset movement'),
      config: z
        .object({
          horizontal: axis.describe("pan sideways, -10..10"),
          vertical: axis.describe("move up/down, -10..10"),
          pan: axis.describe("rotate around the vertical axis, -10..10"),
          tilt: axis.describe("rotate around the horizontal axis, -10..10"),
          roll: axis.describe("roll, -10..10"),
          zoom: axis.describe("zoom in (+) or out (-), -10..10"),
        })
        .optional()
        .describe('for type "simple": exactly one non-zero axis'),
    })
    .optional()
    .describe("camera movement"),
  multi_shot: z.boolean().optional().describe("make a multi-shot video (Kling 3.0 models)"),
  shot_type: z
    .enum(SHOT_TYPES)
    .optional()
    .describe('with multi_shot: "customize" (you give multi_prompt) or "intelligence" (Kling splits the prompt)'),
  multi_prompt: z
    .array(
      z.object({
        prompt: z.string().min(1).max(2500).describe("what happens in this shot"),
        duration: z.number().int().min(1).max(15).describe("seconds of this shot"),
      }),
    )
    .min(1)
    .max(10)
    .optional()
    .describe('the shots, in order, for shot_type "customize"; durations must add up to duration'),
  voice_ids: z
    .array(z.string().min(1))
    .max(2)
    .optional()
    .describe("up to 2 Kling voice ids (Kling 2.6+, needs sound: true); refer to them in the prompt as <<<voice_1>>>"),
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

/** Creates the Kling task as a job (1302/1303 wait locally within the call's budget) and waits for it. */
export async function submitKling(
  ctx: ToolContext,
  client: KlingClient,
  t: { family: KlingFamily; op: "video" | "image"; body: Record<string, unknown>; model: string; label: string; wait_seconds?: number },
) {
  const budgetMs = (t.wait_seconds ?? ctx.app.config.defaultWaitS) * 1000;
  const started = Date.now();
  ctx.progress(`submitting the Kling ${t.family} task`);
  const jobId = await ctx.app.jobs.startTask({
    vendor: VENDOR_ID,
    op: t.op,
    label: t.label.slice(0, 80),
    signal: ctx.signal,
    submit: async (signal) => {
      const created = await client.createTask(t.family, t.body, {
        signal,
        deadlineMs: started + budgetMs,
        onQueued: (m) => ctx.progress(m),
      });
      return { task: created.taskId, model: t.model, x: { f: t.family, ...(created.byExternalId ? { e: "1" } : {}) } };
    },
  });
  const left = Math.max(0, Math.floor((started + budgetMs - Date.now()) / 1000));
  return waitAndRender(ctx, jobId, left, true);
}

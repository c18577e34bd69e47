/**
 * Kling's new API standard (Kling 3.0 Turbo, and 3.0 / 2.6 / 2.5 Turbo under their path ids):
 * `POST /<product>/<model>` with `{prompt | contents[], settings{}, options{}}`. The tools keep one
 * argument set for both standards; this maps it: `mode` std/pro/4k → `settings.resolution`
 * 720p/1080p/4k (Kling's own billing equivalence), `sound` → `settings.audio` native/off, integer
 * `duration`, frames, elements and voices as typed `contents[]` with prompt ids (`<<<voice_1>>>` in
 * a prompt becomes `@voice_1`), shots in the prompt as "shot n, m, words;".
 */
import { inputError } from "../../errors.js";
import type { KlingBilling, KlingTask } from "./client.js";
import type { NewProduct } from "./families.js";
import type { VideoOptions } from "./video-options.js";

const RESOLUTION = { std: "720p", pro: "1080p", "4k": "4k" } as const;

export interface NewVideoInput extends VideoOptions {
  /** First frame: an http(s) URL or raw base64. */
  image?: string;
  /** Last frame (`last_frame`). */
  image_tail?: string;
  element_ids?: string[];
}

/** What the tool was given that the new standard has no field for (refused: true for every model on it). */
export interface NewStandardExtras {
  negative_prompt?: unknown;
  aspect_ratio?: unknown;
}

/** Refuses arguments with no place in a new-standard request, naming the model so the caller can pick a legacy one. */
export function checkNewStandard(product: NewProduct, model: string, a: NewStandardExtras): void {
  const none: Array<[keyof NewStandardExtras, string]> = [["negative_prompt", "write what to avoid in the prompt"]];
  if (product === "image-to-video") none.push(["aspect_ratio", "the first frame sets it"]);
  for (const [field, instead] of none) {
    const v = a[field];
    if (v === undefined || (Array.isArray(v) && v.length === 0)) continue;
    throw inputError(field, `${model} runs on Kling's new API standard, which has no ${field}: ${instead}`);
  }
}

/** `<<<voice_1>>>` / `<<<element_1>>>` / `<<<image_1>>>` (the legacy reference syntax) become `@voice_1` etc. */
export const newStandardPrompt = (text: string): string => text.replace(/<<<\s*([A-Za-z]+_\d+)\s*>>>/g, "@$1");

/** The prompt text: the shots in Kling's "shot n, m, words;" format when multi_prompt is given, else the prompt. */
function promptText(o: NewVideoInput): string | undefined {
  if (o.multi_prompt?.length)
    return o.multi_prompt.map((s, i) => `shot ${i + 1}, ${s.duration}, ${newStandardPrompt(s.prompt)};`).join(" ");
  return o.prompt !== undefined ? newStandardPrompt(o.prompt) : undefined;
}

export function newStandardBody(product: NewProduct, o: NewVideoInput): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  if (o.mode) settings.resolution = RESOLUTION[o.mode];
  if (o.aspect_ratio && product === "text-to-video") settings.aspect_ratio = o.aspect_ratio;
  if (o.duration !== undefined) settings.duration = o.duration;
  if (o.sound !== undefined) settings.audio = o.sound ? "native" : "off";
  const options = o.watermark !== undefined ? { watermark_info: { enabled: o.watermark } } : undefined;
  const text = promptText(o);
  const head: Record<string, unknown> = {};
  if (product === "text-to-video") {
    if (text !== undefined) head.prompt = text;
  } else {
    head.contents = [
      ...(text !== undefined ? [{ type: "prompt", text }] : []),
      ...(o.image ? [{ type: "first_frame", url: o.image }] : []),
      ...(o.image_tail ? [{ type: "last_frame", url: o.image_tail }] : []),
      ...(o.element_ids ?? []).map((element_id, i) => ({ type: "element", element_id, id: `element_${i + 1}` })),
      ...(o.voice_ids ?? []).map((voice_id, i) => ({ type: "voice", voice_id, id: `voice_${i + 1}` })),
    ];
  }
  return { ...head, ...(Object.keys(settings).length ? { settings } : {}), ...(options ? { options } : {}) };
}

/** A task as the new standard's `/tasks` returns it. */
export interface KlingNewTask {
  id: string;
  /** "submitted", "processing", "succeeded" or "failed". */
  status: string;
  message?: string;
  create_time?: number;
  update_time?: number;
  external_id?: string;
  outputs?: Array<{ type?: string; id?: string; url?: string; watermark_url?: string; duration?: string }>;
  /** What the task took (Kling's task query and callback docs: cash with a currency, or units). */
  billing?: KlingBilling[];
}

export function fromNewTask(t: KlingNewTask): KlingTask {
  const of = (type: string) => (t.outputs ?? []).filter((o) => o.type === type).map(({ type: _t, ...m }) => m);
  return {
    task_id: t.id,
    task_status: t.status === "succeeded" ? "succeed" : t.status,
    ...(t.message ? { task_status_msg: t.message } : {}),
    ...(t.external_id ? { task_info: { external_task_id: t.external_id } } : {}),
    ...(t.status === "succeeded" ? { task_result: { videos: of("video"), images: of("image") } } : {}),
    ...(t.create_time !== undefined ? { created_at: t.create_time } : {}),
    ...(t.update_time !== undefined ? { updated_at: t.update_time } : {}),
    ...(Array.isArray(t.billing) ? { billing: t.billing } : {}),
  };
}

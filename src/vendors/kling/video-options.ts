/**
 * The video options every Kling video tool shares: the rules that hold whatever the model (the
 * shape of Kling's API: multi-shot fields, voices), and the legacy request body.
 * What each model accepts is catalog advice (catalog.ts), never a refusal here.
 */
import { inputError } from "../../errors.js";

export const MODES = ["std", "pro", "4k"] as const;
export const VIDEO_RATIOS = ["16:9", "9:16", "1:1"] as const;
export const SHOT_TYPES = ["customize", "intelligence"] as const;
/** Kling's multi-shot limits (3.0 models, both standards): 1-6 shots of at most 512 characters. */
export const MAX_SHOTS = 6;
export const MAX_SHOT_PROMPT = 512;

export interface ShotPrompt {
  prompt: string;
  duration: number;
}

export interface VideoOptions {
  model: string;
  prompt?: string;
  negative_prompt?: string;
  mode?: (typeof MODES)[number];
  aspect_ratio?: string;
  duration?: number;
  sound?: boolean;
  multi_shot?: boolean;
  shot_type?: (typeof SHOT_TYPES)[number];
  multi_prompt?: ShotPrompt[];
  voice_ids?: string[];
  watermark?: boolean;
}

/** Rules of the API's shape, true for every model: voices need sound, the multi-shot fields go together. */
export function checkVideoShape(o: VideoOptions): void {
  if (o.voice_ids?.length && !o.sound)
    throw inputError("voice_ids", "voices need sound: true (refer to them in the prompt as <<<voice_1>>>, <<<voice_2>>>)");
  if (o.multi_shot) {
    if (!o.shot_type)
      throw inputError(
        "shot_type",
        'multi_shot needs shot_type: "customize" (you give each shot) or "intelligence" (Kling splits the prompt)',
      );
    if (o.shot_type === "customize" && !o.multi_prompt?.length)
      throw inputError("multi_prompt", 'shot_type "customize" needs multi_prompt: [{prompt, duration}, ...]');
    if (o.shot_type === "intelligence" && o.multi_prompt?.length)
      throw inputError("multi_prompt", 'shot_type "intelligence" writes the shots itself; give prompt instead of multi_prompt');
    if (o.shot_type === "intelligence" && !o.prompt) throw inputError("prompt", 'shot_type "intelligence" needs prompt');
    const total = o.multi_prompt?.reduce((s, p) => s + p.duration, 0) ?? 0;
    if (o.multi_prompt?.length && o.duration !== undefined && total !== o.duration) {
      throw inputError("multi_prompt", `the shot durations add up to ${total} s but duration is ${o.duration} s`);
    }
  } else if (o.shot_type || o.multi_prompt?.length) {
    throw inputError(o.shot_type ? "shot_type" : "multi_prompt", "only applies with multi_shot: true");
  }
}

/** The legacy body: `model_name`, string durations, `sound: on|off`, indexed shots, `voice_list`, `watermark_info`. */
export function videoOptionsBody(o: VideoOptions): Record<string, unknown> {
  const body: Record<string, unknown> = { model_name: o.model };
  if (o.prompt !== undefined) body.prompt = o.prompt;
  if (o.negative_prompt !== undefined) body.negative_prompt = o.negative_prompt;
  if (o.mode) body.mode = o.mode;
  if (o.aspect_ratio) body.aspect_ratio = o.aspect_ratio;
  if (o.duration !== undefined) body.duration = String(o.duration);
  if (o.sound !== undefined) body.sound = o.sound ? "on" : "off";
  if (o.multi_shot) {
    body.multi_shot = true;
    body.shot_type = o.shot_type;
    if (o.multi_prompt?.length)
      body.multi_prompt = o.multi_prompt.map((p, i) => ({ index: i + 1, prompt: p.prompt, duration: String(p.duration) }));
  }
  if (o.voice_ids?.length) body.voice_list = o.voice_ids.map((voice_id) => ({ voice_id }));
  if (o.watermark !== undefined) body.watermark_info = { enabled: o.watermark };
  return body;
}

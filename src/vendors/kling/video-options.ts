/** The video options every Kling video family shares: rules checked before any call, and body building. */
import { inputError } from "../../errors.js";
import { ANY_DURATION, findImageModel, findVideoModel, type KlingFamily, type VideoFamily } from "./models.js";

export const MODES = ["std", "pro"] as const;
export const VIDEO_RATIOS = ["16:9", "9:16", "1:1"] as const;
export const CAMERA_TYPES = ["simple", "down_back", "forward_up", "right_turn_forward", "left_turn_forward"] as const;
export const CAMERA_AXES = ["horizontal", "vertical", "pan", "tilt", "roll", "zoom"] as const;
export const SHOT_TYPES = ["customize", "intelligence"] as const;

export interface CameraControl {
  type: (typeof CAMERA_TYPES)[number];
  config?: Partial<Record<(typeof CAMERA_AXES)[number], number>>;
}

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
  cfg_scale?: number;
  sound?: boolean;
  camera_control?: CameraControl;
  multi_shot?: boolean;
  shot_type?: (typeof SHOT_TYPES)[number];
  multi_prompt?: ShotPrompt[];
  voice_ids?: string[];
  watermark?: boolean;
}

/** A known model used on an endpoint that does not serve it is a local error; unknown models pass. */
export function checkModelFamily(family: KlingFamily, model: string): void {
  const known = findVideoModel(model) ?? findImageModel(model);
  const fits = [findVideoModel(model), findImageModel(model)].some((m) => (m?.families as string[] | undefined)?.includes(family));
  if (known && !fits) throw inputError("model", `${model} (${known.label}) is not served by Kling's ${family} endpoint`);
}

export function checkVideoOptions(family: VideoFamily, o: VideoOptions): void {
  checkModelFamily(family, o.model);
  const m = findVideoModel(o.model);
  const label = m ? `${m.label} (${m.id})` : o.model;
  if (o.duration !== undefined) {
    const allowed = m?.durations ?? ANY_DURATION;
    if (!allowed.includes(String(o.duration)))
      throw inputError("duration", `${label} accepts ${allowed.join(", ")} seconds; got ${o.duration}`);
  }
  if (o.cfg_scale !== undefined && m && !m.cfgScale)
    throw inputError("cfg_scale", `${label} does not support cfg_scale (Kling 2.x models ignore it); leave it out`);
  if (o.sound && m && !m.sound) throw inputError("sound", `${label} cannot generate sound; use kling-v2-6 or newer`);
  if (o.voice_ids?.length) {
    if (m && !m.voices) throw inputError("voice_ids", `${label} does not take voices; use kling-v2-6 or newer`);
    if (!o.sound) throw inputError("voice_ids", "voices need sound: true (refer to them in the prompt as <<<voice_1>>>, <<<voice_2>>>)");
  }
  if (o.camera_control) checkCamera(o.camera_control);
  if (o.multi_shot) {
    if (m && !m.multiShot) throw inputError("multi_shot", `${label} does not support multi-shot videos`);
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

function checkCamera(cc: CameraControl): void {
  const set = Object.entries(cc.config ?? {}).filter(([, v]) => v !== undefined && v !== 0);
  if (cc.type === "simple") {
    if (set.length !== 1)
      throw inputError(
        "camera_control.config",
        `type "simple" needs exactly one non-zero axis among ${CAMERA_AXES.join(", ")} (each -10..10); got ${set.length}`,
      );
  } else if (cc.config && Object.keys(cc.config).length) {
    throw inputError("camera_control.config", `only type "simple" takes a config; "${cc.type}" is a preset movement`);
  }
}

export function videoOptionsBody(o: VideoOptions): Record<string, unknown> {
  const body: Record<string, unknown> = { model_name: o.model };
  if (o.prompt !== undefined) body.prompt = o.prompt;
  if (o.negative_prompt !== undefined) body.negative_prompt = o.negative_prompt;
  if (o.mode) body.mode = o.mode;
  if (o.aspect_ratio) body.aspect_ratio = o.aspect_ratio;
  if (o.duration !== undefined) body.duration = String(o.duration);
  if (o.cfg_scale !== undefined) body.cfg_scale = o.cfg_scale;
  if (o.sound !== undefined) body.sound = o.sound ? "on" : "off";
  if (o.camera_control) {
    body.camera_control =
      o.camera_control.type === "simple"
        ? { type: "simple", config: fullConfig(o.camera_control.config) }
        : { type: o.camera_control.type };
  }
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

function fullConfig(cfg: CameraControl["config"]): Record<string, number> {
  return Object.fromEntries(CAMERA_AXES.map((a) => [a, cfg?.[a] ?? 0]));
}

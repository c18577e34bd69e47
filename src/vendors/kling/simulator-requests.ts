/**
 * The Kling simulator's request checks, from Kling's docs: each legacy family's body (string
 * durations, `sound: on|off`, the exclusive groups, count limits) and the new standard's
 * `{prompt | contents[], settings, options}`, then what the named model takes (simulator-models.ts).
 * Refusals carry Kling's codes: 1201 for a bad parameter, 1200 for a malformed request.
 */
import type { SimModelRules, SimRequestFacts } from "./simulator-models.js";

export class Reject extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export function bad(message: string): never {
  throw new Reject(400, 1201, message);
}

type Body = Record<string, unknown>;
type Item = Record<string, unknown>;
/** A request value as text for messages and comparisons (objects as JSON). */
const str = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));

/** Kling takes an image as an http(s) URL or raw base64 (no `data:` prefix) of a JPEG or PNG. */
export function checkImage(v: unknown, field: string, maxMb = 10): void {
  if (typeof v !== "string" || !v) bad(`${field} must be a URL or base64 string`);
  if (/^https?:\/\//.test(v)) return;
  if (v.startsWith("data:")) bad(`${field}: send raw base64 without the "data:" prefix`);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(v)) bad(`${field} is not valid base64`);
  const bytes = Buffer.from(v, "base64");
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  const png = bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  if (!jpeg && !png) bad(`${field} must be a jpg or png image`);
  if (bytes.length > maxMb * 1024 * 1024) bad(`${field} is larger than ${maxMb} MB`);
}

const list = (b: Body, k: string): Item[] =>
  b[k] === undefined ? [] : Array.isArray(b[k]) ? (b[k] as Item[]) : bad(`${k} must be an array`);

function checkPrompt(text: unknown, required: boolean, m: SimModelRules | undefined, field = "prompt"): string {
  if (text !== undefined && typeof text !== "string") bad(`${field} must be a string`);
  if (required && !text) bad(`${field} is required`);
  const max = m?.promptMax ?? 2500;
  if (typeof text === "string" && text.length > max) bad(`${field} must be at most ${max} characters`);
  return text ?? "";
}

/** Legacy multi-shot: shot_type, 1-6 indexed shots of <= 512 characters, string durations adding up to the total. */
function checkShots(b: Body, m: SimModelRules): void {
  if (b.multi_shot === undefined || b.multi_shot === false) return;
  if (b.multi_shot !== true) bad("multi_shot must be a boolean");
  if (!m.multiShot) bad(`multi_shot is not supported by ${m.id}`);
  if (b.shot_type !== "customize" && b.shot_type !== "intelligence") bad("shot_type must be customize or intelligence");
  if (b.shot_type === "intelligence") return;
  const shots = list(b, "multi_prompt");
  if (shots.length < 1 || shots.length > 6) bad("multi_prompt must have 1-6 shots");
  let total = 0;
  for (const [i, s] of shots.entries()) {
    if (s.index !== i + 1) bad("multi_prompt.index must count from 1");
    checkPrompt(s.prompt, true, { id: "", endpoints: [], promptMax: 512 }, "multi_prompt.prompt");
    if (typeof s.duration !== "string" || !/^\d+$/.test(s.duration)) bad('multi_prompt.duration must be a string such as "3"');
    total += Number(s.duration);
  }
  if (total !== Number(b.duration ?? 5)) bad("the multi_prompt durations must add up to duration");
}

const legacyResolution = (mode: unknown) => (mode === "pro" ? "1080p" : mode === "4k" ? "4k" : "720p");

/** A legacy create body for `family` on model `m`; returns the parallel slots it takes and the prompt. */
export function checkLegacy(family: string, b: Body, m: SimModelRules): { slots: number; prompt: string } {
  const promptRequired = ["videos/text2video", "videos/omni-video", "images/generations", "images/omni-image"].includes(family);
  const prompt = checkPrompt(b.prompt, promptRequired, m);
  const n =
    b.n === undefined
      ? 1
      : Number.isInteger(b.n) && (b.n as number) >= 1 && (b.n as number) <= 9
        ? (b.n as number)
        : bad("n must be an integer 1-9");
  if (b.resolution !== undefined && !m.resolutions?.includes(str(b.resolution)))
    bad(`resolution ${str(b.resolution)} is not supported by ${m.id}`);
  if (family.startsWith("images/")) return { slots: checkLegacyImage(family, b, m, n), prompt };
  if (b.duration !== undefined) {
    if (typeof b.duration !== "string") bad('duration must be a string such as "5"');
    if (!m.durations?.includes(Number(b.duration))) bad(`duration ${b.duration} is not supported by ${m.id}`);
  }
  if (b.mode !== undefined && !m.modes?.includes(str(b.mode))) bad(`mode ${str(b.mode)} is not supported by ${m.id}`);
  if (b.sound !== undefined && b.sound !== "on" && b.sound !== "off") bad("sound must be on or off");
  if (b.sound === "on" && !m.sound) bad(`sound is not supported by ${m.id}`);
  const voices = list(b, "voice_list");
  if (voices.length > (m.voices ?? 0))
    bad(voices.length && !m.voices ? `voice_list is not supported by ${m.id}` : "voice_list: too many voices");
  if (voices.length && b.sound !== "on") bad("voice_list requires sound on");
  checkShots(b, m);
  const facts: SimRequestFacts = {
    resolution: legacyResolution(b.mode),
    sound: b.sound === "on",
    lastFrame: false,
    voices: voices.length,
    video: false,
    firstFrameOnly: false,
    ...(b.duration !== undefined ? { duration: Number(b.duration) } : {}),
  };
  if (family === "videos/image2video") {
    if (!b.image) bad("image is required");
    for (const k of ["image", "image_tail", "static_mask"]) if (b[k] !== undefined) checkImage(b[k], k);
    const masks = list(b, "dynamic_masks");
    if (masks.length > 6) bad("dynamic_masks: at most 6");
    for (const mk of masks) {
      checkImage(mk.mask, "dynamic_masks.mask");
      const tr = mk.trajectories;
      if (!Array.isArray(tr) || tr.length < 2 || tr.length > 77) bad("trajectories must have 2-77 points");
    }
    const groups = [!!b.image_tail, !!b.static_mask || masks.length > 0, !!b.camera_control].filter(Boolean).length;
    if (groups > 1) bad("image_tail, motion brush (static_mask/dynamic_masks) and camera_control are mutually exclusive");
    if (b.image_tail && !m.lastFrame) bad(`image_tail is not supported by ${m.id}`);
    const els = list(b, "element_list");
    if (els.length > (m.elements ?? 0)) bad(`element_list: at most ${m.elements ?? 0} elements on ${m.id}`);
    facts.lastFrame = !!b.image_tail;
  }
  if (family === "videos/omni-video") checkOmniVideo(b, facts, m);
  const why = m.rule?.(facts);
  if (why) bad(why);
  return { slots: 1, prompt };
}

function checkOmniVideo(b: Body, facts: SimRequestFacts, m: SimModelRules): void {
  const imgs = list(b, "image_list");
  const els = list(b, "element_list");
  const vids = list(b, "video_list");
  if (vids.length > 1) bad("video_list: at most 1 video");
  const max = vids.length ? 4 : 7;
  if (imgs.length > max || imgs.length + els.length > max) bad(`image_list + element_list: at most ${max}`);
  for (const i of imgs) checkImage(i.image_url, "image_list.image_url");
  const types = imgs.map((i) => i.type);
  if (types.includes("end_frame") && !types.includes("first_frame")) bad("end_frame needs a first_frame");
  if (types.includes("end_frame") && !m.lastFrame) bad(`end_frame is not supported by ${m.id}`);
  const editing = vids[0]?.refer_type === "base";
  if (!types.includes("first_frame") && !editing && !b.aspect_ratio) bad("aspect_ratio is required");
  for (const v of vids) if (typeof v.video_url !== "string" || !/^https?:\/\//.test(v.video_url)) bad("video_url must be a URL");
  facts.video = vids.length > 0;
  facts.lastFrame = types.includes("end_frame");
  facts.firstFrameOnly = !vids.length && !els.length && (imgs.length === 0 || (imgs.length === 1 && types[0] === "first_frame"));
}

function checkLegacyImage(family: string, b: Body, m: SimModelRules, n: number): number {
  const els = list(b, "element_list");
  switch (family) {
    case "images/generations": {
      if (b.image !== undefined) checkImage(b.image, "image");
      for (const k of ["image_reference", "image_fidelity", "human_fidelity"])
        if (b[k] !== undefined && !m.imageReference) bad(`${k} is only supported by kling-v2-1`);
      if (b.image_reference !== undefined && !b.image) bad("image is required with image_reference");
      if (els.length > (m.elements ?? 0)) bad(`element_list is not supported by ${m.id}`);
      if (els.length + (b.image ? 1 : 0) > 10) bad("the reference image and elements: at most 10");
      return n;
    }
    case "images/multi-image2image": {
      const subs = list(b, "subject_image_list");
      if (subs.length < 1 || subs.length > 4) bad("subject_image_list must have 1-4 images");
      for (const s of subs) checkImage(s.subject_image, "subject_image_list.subject_image");
      for (const k of ["scene_image", "style_image"]) if (b[k] !== undefined) checkImage(b[k], k);
      return n;
    }
    default: {
      const imgs = list(b, "image_list");
      if (imgs.length + els.length > 10) bad("image_list + element_list: at most 10");
      for (const i of imgs) checkImage(i.image, "image_list.image");
      if (b.result_type !== undefined && b.result_type !== "single" && b.result_type !== "series")
        bad("result_type must be single or series");
      if (b.result_type !== "series") return n;
      if (!m.series) bad(`series images are not supported by ${m.id}`);
      const amount = b.series_amount ?? 4;
      if (amount !== "auto" && !(Number.isInteger(amount) && (amount as number) >= 2 && (amount as number) <= 9))
        bad('series_amount must be 2-9 or "auto"');
      return amount === "auto" ? 4 : (amount as number);
    }
  }
}

/** A new-standard create body (`POST /<product>/<model>`) on model `m`; returns the prompt text. */
export function checkNew(product: string, b: Body, m: SimModelRules): { prompt: string } {
  const top = product === "text-to-video" ? ["prompt", "settings", "options"] : ["contents", "settings", "options"];
  for (const k of Object.keys(b)) if (!top.includes(k)) bad(`invalid key: ${k}`);
  const settings = (b.settings ?? {}) as Body;
  const options = (b.options ?? {}) as Body;
  if (typeof settings !== "object" || Array.isArray(settings)) bad("settings must be an object");
  if (typeof options !== "object" || Array.isArray(options)) bad("options must be an object");
  const allowed = ["resolution", "duration", ...(product === "text-to-video" ? ["aspect_ratio"] : []), ...(m.settings ?? [])];
  for (const k of Object.keys(settings)) if (!allowed.includes(k)) bad(`invalid key: settings.${k}`);
  for (const k of Object.keys(options))
    if (!["callback_url", "external_task_id", "watermark_info"].includes(k)) bad(`invalid key: options.${k}`);
  const wm = options.watermark_info as Body | undefined;
  if (wm !== undefined && (typeof wm !== "object" || typeof wm.enabled !== "boolean"))
    bad("options.watermark_info.enabled must be a boolean");
  if (settings.resolution !== undefined && !m.resolutions?.includes(str(settings.resolution)))
    bad(`settings.resolution ${str(settings.resolution)} is not supported by ${m.id}`);
  if (settings.duration !== undefined) {
    if (!Number.isInteger(settings.duration)) bad("settings.duration must be an integer");
    if (!m.durations?.includes(settings.duration as number)) bad(`settings.duration ${str(settings.duration)} is not supported by ${m.id}`);
  }
  if (settings.aspect_ratio !== undefined && !["16:9", "9:16", "1:1"].includes(str(settings.aspect_ratio)))
    bad("settings.aspect_ratio must be 16:9, 9:16 or 1:1");
  if (settings.audio !== undefined && !["native", "off"].includes(str(settings.audio))) bad("settings.audio must be native or off");
  if (settings.multi_shot !== undefined && typeof settings.multi_shot !== "boolean") bad("settings.multi_shot must be a boolean");
  const facts: SimRequestFacts = {
    resolution: str(settings.resolution ?? "720p"),
    sound: settings.audio === "native",
    lastFrame: false,
    voices: 0,
    video: false,
    firstFrameOnly: false,
    ...(settings.duration !== undefined ? { duration: settings.duration as number } : {}),
  };
  let prompt: string;
  if (product === "text-to-video") prompt = checkPrompt(b.prompt, true, m);
  else prompt = checkContents(b, m, facts);
  if (facts.voices && settings.audio !== "native") bad("voice requires settings.audio native");
  const why = m.rule?.(facts);
  if (why) bad(why);
  return { prompt };
}

function checkContents(b: Body, m: SimModelRules, facts: SimRequestFacts): string {
  const contents = list(b, "contents");
  const types = [
    "prompt",
    "first_frame",
    ...(m.lastFrame ? ["last_frame"] : []),
    ...(m.elements ? ["element"] : []),
    ...(m.voices ? ["voice"] : []),
  ];
  const count = (t: string) => contents.filter((c) => c.type === t).length;
  const ids = new Set<string>();
  let prompt = "";
  for (const c of contents) {
    if (!types.includes(str(c.type))) bad(`contents[].type ${str(c.type)} is not supported by ${m.id}`);
    if (c.type === "prompt") prompt = checkPrompt(c.text, true, m, "contents[].text");
    if (c.type === "first_frame" || c.type === "last_frame") checkImage(c.url, `contents[].url (${c.type})`, 50);
    if (c.type === "element" || c.type === "voice") {
      const key = c.type === "element" ? "element_id" : "voice_id";
      if (typeof c[key] !== "string" || !c[key]) bad(`contents[].${key} must be a string`);
      if (typeof c.id !== "string" || !c.id || ids.has(c.id)) bad("contents[].id is required and must be unique");
      ids.add(c.id);
    }
  }
  if (count("first_frame") !== 1) bad("contents needs exactly one first_frame");
  if (count("prompt") > 1 || count("last_frame") > 1) bad("contents: at most one prompt and one last_frame");
  if (count("element") > (m.elements ?? 0)) bad(`contents: at most ${m.elements ?? 0} elements`);
  if (count("voice") > (m.voices ?? 0)) bad(`contents: at most ${m.voices ?? 0} voices`);
  facts.lastFrame = count("last_frame") > 0;
  facts.voices = count("voice");
  return prompt;
}

/**
 * The simulator's own statement of which req_keys the Visual API serves and what each accepts,
 * written from the vendor's pages (the 4.0 and 3.0 Pro pages, the 3.0 720P/1080P video page with
 * its 服务标识汇总 table, the OmniHuman 1.5 subject-recognition page, vendor-apis §B) and never from
 * the adapter's catalog: when the two disagree, a test fails. Only what the pages say is checked;
 * fields a req_key does not document are ignored, as the vendor's JSON handling does.
 */

/** How a req_key is called: CVSync2Async* (`async`), CVProcess (`sync`) or CVSubmitTask/CVGetResult (`task`). */
export type SimAction = "async" | "sync" | "task";

export interface SimReqKey {
  /** The actions that serve it; any other answers "req_key … not supported". */
  actions: SimAction[];
  /** What a finished task returns: images, a video URL, or a JSON verdict in resp_data. */
  output: "image" | "video" | "verdict";
  /** Input images [min, max] in image_urls / binary_data_base64 (or image_input); absent = it reads none. */
  images?: [number, number];
  /** Single-URL fields it requires (e.g. image_url, audio_url). */
  urlFields?: string[];
  /** `required`: always; `text`: when no image is given (text-to-video). */
  prompt?: "required" | "text";
  /** Accepted `frames` (24 x seconds + 1). */
  frames?: number[];
  aspectRatios?: string[];
  /** Camera templates and strengths, both required when given. */
  templates?: string[];
  strengths?: string[];
  scale?: [number, number];
  /** Jimeng 4.0's output rules: `size` and width x height within [1024², 4096²]. */
  area?: [number, number];
  /** Per-side width/height range. */
  side?: [number, number];
}

const FRAMES = [121, 241];
const RATIOS = ["16:9", "4:3", "1:1", "3:4", "9:16", "21:9"];
const TEXT_IMAGE: SimReqKey = { actions: ["async"], output: "image", prompt: "required" };
const TEXT_VIDEO: SimReqKey = { actions: ["async"], output: "video", prompt: "required", frames: FRAMES, aspectRatios: RATIOS };
const FRAME_VIDEO = (n: number): SimReqKey => ({ actions: ["async"], output: "video", images: [n, n], prompt: "required", frames: FRAMES });

export const SIM_REQ_KEYS: Record<string, SimReqKey> = {
  jimeng_t2i_v40: { ...TEXT_IMAGE, images: [0, 10], scale: [0, 1], area: [1024 * 1024, 4096 * 4096] },
  // Doc 85621/2275082 (Jimeng 4.6): third-party code names it both ways; the simulator serves both.
  jimeng_t2i_v46: { ...TEXT_IMAGE, images: [0, 14] },
  jimeng_seedream46_cvtob: { ...TEXT_IMAGE, images: [0, 14] },
  jimeng_t2i_v31: TEXT_IMAGE,
  jimeng_t2i_v30: TEXT_IMAGE,
  high_aes_general_v30l_zt2i: TEXT_IMAGE,
  jimeng_i2i_v30: { ...TEXT_IMAGE, images: [1, 1], scale: [0, 1] },
  jimeng_high_aes_general_v21_L: { ...TEXT_IMAGE, actions: ["sync"], side: [256, 768] },
  jimeng_ti2v_v30_pro: { ...TEXT_VIDEO, images: [0, 1], prompt: "text" },
  jimeng_t2v_v30: TEXT_VIDEO,
  jimeng_t2v_v30_1080p: TEXT_VIDEO,
  jimeng_i2v_first_v30: FRAME_VIDEO(1),
  jimeng_i2v_first_v30_1080: FRAME_VIDEO(1),
  jimeng_i2v_first_tail_v30: FRAME_VIDEO(2),
  jimeng_i2v_first_tail_v30_1080: FRAME_VIDEO(2),
  jimeng_i2v_recamera_v30: {
    ...FRAME_VIDEO(1),
    templates: [
      "hitchcock_dolly_in",
      "hitchcock_dolly_out",
      "robo_arm",
      "dynamic_orbit",
      "central_orbit",
      "crane_push",
      "quick_pull_back",
      "counterclockwise_swivel",
      "clockwise_swivel",
      "handheld",
      "rapid_push_pull",
    ],
    strengths: ["weak", "medium", "strong"],
  },
  i2i_portrait_photo: { actions: ["async", "sync"], output: "image", images: [1, 1] },
  jimeng_realman_avatar_picture_create_role_omni_v15: { actions: ["task"], output: "verdict", urlFields: ["image_url"] },
  jimeng_realman_avatar_object_detection: { actions: ["sync"], output: "verdict", urlFields: ["image_url"] },
  jimeng_realman_avatar_picture_omni_v15: { actions: ["task"], output: "video", urlFields: ["image_url", "audio_url"] },
  jimeng_dream_actor_m1_gen_video_cv: { actions: ["async"], output: "video", urlFields: ["image_url", "video_url"] },
  jimeng_dreamactor_m20_gen_video: { actions: ["async"], output: "video", urlFields: ["image_url", "video_url"] },
};

/** The vendor's answer to a body that breaks a req_key's rules: [code, message], or undefined when it is fine. */
export function checkBody(rules: SimReqKey, body: Record<string, unknown>, images: number): [number, string] | undefined {
  const prompt = typeof body.prompt === "string" ? body.prompt : "";
  const has = (v: unknown) => v !== undefined && v !== null && v !== "";
  for (const f of rules.urlFields ?? []) {
    if (!has(body[f])) return [50201, `Missing Args: ${f}`];
    if (typeof body[f] !== "string" || !/^https?:\/\//.test(body[f])) return [50200, `Invalid Args: ${f} must be an http(s) URL`];
  }
  if (rules.images && (images < rules.images[0] || images > rules.images[1])) {
    const [lo, hi] = rules.images;
    return [50200, `Invalid Args: ${lo === hi ? lo : `${lo}-${hi}`} image(s) expected, got ${images}`];
  }
  if ((rules.prompt === "required" || (rules.prompt === "text" && !images)) && !prompt) return [50201, "Missing Args: prompt"];
  if (rules.frames && body.frames !== undefined && !rules.frames.includes(body.frames as number))
    return [50200, `Invalid Args: frames must be one of ${rules.frames.join(", ")}`];
  if (rules.aspectRatios && body.aspect_ratio !== undefined && !rules.aspectRatios.includes(body.aspect_ratio as string))
    return [50200, `Invalid Args: aspect_ratio must be one of ${rules.aspectRatios.join(", ")}`];
  for (const [field, values] of [
    ["template_id", rules.templates],
    ["camera_strength", rules.strengths],
  ] as const) {
    if (!values) continue;
    if (!has(body[field])) return [50201, `Missing Args: ${field}`];
    if (!values.includes(body[field] as string)) return [50200, `Invalid Args: ${field}`];
  }
  const num = (f: string) => (typeof body[f] === "number" ? body[f] : undefined);
  const scale = num("scale");
  if (rules.scale && scale !== undefined && (scale < rules.scale[0] || scale > rules.scale[1]))
    return [50200, `Invalid Args: scale must be in [${rules.scale.join(", ")}]`];
  if (rules.side) {
    for (const f of ["width", "height"]) {
      const v = num(f);
      if (v !== undefined && (v < rules.side[0] || v > rules.side[1]))
        return [50200, `Invalid Args: ${f} must be in [${rules.side.join(", ")}]`];
    }
  }
  if (rules.area) {
    const w = num("width");
    const h = num("height");
    const size = num("size");
    const area = w !== undefined && h !== undefined ? w * h : size;
    if (area !== undefined && (area < rules.area[0] || area > rules.area[1]))
      return [50200, `Invalid Args: output area must be in [${rules.area.join(", ")}]`];
  }
  return undefined;
}

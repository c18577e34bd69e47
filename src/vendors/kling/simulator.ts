/**
 * Kling AI simulator: exact JWT checks (1001 missing, 1002 malformed or bad signature, 1003 not yet
 * valid, 1004 expired, 1000 unknown access key), the create/get/list task API of every video and
 * image family with `submitted → processing → succeed|failed`, millisecond timestamps, string
 * durations, the documented count limits, `external_task_id` uniqueness and lookup, per-pack
 * parallel-task limits (1303), elements, and real MP4/PNG media kept 30 days. Trigger words:
 * "[blocked]" (1301), "[fail]" (task fails), "[slow]" (runs 4x longer).
 *
 * One file on purpose, over 300 lines: it is the vendor's whole documented contract, read side by
 * side with the vendor's docs, and kept apart from the adapter so the two cannot share a mistake.
 */
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { JWTPayload } from "jose";
import { JWTClaimValidationFailed, JWTExpired } from "jose/errors";
import { jwtVerify } from "jose/jwt/verify";
import { parseKlingJson, stringifyKling } from "./client.js";
import { ANY_DURATION, findVideoModel, isKlingFamily, knownModels, type KlingFamily } from "./models.js";
import { makeMp4, makePng } from "../../sandbox/media-fixtures.js";
import { header, VendorSimulator, type SimReply, type SimRequest } from "../../sandbox/sim-server.js";
import { taskPhase, type SimTask } from "../../sandbox/sim-task.js";
import type { SimulatedVendor, SimulatorOptions } from "../../sandbox/simulated-vendor.js";
import { VENDOR_ID } from "./config.js";

export interface KlingSimOptions {
  accessKey?: string;
  secretKey?: string;
  queuedMs?: number;
  runningMs?: number;
  /** Parallel slots per resource pack (a video task takes 1, an image task takes n). */
  maxParallelVideo?: number;
  maxParallelImage?: number;
  /** Longest edge actually rendered. */
  maxRenderEdge?: number;
  /** How long a "lost" create answer is held back (the client should have timed out by then). */
  lostReplyDelayMs?: number;
}

interface TaskData {
  family: KlingFamily;
  body: Record<string, unknown>;
  prompt: string;
  externalTaskId?: string;
  slots: number;
  result?: Record<string, unknown>;
  updatedMs?: number;
}

interface SimElement {
  element_id: string;
  element_name: string;
  element_description: string;
  element_frontal_image: string;
  element_refer_list: Array<{ image_url: string }>;
  tag_list: Array<{ tag_id: string }>;
  owned_by: string;
  status: string;
}

const RETENTION_S = 30 * 24 * 3600;
const RATIO: Record<string, [number, number]> = {
  "16:9": [16, 9],
  "9:16": [9, 16],
  "1:1": [1, 1],
  "4:3": [4, 3],
  "3:4": [3, 4],
  "3:2": [3, 2],
  "2:3": [2, 3],
  "21:9": [21, 9],
};
const PROMPT_REQUIRED: KlingFamily[] = [
  "videos/text2video",
  "videos/multi-image2video",
  "videos/omni-video",
  "images/generations",
  "images/omni-image",
];
const DEFAULT_MODEL: Record<KlingFamily, string> = {
  "videos/text2video": "kling-v1",
  "videos/image2video": "kling-v1",
  "videos/multi-image2video": "kling-v1-6",
  "videos/omni-video": "kling-video-o1",
  "images/generations": "kling-v1",
  "images/multi-image2image": "kling-v2",
  "images/omni-image": "kling-image-o1",
};

class Reject extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export class KlingSimulator extends VendorSimulator {
  readonly accessKey: string;
  readonly secretKey: string;
  readonly tasks = new Map<string, SimTask<TaskData>>();
  readonly elements = new Map<string, SimElement>();
  /** The next N creates make the task but hold the answer back (an answer lost in transit). */
  loseCreateReplies = 0;
  private readonly opts: Required<KlingSimOptions>;
  private readonly secret: Uint8Array;
  private seq = 0;

  constructor(opts: KlingSimOptions = {}) {
    super(VENDOR_ID);
    this.opts = {
      accessKey: "AK_kling_sandbox_0001",
      secretKey: "SK_kling_sandbox_secret_0000000000001",
      queuedMs: 1500,
      runningMs: 6000,
      maxParallelVideo: 5,
      maxParallelImage: 9,
      maxRenderEdge: 512,
      lostReplyDelayMs: 3000,
      ...opts,
    };
    this.accessKey = this.opts.accessKey;
    this.secretKey = this.opts.secretKey;
    this.secret = new TextEncoder().encode(this.secretKey);
    for (const [i, name] of ["Panda", "Robot"].entries()) {
      const id = `9007199254740${993 + i}123`;
      this.presets.push({
        element_id: id,
        element_name: name,
        element_description: `official ${name.toLowerCase()}`,
        element_frontal_image: "",
        element_refer_list: [],
        tag_list: [{ tag_id: "o_101" }],
        owned_by: "kling",
        status: "succeed",
      });
    }
  }
  private readonly presets: SimElement[] = [];

  get baseUrl(): string {
    return this.sim.url;
  }
  override async start(port = 0): Promise<this> {
    await super.start(port);
    for (const p of this.presets) p.element_frontal_image = this.sim.publish(makePng(64, 64, 7), "image/png", RETENTION_S, "png");
    return this;
  }

  /** Tasks created so far (what Kling would bill). */
  get created(): number {
    return this.tasks.size;
  }

  protected async handle(req: SimRequest): Promise<SimReply> {
    const rid = randomBytes(16)
      .toString("hex")
      .replace(/^(.{8})(.{4})(.{4})(.{4})/, "$1-$2-$3-$4-");
    try {
      await this.authenticate(req);
      const data = await this.route(req);
      return {
        status: 200,
        headers: { "content-type": "application/json" },
        body: stringifyKling({ code: 0, message: "SUCCEED", request_id: rid, data }),
      };
    } catch (e) {
      if (!(e instanceof Reject)) throw e;
      return { status: e.status, body: { code: e.code, message: e.message, request_id: rid } };
    }
  }

  private async authenticate(req: SimRequest): Promise<void> {
    const auth = header(req, "authorization");
    if (!auth) throw new Reject(401, 1001, "Authorization is empty");
    const m = /^Bearer ([^\s]+)$/.exec(auth);
    if (!m) throw new Reject(401, 1002, "Authorization is invalid");
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(m[1]!, this.secret, { algorithms: ["HS256"], currentDate: new Date(this.sim.now()) }));
    } catch (err) {
      // jose checks the signature first, then nbf and exp with no clock skew; anything else is a bad token.
      const claim = err instanceof JWTClaimValidationFailed || err instanceof JWTExpired ? err.claim : undefined;
      if (claim === "nbf") throw new Reject(401, 1003, "Authorization is not yet valid");
      if (claim === "exp") throw new Reject(401, 1004, "Authorization is expired");
      throw new Reject(401, 1002, "Authorization is invalid");
    }
    if (typeof payload.exp !== "number" || typeof payload.nbf !== "number")
      throw new Reject(401, 1002, "Authorization is invalid: exp and nbf are required");
    if (payload.iss !== this.accessKey) throw new Reject(401, 1000, "Authentication failed: unknown access key");
  }

  private async route(req: SimRequest): Promise<unknown> {
    const p = req.path;
    if (p === "/v1/general/custom-elements")
      return req.method === "POST" ? this.createElement(req) : this.page(req, [...this.elements.values()].reverse());
    if (p === "/v1/general/presets-elements" && req.method === "GET") return this.page(req, this.presets);
    if (p === "/v1/general/delete-elements" && req.method === "POST") return this.deleteElement(req);
    const m = /^\/v1\/((?:videos|images)\/[\w-]+)(?:\/([^/]+))?$/.exec(p);
    if (m && isKlingFamily(m[1])) {
      const family = m[1];
      if (!m[2] && req.method === "POST") return this.create(family, req);
      if (!m[2] && req.method === "GET")
        return this.page(
          req,
          [...this.tasks.values()]
            .filter((t) => t.data.family === family)
            .reverse()
            .map((t) => this.view(t)),
        );
      if (m[2] && req.method === "GET") return this.view(this.find(family, decodeURIComponent(m[2])));
    }
    throw new Reject(404, 1202, `invalid request method or path: ${req.method} ${p}`);
  }

  private page<T>(req: SimRequest, items: T[]): T[] {
    const num = Number(req.query.get("pageNum") ?? 1);
    const size = Number(req.query.get("pageSize") ?? 30);
    if (!Number.isInteger(num) || num < 1 || num > 1000 || !Number.isInteger(size) || size < 1 || size > 500)
      throw new Reject(400, 1201, "pageNum must be 1-1000 and pageSize 1-500");
    return items.slice((num - 1) * size, num * size);
  }

  private find(family: KlingFamily, id: string): SimTask<TaskData> {
    const t = this.tasks.get(id) ?? [...this.tasks.values()].find((x) => x.data.externalTaskId === id);
    if (!t || t.data.family !== family) throw new Reject(404, 1203, `task ${id} not found`);
    return t;
  }

  // ---- task creation ----

  private async create(family: KlingFamily, req: SimRequest): Promise<unknown> {
    const b = req.json;
    if (!b || typeof b !== "object" || Array.isArray(b)) throw new Reject(400, 1200, "request body must be a JSON object");
    const body = parseKlingJson(req.body.toString("utf8")) as Record<string, unknown>;
    const model = body.model_name === undefined ? DEFAULT_MODEL[family] : body.model_name;
    if (typeof model !== "string" || !knownModels(family).includes(model))
      throw new Reject(404, 1203, `model_name ${typeof model === "string" ? model : JSON.stringify(model)} not found for ${family}`);
    const prompt = typeof body.prompt === "string" ? body.prompt : "";
    if (body.prompt !== undefined && typeof body.prompt !== "string") throw new Reject(400, 1201, "prompt must be a string");
    if (PROMPT_REQUIRED.includes(family) && !prompt) throw new Reject(400, 1201, "prompt is required");
    if (prompt.length > 2500) throw new Reject(400, 1201, "prompt must be at most 2500 characters");
    if (prompt.includes("[blocked]")) throw new Reject(400, 1301, "Content security check failed for the prompt");
    if (body.duration !== undefined) {
      if (typeof body.duration !== "string") throw new Reject(400, 1201, 'duration must be a string such as "5"');
      const allowed = findVideoModel(model)?.durations ?? ANY_DURATION;
      if (!allowed.includes(body.duration)) throw new Reject(400, 1201, `duration ${body.duration} is not supported by ${model}`);
    }
    for (const k of ["mode"] as const)
      if (body[k] !== undefined && body[k] !== "std" && body[k] !== "pro") throw new Reject(400, 1201, "mode must be std or pro");
    const ext = body.external_task_id;
    if (ext !== undefined && (typeof ext !== "string" || !ext)) throw new Reject(400, 1201, "external_task_id must be a string");
    if (ext && [...this.tasks.values()].some((t) => t.data.externalTaskId === ext))
      throw new Reject(400, 1201, "external_task_id already exists");
    const slots = this.checkFamily(family, body);
    const pack = family.startsWith("videos/") ? "videos/" : "images/";
    const active = [...this.tasks.values()]
      .filter((t) => t.data.family.startsWith(pack) && ["queued", "running"].includes(taskPhase(t, this.sim.now())))
      .reduce((s, t) => s + t.data.slots, 0);
    const max = pack === "videos/" ? this.opts.maxParallelVideo : this.opts.maxParallelImage;
    if (active + slots > max) throw new Reject(429, 1303, "parallel task over resource pack limit");
    const now = this.sim.now();
    const id = String(BigInt(now) * 1000n + BigInt(++this.seq % 1000)) + "00";
    const task: SimTask<TaskData> = {
      id,
      createdMs: now,
      queuedMs: this.opts.queuedMs,
      runningMs: this.opts.runningMs * (prompt.includes("[slow]") ? 4 : 1),
      outcome: prompt.includes("[fail]") ? "failed" : "succeeded",
      data: { family, body: { ...body, model_name: model }, prompt, externalTaskId: ext, slots },
    };
    this.tasks.set(id, task);
    const view = this.view(task);
    if (this.loseCreateReplies > 0) {
      this.loseCreateReplies--;
      await sleep(this.opts.lostReplyDelayMs);
    }
    return view;
  }

  /** Family-specific rules; returns the parallel slots the task takes. */
  private checkFamily(family: KlingFamily, b: Record<string, unknown>): number {
    const list = (k: string) =>
      b[k] === undefined ? [] : Array.isArray(b[k]) ? (b[k] as Array<Record<string, unknown>>) : bad(`${k} must be an array`);
    const n =
      b.n === undefined
        ? 1
        : Number.isInteger(b.n) && (b.n as number) >= 1 && (b.n as number) <= 9
          ? (b.n as number)
          : bad("n must be an integer 1-9");
    switch (family) {
      case "videos/text2video":
        return 1;
      case "videos/image2video": {
        if (!b.image && !b.image_tail) bad("image or image_tail is required");
        for (const k of ["image", "image_tail", "static_mask"]) if (b[k] !== undefined) checkImage(b[k], k);
        const masks = list("dynamic_masks");
        if (masks.length > 6) bad("dynamic_masks: at most 6");
        for (const mk of masks) {
          checkImage(mk.mask, "dynamic_masks.mask");
          const tr = mk.trajectories;
          if (!Array.isArray(tr) || tr.length < 2 || tr.length > 77) bad("trajectories must have 2-77 points");
        }
        const groups = [!!b.image_tail, !!b.static_mask || masks.length > 0, !!b.camera_control].filter(Boolean).length;
        if (groups > 1) bad("image_tail, motion brush (static_mask/dynamic_masks) and camera_control are mutually exclusive");
        return 1;
      }
      case "videos/multi-image2video": {
        const imgs = list("image_list");
        if (imgs.length < 1 || imgs.length > 4) bad("image_list must have 1-4 images");
        for (const i of imgs) checkImage(i.image, "image_list.image");
        return 1;
      }
      case "videos/omni-video": {
        const imgs = list("image_list");
        const els = list("element_list");
        const vids = list("video_list");
        if (vids.length > 1) bad("video_list: at most 1 video");
        const max = vids.length ? 4 : 7;
        if (imgs.length > max || imgs.length + els.length > max) bad(`image_list + element_list: at most ${max}`);
        for (const i of imgs) checkImage(i.image_url, "image_list.image_url");
        const types = imgs.map((i) => i.type);
        if (types.includes("end_frame") && imgs.length > 2) bad("end_frame is not supported with more than 2 images");
        const editing = vids[0]?.refer_type === "base";
        if (!types.includes("first_frame") && !editing && !b.aspect_ratio) bad("aspect_ratio is required");
        for (const v of vids) if (typeof v.video_url !== "string" || !/^https?:\/\//.test(v.video_url)) bad("video_url must be a URL");
        return 1;
      }
      case "images/generations":
        if (b.image !== undefined) checkImage(b.image, "image");
        if (b.image_reference !== undefined && b.model_name !== "kling-v1-5") bad("image_reference is only supported by kling-v1-5");
        return n;
      case "images/multi-image2image": {
        const subs = list("subject_image_list");
        if (subs.length < 1 || subs.length > 4) bad("subject_image_list must have 1-4 images");
        for (const s of subs) checkImage(s.subject_image, "subject_image_list.subject_image");
        for (const k of ["scene_image", "style_image"]) if (b[k] !== undefined) checkImage(b[k], k);
        return n;
      }
      case "images/omni-image": {
        const imgs = list("image_list");
        const els = list("element_list");
        if (imgs.length + els.length > 10) bad("image_list + element_list: at most 10");
        for (const i of imgs) checkImage(i.image, "image_list.image");
        return b.result_type === "series" ? Number(b.series_amount ?? 4) : n;
      }
    }
  }

  // ---- task view ----

  private view(task: SimTask<TaskData>): Record<string, unknown> {
    const phase = taskPhase(task, this.sim.now());
    const status = phase === "queued" ? "submitted" : phase === "running" ? "processing" : phase === "succeeded" ? "succeed" : "failed";
    const b = task.data.body;
    const wm = (b.watermark_info as { enabled?: boolean } | undefined)?.enabled === true;
    const out: Record<string, unknown> = {
      task_id: task.id,
      task_status: status,
      task_status_msg: status === "failed" ? "Failure to pass the risk control system" : "",
      task_info: task.data.externalTaskId ? { external_task_id: task.data.externalTaskId } : {},
      created_at: task.createdMs,
      updated_at: status === "succeed" || status === "failed" ? task.createdMs + task.queuedMs + task.runningMs : this.sim.now(),
      watermark_info: { enabled: wm },
    };
    if (status === "succeed") {
      task.data.result ??= this.render(task.data, wm);
      out.task_result = task.data.result;
      out.final_unit_deduction = "1";
    }
    return out;
  }

  private render(d: TaskData, wm: boolean): Record<string, unknown> {
    const b = d.body;
    const [rw, rh] = RATIO[typeof b.aspect_ratio === "string" ? b.aspect_ratio : "16:9"] ?? [16, 9];
    const edge = d.family.startsWith("videos/") ? Math.min(320, this.opts.maxRenderEdge) : this.opts.maxRenderEdge;
    const w = Math.max(16, Math.round((edge * rw) / Math.max(rw, rh) / 16) * 16);
    const h = Math.max(16, Math.round((edge * rh) / Math.max(rw, rh) / 16) * 16);
    const seed = d.prompt.length;
    if (d.family.startsWith("videos/")) {
      const seconds = Number(b.duration ?? 5);
      const make = (s: number) => () => makeMp4({ width: w, height: h, seconds, fps: 2, seed: s });
      const video = {
        id: randomBytes(8).toString("hex"),
        url: this.sim.publish(make(seed), "video/mp4", RETENTION_S, "mp4"),
        ...(wm ? { watermark_url: this.sim.publish(make(seed + 1), "video/mp4", RETENTION_S, "mp4") } : {}),
        duration: seconds.toFixed(1),
      };
      return { videos: [video] };
    }
    const image = (i: number) => ({
      index: i,
      url: this.sim.publish(makePng(w, h, seed + i), "image/png", RETENTION_S, "png"),
      ...(wm ? { watermark_url: this.sim.publish(makePng(w, h, seed + i + 50), "image/png", RETENTION_S, "png") } : {}),
    });
    if (d.family === "images/omni-image" && b.result_type === "series") {
      return { series_images: Array.from({ length: Number(b.series_amount ?? 4) }, (_, i) => image(i)) };
    }
    return { images: Array.from({ length: Number(b.n ?? 1) }, (_, i) => image(i)) };
  }

  // ---- elements ----

  private createElement(req: SimRequest): SimElement {
    const b = (req.json ?? {}) as Record<string, unknown>;
    const name = b.element_name;
    const desc = b.element_description;
    if (typeof name !== "string" || !name || name.length > 20) bad("element_name is required, at most 20 characters");
    if (typeof desc !== "string" || !desc || desc.length > 100) bad("element_description is required, at most 100 characters");
    checkImage(b.element_frontal_image, "element_frontal_image");
    const refs = Array.isArray(b.element_refer_list) ? (b.element_refer_list as Array<{ image_url?: unknown }>) : [];
    if (refs.length < 1 || refs.length > 3) bad("element_refer_list must have 1-3 images");
    for (const r of refs) checkImage(r.image_url, "element_refer_list.image_url");
    const id = String(9_100_000_000_000_000_000n + BigInt(this.elements.size + 1) * 7919n);
    const el: SimElement = {
      element_id: id,
      element_name: name,
      element_description: desc,
      element_frontal_image: this.sim.publish(makePng(64, 64, 3), "image/png", RETENTION_S, "png"),
      element_refer_list: refs.map(() => ({ image_url: this.sim.publish(makePng(64, 64, 4), "image/png", RETENTION_S, "png") })),
      tag_list: Array.isArray(b.tag_list) ? (b.tag_list as Array<{ tag_id: string }>) : [],
      owned_by: "account",
      status: "succeed",
    };
    this.elements.set(id, el);
    return el;
  }

  private deleteElement(req: SimRequest): unknown {
    const b = parseKlingJson(req.body.toString("utf8")) as { element_id?: unknown };
    const id = typeof b?.element_id === "string" || typeof b?.element_id === "number" ? String(b.element_id) : "";
    if (!/^\d+$/.test(id)) bad("element_id is required");
    if (this.presets.some((p) => p.element_id === id)) throw new Reject(403, 1103, "official elements cannot be deleted");
    if (!this.elements.delete(id)) throw new Reject(404, 1203, `element ${id} not found`);
    return { task_id: randomBytes(8).toString("hex"), task_status: "succeed" };
  }
}

function bad(message: string): never {
  throw new Reject(400, 1201, message);
}

/** Kling takes an image as an http(s) URL or raw base64 (no `data:` prefix) of a JPEG or PNG. */
function checkImage(v: unknown, field: string): void {
  if (typeof v !== "string" || !v) bad(`${field} must be a URL or base64 string`);
  if (/^https?:\/\//.test(v)) return;
  if (v.startsWith("data:")) bad(`${field}: send raw base64 without the "data:" prefix`);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(v)) bad(`${field} is not valid base64`);
  const bytes = Buffer.from(v, "base64");
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  const png = bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  if (!jpeg && !png) bad(`${field} must be a jpg or png image`);
  if (bytes.length > 10 * 1024 * 1024) bad(`${field} is larger than 10 MB`);
}

const FAST: KlingSimOptions = { queuedMs: 100, runningMs: 300, maxRenderEdge: 128, lostReplyDelayMs: 1500 };

/** Starts the simulator for `--sandbox` and the tests, with the environment that points the adapter at it. */
export async function simulate({ fast, options }: SimulatorOptions): Promise<SimulatedVendor> {
  const simulator = await new KlingSimulator({ ...(fast ? FAST : {}), ...(options as KlingSimOptions | undefined) }).start();
  return {
    simulator,
    env: { KLING_ACCESS_KEY: simulator.accessKey, KLING_SECRET_KEY: simulator.secretKey, KLING_BASE_URL: simulator.baseUrl },
    line: `Kling simulator at ${simulator.baseUrl}`,
  };
}

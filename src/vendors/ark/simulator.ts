/**
 * Volcengine Ark simulator: Seedream images/generations (url and b64_json, groups), the Seedance
 * task API (create, get, list, DELETE with the documented rules) and the model list (GET /models,
 * with "Shutdown" for retired models), with exact Bearer checks, the documented error bodies, real
 * JPEG/PNG/MP4 bytes at expiring URLs, and trigger words: "[blocked]" (moderation 400), "[fail]"
 * (task fails), "[expire]" (task expires), "[slow]". Which models it serves and what each accepts is
 * its own statement in sim-models.ts (never the adapter's catalog); `extraModels` adds or changes some.
 *
 * One file on purpose, over 300 lines: it is the vendor's whole documented contract, read side by
 * side with the vendor's docs, and kept apart from the adapter so the two cannot share a mistake.
 */
import { randomBytes } from "node:crypto";
import {
  OPEN_SEEDANCE,
  OPEN_SEEDREAM,
  simModels,
  type ExtraModel,
  type SimModel,
  type SimSeedance,
  type SimSeedream,
} from "./sim-models.js";
import { makeJpeg, makeMp4, makePng } from "../../sandbox/media-fixtures.js";
import { freshTaskId, header, VendorSimulator, type SimReply, type SimRequest } from "../../sandbox/sim-server.js";
import { taskPhase, type SimTask } from "../../sandbox/sim-task.js";
import type { SimulatedVendor, SimulatorOptions } from "../../sandbox/simulated-vendor.js";
import { VENDOR_ID } from "./config.js";

export interface ArkSimOptions {
  apiKey?: string;
  /** Time a video task waits in the queue, then runs (simulator clock). */
  queuedMs?: number;
  runningMs?: number;
  /** Time an image request takes. */
  imageDelayMs?: number;
  /** Longest edge actually rendered (the reported size is the requested one). */
  maxRenderEdge?: number;
  /** Models added to (or changed in) the simulated Ark's list, e.g. a release the catalog does not know yet. */
  extraModels?: ExtraModel[];
}

interface VideoData {
  model: string;
  body: Record<string, unknown>;
  prompt: string;
  result?: { video_url: string; last_frame_url?: string };
  updatedS?: number;
  /** Why the task fails, when not moderation (an input URL Ark could not download). */
  failure?: { code: string; message: string };
}

const TIER: Record<string, [number, number]> = {
  "1K": [1024, 1024],
  "2K": [2048, 2048],
  "3K": [3072, 3072],
  "4K": [4096, 4096],
  ADAPTIVE: [1024, 1024],
};
const RATIO: Record<string, [number, number]> = {
  "16:9": [16, 9],
  "4:3": [4, 3],
  "1:1": [1, 1],
  "3:4": [3, 4],
  "9:16": [9, 16],
  "21:9": [21, 9],
  adaptive: [16, 9],
};

/**
 * Output frames of the Seedance 1.5 pro / 2.0 series (Ark's create-task reference, "不同宽高比对应的宽高像素值"),
 * for the billed tokens a finished task reports: duration × width × height × 24 fps / 1024 (Ark's
 * token rule). Input-video seconds are not counted: the simulator does not read its inputs' lengths.
 */
const FRAME: Record<string, Record<string, [number, number]>> = {
  "480p": { "16:9": [864, 496], "4:3": [752, 560], "1:1": [640, 640], "3:4": [560, 752], "9:16": [496, 864], "21:9": [992, 432] },
  "720p": { "16:9": [1280, 720], "4:3": [1112, 834], "1:1": [960, 960], "3:4": [834, 1112], "9:16": [720, 1280], "21:9": [1470, 630] },
  "1080p": {
    "16:9": [1920, 1080],
    "4:3": [1664, 1248],
    "1:1": [1440, 1440],
    "3:4": [1248, 1664],
    "9:16": [1080, 1920],
    "21:9": [2206, 946],
  },
  // 4k frames are not in the table: the simulator bills UHD 3840×2160 for every 4k ratio.
  "4k": { "16:9": [3840, 2160] },
};

/** The tokens Ark bills for a finished task (`usage.completion_tokens`); an adaptive ratio renders 16:9 here. */
function billedTokens(b: Record<string, unknown>, duration: number): number {
  const resolution = typeof b.resolution === "string" ? b.resolution : "720p";
  const frames = FRAME[resolution] ?? FRAME["720p"]!;
  const [w, h] = frames[typeof b.ratio === "string" ? b.ratio : "16:9"] ?? frames["16:9"]!;
  return Math.round((duration * w * h * 24) / 1024);
}

export class ArkSimulator extends VendorSimulator {
  readonly apiKey: string;
  readonly tasks = new Map<string, SimTask<VideoData>>();
  /** The models this simulated Ark serves, with their rules. */
  readonly models: SimModel[];
  private readonly opts: Required<ArkSimOptions>;

  constructor(opts: ArkSimOptions = {}) {
    super(VENDOR_ID);
    this.opts = {
      apiKey: "ark-sandbox-key-0000000000000000000000",
      queuedMs: 1500,
      runningMs: 6000,
      imageDelayMs: 300,
      maxRenderEdge: 1024,
      extraModels: [],
      ...opts,
    };
    this.apiKey = this.opts.apiKey;
    this.models = simModels(this.opts.extraModels);
  }

  get baseUrl(): string {
    return `${this.sim.url}/api/v3`;
  }

  protected async handle(req: SimRequest): Promise<SimReply> {
    const rid = "0217" + randomBytes(14).toString("hex");
    const reply = await this.route(req, rid);
    reply.headers = { "x-request-id": rid, ...(reply.headers ?? {}) };
    return reply;
  }

  private async route(req: SimRequest, rid: string): Promise<SimReply> {
    if (header(req, "authorization") !== `Bearer ${this.apiKey}`) {
      return err(
        401,
        "AuthenticationError",
        `The API key or AK/SK in the request is missing or invalid. Request id: ${rid}`,
        "Unauthorized",
      );
    }
    const p = req.path.replace(/^\/api\/v3/, "");
    if (req.method === "GET" && p === "/models") return this.listModels();
    if (req.method === "POST" && p === "/images/generations") return this.images(req, rid);
    if (p === "/contents/generations/tasks") {
      if (req.method === "POST") return this.createTask(req, rid);
      if (req.method === "GET") return this.listTasks(req);
    }
    const m = /^\/contents\/generations\/tasks\/([^/]+)$/.exec(p);
    if (m) {
      const id = decodeURIComponent(m[1]!);
      if (req.method === "GET") return this.getTask(id, rid);
      if (req.method === "DELETE") return this.deleteTask(id, rid);
    }
    return err(404, "NotFound", `no route ${req.method} ${p}`, "NotFound");
  }

  /** The model list: every model with its status (retired ones as "Shutdown"). */
  private listModels(): SimReply {
    const task = { seedream: "ImageGeneration", seedance: "VideoGeneration" } as const;
    return {
      status: 200,
      body: { object: "list", data: this.models.map((m) => ({ id: m.id, object: "model", status: m.status, task_type: task[m.kind] })) },
    };
  }

  /** The model's rules, or Ark's refusal of an unknown, wrong-endpoint or shut-down model. `ep-…` endpoint ids take the open rules. */
  private model<K extends SimModel["kind"]>(id: unknown, kind: K, rid: string): Extract<SimModel, { kind: K }> | SimReply {
    if (typeof id !== "string" || !id)
      return err(400, "MissingParameter.model", `The required parameter model is missing. Request id: ${rid}`, "BadRequest", "model");
    if (id.startsWith("ep-")) return { ...(kind === "seedream" ? OPEN_SEEDREAM : OPEN_SEEDANCE), id } as Extract<SimModel, { kind: K }>;
    const m = this.models.find((x) => x.id === id && x.kind === kind);
    if (!m)
      return err(
        404,
        "InvalidEndpointOrModel.NotFound",
        `The model or endpoint ${id} does not exist or you do not have access to it. Request id: ${rid}`,
        "NotFound",
      );
    if (m.status === "Shutdown")
      return err(404, "ModelNotOpen", `The model ${id} has been shut down and is no longer available. Request id: ${rid}`, "NotFound");
    return m as Extract<SimModel, { kind: K }>;
  }

  private async images(req: SimRequest, rid: string): Promise<SimReply> {
    const b = (req.json ?? {}) as Record<string, unknown>;
    const m = this.model(b.model, "seedream", rid);
    if (!("kind" in m)) return m;
    const prompt = typeof b.prompt === "string" ? b.prompt : "";
    if (!prompt)
      return err(400, "MissingParameter.prompt", `The required parameter prompt is missing. Request id: ${rid}`, "BadRequest", "prompt");
    if (prompt.includes("[blocked]"))
      return err(
        400,
        "InputTextSensitiveContentDetected",
        `The request failed because the input text may contain sensitive information. Request id: ${rid}`,
        "BadRequest",
      );
    const problem = seedreamProblem(m, b);
    if (problem) return refuse(problem, rid);
    const unreachable = this.sim.unreachableUrl(b.image);
    if (unreachable) return err(400, "InvalidParameter", `${downloadFailure(unreachable)} Request id: ${rid}`, "BadRequest", "image");
    const images = b.image === undefined ? [] : Array.isArray(b.image) ? b.image : [b.image];
    const size = typeof b.size === "string" ? b.size : "2048x2048";
    const dims = TIER[size.toUpperCase()] ?? (/^(\d+)x(\d+)$/.exec(size)!.slice(1).map(Number) as [number, number]);
    const group = b.sequential_image_generation === "auto";
    const max = (b.sequential_image_generation_options as { max_images?: number } | undefined)?.max_images ?? 15 - images.length;
    const count = group ? Math.max(1, Math.min(max, 15 - images.length)) : 1;
    await new Promise((r) => setTimeout(r, this.opts.imageDelayMs * (prompt.includes("[slow]") ? 10 : 1)));
    const [w, h] = this.renderDims(dims[0], dims[1]);
    const data = Array.from({ length: count }, (_, i) => {
      const bytes = makeJpeg(w, h, i + prompt.length);
      return b.response_format === "b64_json"
        ? { b64_json: bytes.toString("base64"), size: `${dims[0]}x${dims[1]}` }
        : { url: this.sim.publish(bytes, "image/jpeg", 86400, "jpeg"), size: `${dims[0]}x${dims[1]}` };
    });
    return {
      status: 200,
      body: {
        model: b.model,
        created: Math.floor(this.sim.now() / 1000),
        data,
        usage: { generated_images: count, output_tokens: count * 16384, total_tokens: count * 16384 },
      },
    };
  }

  private renderDims(w: number, h: number): [number, number] {
    const scale = Math.min(1, this.opts.maxRenderEdge / Math.max(w, h));
    return [Math.max(16, Math.round(w * scale)), Math.max(16, Math.round(h * scale))];
  }

  private createTask(req: SimRequest, rid: string): SimReply {
    const b = (req.json ?? {}) as Record<string, unknown>;
    const m = this.model(b.model, "seedance", rid);
    if (!("kind" in m)) return m;
    const content = Array.isArray(b.content) ? (b.content as Array<Record<string, unknown>>) : undefined;
    if (!content?.length)
      return err(400, "MissingParameter.content", `The required parameter content is missing. Request id: ${rid}`, "BadRequest", "content");
    const text = content.find((c) => c.type === "text")?.text;
    const prompt = typeof text === "string" ? text : "";
    if (prompt.includes("[blocked]"))
      return err(
        400,
        "InputTextSensitiveContentDetected",
        `The request failed because the input text may contain sensitive information. Request id: ${rid}`,
        "BadRequest",
      );
    const problem = seedanceProblem(m, b, (id) => {
      const t = this.tasks.get(id);
      return t?.data.model === m.id && t.data.body.draft === true;
    });
    if (problem) return refuse(problem, rid);
    const now = this.sim.now();
    const stamp = new Date(now).toISOString().replace(/\D/g, "").slice(0, 14);
    const id = freshTaskId(
      () => `cgt-${stamp}-${randomBytes(3).toString("hex").slice(0, 5)}`,
      (x) => this.tasks.has(x),
    );
    const slow = prompt.includes("[slow]") ? 4 : 1;
    // Ark accepts the task and fails it once its download of an input URL fails.
    const unreachable = this.sim.unreachableUrl(content);
    const task: SimTask<VideoData> = {
      id,
      createdMs: now,
      queuedMs: this.opts.queuedMs,
      runningMs: this.opts.runningMs * slow,
      outcome: unreachable || prompt.includes("[fail]") ? "failed" : prompt.includes("[expire]") ? "expired" : "succeeded",
      data: {
        model: String(b.model),
        body: b,
        prompt,
        ...(unreachable ? { failure: { code: "InvalidParameter", message: downloadFailure(unreachable) } } : {}),
      },
    };
    this.tasks.set(id, task);
    // The webhook's body is the task as a get returns it, at each status change.
    if (typeof b.callback_url === "string")
      this.sim.callBack(b.callback_url, [now + task.queuedMs, now + task.queuedMs + task.runningMs], () => this.view(task));
    return { status: 200, body: { id } };
  }

  private view(task: SimTask<VideoData>): Record<string, unknown> {
    const status = taskPhase(task, this.sim.now());
    const b = task.data.body;
    const duration = typeof b.duration === "number" && b.duration > 0 ? b.duration : 5;
    const base: Record<string, unknown> = {
      id: task.id,
      model: task.data.model,
      status,
      created_at: Math.floor(task.createdMs / 1000),
      updated_at: Math.floor(this.sim.now() / 1000),
      service_tier: b.service_tier ?? "default",
      execution_expires_after: b.execution_expires_after ?? 172800,
    };
    if (status === "succeeded") {
      if (!task.data.result) {
        const [rw, rh] = RATIO[typeof b.ratio === "string" ? b.ratio : "16:9"] ?? [16, 9];
        const w = Math.round((320 * rw) / Math.max(rw, rh) / 16) * 16;
        const h = Math.round((320 * rh) / Math.max(rw, rh) / 16) * 16;
        const seed = task.data.prompt.length;
        task.data.result = {
          video_url: this.sim.publish(() => makeMp4({ width: w, height: h, seconds: duration, fps: 8, seed }), "video/mp4", 86400, "mp4"),
          ...(b.return_last_frame ? { last_frame_url: this.sim.publish(() => makePng(w, h, seed), "image/png", 86400, "png") } : {}),
        };
        task.data.updatedS = Math.floor(this.sim.now() / 1000);
      }
      Object.assign(base, {
        content: task.data.result,
        updated_at: task.data.updatedS,
        usage: { completion_tokens: billedTokens(b, duration), total_tokens: billedTokens(b, duration) },
        seed: typeof b.seed === "number" ? b.seed : 58944,
        resolution: b.resolution ?? "720p",
        ratio: b.ratio ?? "16:9",
        duration,
        framespersecond: 24,
      });
    }
    if (status === "failed")
      base.error = task.data.failure ?? {
        code: "OutputVideoSensitiveContentDetected",
        message: "The generated video may contain sensitive content.",
      };
    return base;
  }

  private getTask(id: string, rid: string): SimReply {
    const task = this.tasks.get(id);
    if (!task || task.deleted) return err(404, "NotFound.TaskId", `The specified task ${id} is not found. Request id: ${rid}`, "NotFound");
    return { status: 200, body: this.view(task) };
  }

  private listTasks(req: SimRequest): SimReply {
    const pageNum = Math.max(1, Number(req.query.get("page_num") ?? 1));
    const pageSize = Math.min(500, Math.max(1, Number(req.query.get("page_size") ?? 10)));
    const ids = req.query.getAll("filter.task_ids");
    const status = req.query.get("filter.status");
    const model = req.query.get("filter.model");
    const items = [...this.tasks.values()]
      .filter((t) => !t.deleted && (!ids.length || ids.includes(t.id)) && (!model || t.data.model === model))
      .map((t) => this.view(t))
      .filter((v) => !status || v.status === status)
      .reverse();
    return { status: 200, body: { total: items.length, items: items.slice((pageNum - 1) * pageSize, pageNum * pageSize) } };
  }

  private deleteTask(id: string, rid: string): SimReply {
    const task = this.tasks.get(id);
    if (!task || task.deleted) return err(404, "NotFound.TaskId", `The specified task ${id} is not found. Request id: ${rid}`, "NotFound");
    const status = taskPhase(task, this.sim.now());
    if (status === "queued") {
      task.cancelled = true;
      return { status: 200, body: {} };
    }
    if (status === "running" || status === "cancelled") {
      return err(
        403,
        "OperationDenied.InvalidState",
        `Task ${id} is ${status} and cannot be cancelled or deleted. Request id: ${rid}`,
        "Forbidden",
      );
    }
    task.deleted = true;
    return { status: 200, body: {} };
  }
}

/** What Ark says when it cannot fetch an input URL (the host is not reachable from the internet). */
const downloadFailure = (url: string) =>
  `The parameter content or image specified in the request is not valid: failed to download the resource from ${new URL(url).origin}${new URL(url).pathname}.`;

function err(status: number, code: string, message: string, type: string, param = ""): SimReply {
  return { status, body: { error: { code, message, param, type } } };
}

function refuse(p: SimProblem, rid: string): SimReply {
  return err(p.status, p.code, `${p.message} Request id: ${rid}`, p.status === 404 ? "NotFound" : "BadRequest", p.param);
}

const FAST: ArkSimOptions = { queuedMs: 150, runningMs: 400, imageDelayMs: 10, maxRenderEdge: 256 };

/** Starts the simulator for `--sandbox` and the tests, with the environment that points the adapter at it. */
export async function simulate({ fast, options }: SimulatorOptions): Promise<SimulatedVendor> {
  const simulator = await new ArkSimulator({ ...(fast ? FAST : {}), ...(options as ArkSimOptions | undefined) }).start();
  return {
    simulator,
    env: { ARK_API_KEY: simulator.apiKey, ARK_BASE_URL: simulator.baseUrl },
    line: `Ark simulator at ${simulator.baseUrl}`,
  };
}

/** A refusal the simulator answers with Ark's error body. */
interface SimProblem {
  status: number;
  code: string;
  message: string;
  param?: string;
}

const str = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));
const invalid = (param: string, model: string, why: string): SimProblem => ({
  status: 400,
  code: "InvalidParameter",
  param,
  message: `The parameter ${param} specified in the request is not valid for model ${model}: ${why}.`,
});

const URL_RE = /^(https?:\/\/\S+|data:[\w.+-]+\/[\w.+-]+;base64,[A-Za-z0-9+/]+=*)$/;
const ASSET_RE = /^asset:\/\/[\w.-]+$/;

/** Why a media URL is refused: not a URL Ark fetches, or an asset reference the model does not take. */
function urlProblem(url: unknown, param: string, assets: boolean, model: string): SimProblem | undefined {
  if (typeof url === "string" && URL_RE.test(url)) return undefined;
  if (typeof url === "string" && ASSET_RE.test(url))
    return assets ? undefined : invalid(param, model, "asset:// references are for Seedance 2.0 and 2.5");
  return { status: 400, code: "InvalidImageURL.InvalidFormat", param, message: `The ${param} URL format is invalid.` };
}

/** Seedream's rules for one request body, from the 4.x guide and the 5.0 reports. */
function seedreamProblem(m: SimSeedream, b: Record<string, unknown>): SimProblem | undefined {
  const images = b.image === undefined ? [] : Array.isArray(b.image) ? (b.image as unknown[]) : [b.image];
  if (images.length > m.references) return invalid("image", m.id, `at most ${m.references} reference image(s)`);
  for (const img of images) {
    const bad = urlProblem(img, "image", true, m.id);
    if (bad) return bad;
  }
  const size = typeof b.size === "string" ? b.size : "2048x2048";
  const wh = /^(\d+)x(\d+)$/.exec(size);
  if (!wh && !m.tiers.includes(size)) return invalid("size", m.id, `size tiers are ${m.tiers.join(", ") || "not supported"}`);
  if (wh) {
    const [w, h] = [Number(wh[1]), Number(wh[2])];
    if (w * h < m.pixels[0] || w * h > m.pixels[1]) return invalid("size", m.id, `${w * h} pixels is outside ${m.pixels.join("-")}`);
    if (w / h < 1 / 16 || w / h > 16) return invalid("size", m.id, "the aspect ratio must be between 1:16 and 16:1");
  }
  if (b.sequential_image_generation !== undefined) {
    if (!m.groups) return invalid("sequential_image_generation", m.id, "the model generates single images only");
    if (b.sequential_image_generation === "auto") {
      const max = (b.sequential_image_generation_options as { max_images?: number } | undefined)?.max_images ?? 1;
      if (images.length + max > 15) return invalid("sequential_image_generation_options.max_images", m.id, "references + images > 15");
    }
  }
  const opt = (b.optimize_prompt_options ?? {}) as { mode?: unknown; thinking?: unknown };
  if (opt.mode === "fast" && !m.fast) return invalid("optimize_prompt_options.mode", m.id, 'only "standard"');
  if (opt.thinking !== undefined && (!m.thinking || !["auto", "enabled", "disabled"].includes(str(opt.thinking))))
    return invalid("optimize_prompt_options.thinking", m.id, m.thinking ? "auto, enabled or disabled" : "not supported");
  if (b.output_format !== undefined && !m.formats.includes(str(b.output_format)))
    return invalid("output_format", m.id, m.formats.length ? m.formats.join(", ") : "not supported (JPEG only)");
  return undefined;
}

type Item = Record<string, unknown> & { type?: unknown; role?: unknown };
const urlOf = (c: Item) => (c[str(c.type)] as { url?: unknown } | undefined)?.url;

/** Seedance's rules for one create-task body; `isDraft(id)` says whether a task id is a draft this simulator made. */
function seedanceProblem(m: SimSeedance, b: Record<string, unknown>, isDraft: (id: string) => boolean): SimProblem | undefined {
  const content = b.content as Item[];
  const roles = (role: string) => content.filter((c) => c.role === role);
  const [images, videos, audios] = [roles("reference_image"), roles("reference_video"), roles("reference_audio")];
  const first = roles("first_frame").length > 0;
  const last = roles("last_frame").length > 0;
  const draftTask = content.find((c) => c.type === "draft_task");
  for (const c of content) {
    if (!["text", "image_url", "video_url", "audio_url", "draft_task"].includes(str(c.type)))
      return invalid("content.type", m.id, `unknown type ${str(c.type)}`);
    if (c.type !== "text" && c.type !== "draft_task") {
      const bad = urlProblem(urlOf(c), `content.${str(c.type)}`, m.assets, m.id);
      if (bad) return bad;
    }
  }
  const counts = [images.length, videos.length, audios.length];
  const names = ["reference images", "reference videos", "reference audios"];
  for (const [i, n] of counts.entries())
    if (n > m.references[i]!) return invalid("content", m.id, `at most ${m.references[i]} ${names[i]}`);
  if (first && m.frames === "none") return invalid("content", m.id, "the model is text-to-video only");
  if (last && m.frames !== "first+last") return invalid("content", m.id, "the model takes no last frame");
  if (last && !first) return invalid("content", m.id, "a last frame needs a first frame");
  if ((first || last) && counts.some(Boolean) && !(m.mixing && b.omni_reference_task_type)) {
    return {
      status: 400,
      code: "InvalidParameter.TaskTypeConstraint",
      message: "First-frame or first-last-frame generation cannot be combined with reference media.",
    };
  }
  if (!first && !counts.some(Boolean) && !draftTask && !m.text) return invalid("content", m.id, "the model needs an image");
  if (draftTask) {
    if (content.some((c) => c.type !== "text" && c.type !== "draft_task"))
      return invalid("content", m.id, "a draft_task takes no other media");
    const id = (draftTask.draft_task as { id?: unknown } | undefined)?.id;
    if (!m.draft || typeof id !== "string" || !isDraft(id)) return invalid("content.draft_task.id", m.id, "not a draft task of this model");
  }
  const d = b.duration;
  if (d !== undefined && !(d === -1 && m.auto) && !(typeof d === "number" && d >= m.durations[0] && d <= m.durations[1]))
    return invalid("duration", m.id, `${m.durations.join("-")} seconds${m.auto ? " or -1" : ""}`);
  if (b.resolution !== undefined && !m.resolutions.includes(str(b.resolution)))
    return invalid("resolution", m.id, m.resolutions.join(", "));
  if (b.ratio !== undefined && !["16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive"].includes(str(b.ratio)))
    return invalid("ratio", m.id, "unknown ratio");
  if (b.generate_audio === true && !m.audio) return invalid("generate_audio", m.id, "the model makes silent videos");
  if (b.camera_fixed === true && !m.cameraFixed) return invalid("camera_fixed", m.id, "not supported");
  if (b.service_tier === "flex" && !m.flex) return invalid("service_tier", m.id, "flex is not supported");
  if (b.output_format !== undefined && !m.formats.includes(str(b.output_format)))
    return invalid("output_format", m.id, m.formats.join(", "));
  if (b.draft === true) {
    if (!m.draft) return invalid("draft", m.id, "draft is not supported");
    if (b.resolution !== "480p") return invalid("resolution", m.id, "draft videos are 480p");
    if (b.return_last_frame === true) return invalid("return_last_frame", m.id, "not for draft videos");
    if (b.service_tier === "flex") return invalid("service_tier", m.id, "not for draft videos");
  }
  return undefined;
}

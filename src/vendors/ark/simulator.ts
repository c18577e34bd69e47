/**
 * Volcengine Ark simulator: Seedream images/generations (url and b64_json, groups) and the Seedance
 * task API (create, get, list, DELETE with the documented rules), with exact Bearer checks, the
 * documented error bodies, real JPEG/PNG/MP4 bytes at expiring URLs, and trigger words:
 * "[blocked]" (moderation 400), "[fail]" (task fails), "[expire]" (task expires), "[slow]".
 *
 * One file on purpose, over 300 lines: it is the vendor's whole documented contract, read side by
 * side with the vendor's docs, and kept apart from the adapter so the two cannot share a mistake.
 */
import { randomBytes } from "node:crypto";
import { SEEDANCE_MODELS, SEEDREAM_MODELS } from "./models.js";
import { makeJpeg, makeMp4, makePng } from "../../sandbox/media-fixtures.js";
import { header, VendorSimulator, type SimReply, type SimRequest } from "../../sandbox/sim-server.js";
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
}

interface VideoData {
  model: string;
  body: Record<string, unknown>;
  prompt: string;
  result?: { video_url: string; last_frame_url?: string };
  updatedS?: number;
}

const TIER: Record<string, [number, number]> = {
  "1K": [1024, 1024],
  "2K": [2048, 2048],
  "3K": [3072, 3072],
  "4K": [4096, 4096],
  adaptive: [1024, 1024],
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

export class ArkSimulator extends VendorSimulator {
  readonly apiKey: string;
  readonly tasks = new Map<string, SimTask<VideoData>>();
  private readonly opts: Required<ArkSimOptions>;

  constructor(opts: ArkSimOptions = {}) {
    super(VENDOR_ID);
    this.opts = {
      apiKey: "ark-sandbox-key-0000000000000000000000",
      queuedMs: 1500,
      runningMs: 6000,
      imageDelayMs: 300,
      maxRenderEdge: 1024,
      ...opts,
    };
    this.apiKey = this.opts.apiKey;
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

  private checkModel(model: unknown, known: string[], rid: string): SimReply | undefined {
    if (typeof model !== "string" || !model)
      return err(400, "MissingParameter.model", `The required parameter model is missing. Request id: ${rid}`, "BadRequest", "model");
    if (!known.includes(model) && !model.startsWith("ep-")) {
      return err(
        404,
        "InvalidEndpointOrModel.NotFound",
        `The model or endpoint ${model} does not exist or you do not have access to it. Request id: ${rid}`,
        "NotFound",
      );
    }
    return undefined;
  }

  private async images(req: SimRequest, rid: string): Promise<SimReply> {
    const b = (req.json ?? {}) as Record<string, unknown>;
    const bad = this.checkModel(
      b.model,
      SEEDREAM_MODELS.map((m) => m.id),
      rid,
    );
    if (bad) return bad;
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
    const images = b.image === undefined ? [] : Array.isArray(b.image) ? b.image : [b.image];
    if (images.length > 14)
      return err(400, "InvalidParameter", `At most 14 reference images are supported. Request id: ${rid}`, "BadRequest", "image");
    for (const img of images) {
      if (typeof img !== "string" || !(/^https?:\/\//.test(img) || /^data:image\/[\w.+-]+;base64,[A-Za-z0-9+/]+=*$/.test(img))) {
        return err(400, "InvalidImageURL.InvalidFormat", `The image format is invalid. Request id: ${rid}`, "BadRequest", "image");
      }
    }
    const size = typeof b.size === "string" ? b.size : "2048x2048";
    const dims = TIER[size] ?? (/^(\d+)x(\d+)$/.exec(size)?.slice(1).map(Number) as [number, number] | undefined);
    if (!dims)
      return err(
        400,
        "InvalidParameter",
        `The parameter size specified in the request is not valid. Request id: ${rid}`,
        "BadRequest",
        "size",
      );
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
    const bad = this.checkModel(
      b.model,
      SEEDANCE_MODELS.map((m) => m.id),
      rid,
    );
    if (bad) return bad;
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
    const roles = content.map((c) => c.role);
    if (roles.includes("first_frame") && roles.includes("reference_image")) {
      return err(
        400,
        "InvalidParameter.TaskTypeConstraint",
        `first-frame and reference-image inputs cannot be combined. Request id: ${rid}`,
        "BadRequest",
      );
    }
    const now = this.sim.now();
    const stamp = new Date(now).toISOString().replace(/\D/g, "").slice(0, 14);
    const id = `cgt-${stamp}-${randomBytes(3).toString("hex").slice(0, 5)}`;
    const slow = prompt.includes("[slow]") ? 4 : 1;
    this.tasks.set(id, {
      id,
      createdMs: now,
      queuedMs: this.opts.queuedMs,
      runningMs: this.opts.runningMs * slow,
      outcome: prompt.includes("[fail]") ? "failed" : prompt.includes("[expire]") ? "expired" : "succeeded",
      data: { model: String(b.model), body: b, prompt },
    });
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
        usage: { completion_tokens: 108900, total_tokens: 108900 },
        seed: typeof b.seed === "number" ? b.seed : 58944,
        resolution: b.resolution ?? "720p",
        ratio: b.ratio ?? "16:9",
        duration,
        framespersecond: 24,
      });
    }
    if (status === "failed")
      base.error = { code: "OutputVideoSensitiveContentDetected", message: "The generated video may contain sensitive content." };
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

function err(status: number, code: string, message: string, type: string, param = ""): SimReply {
  return { status, body: { error: { code, message, param, type } } };
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

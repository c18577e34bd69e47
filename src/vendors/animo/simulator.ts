/**
 * Animo simulator, mounted under `/animo`:
 * - sync (the original plugin's contract): `POST /animo` with JSON {prompt, duration, style,
 *   resolution} answers with the MP4 itself, streamed slowly in chunks after a render delay. The
 *   plugin defines exactly these four fields, so any other field is refused (adapter drift shows).
 * - async (the animo.video SDK's flow): `POST /animo/v1/video/generation` → {requestId};
 *   `GET /animo/v1/video/generation/status/{id}` → PENDING → PROCESSING → COMPLETED {videoUrl} | FAILED.
 *   The body is checked as the self-hostable server's OpenAPI (2026-05) and code (2026-07) do:
 *   prompt required; aspect_ratio one of 16:9, 9:16, 1:1; engine one of its engines; model,
 *   when sent, one the engine's LLM knows, else the server's 500 `code_generation_failed` (also
 *   when the server holds no key for the engine). No engine or model: the engine's default.
 * - `GET /animo/v1/models`: the server's engines and models ({engines: [{engine, configured,
 *   default, models: [{id, description}], note?}]}); `modelList: false` drops the route (404).
 * The engine and model list is this simulator's own (the self-hostable server's registry as of
 * 2026-07-21), written from the vendor's code and never from aigc-mcp's configuration.
 * Exact Bearer check, `{"error": "...", "code": "..."}` error bodies (the self-hostable server's
 * shape), real MP4 bytes. Trigger words: "[blocked]" (content policy 400), "[fail]" (render fails),
 * "[slow]" (10x render time), "[html]" (200 with text/html instead of a video), "[json]" (200 with
 * an async API's JSON answer instead of a video), "[huge]" (a video
 * larger than hugeBytes with Content-Length), "[huge-stream]" (the same without Content-Length).
 */
import { randomBytes } from "node:crypto";
import { makeMp4 } from "../../sandbox/media-fixtures.js";
import { header, VendorSimulator, type SimReply, type SimRequest } from "../../sandbox/sim-server.js";
import { taskPhase, type SimTask } from "../../sandbox/sim-task.js";
import type { SimulatedVendor, SimulatorOptions } from "../../sandbox/simulated-vendor.js";
import { VENDOR_ID } from "./config.js";
import { ASPECT_DIMS, defaultEngines, modelsReply, readSubmit, simError as err, type AnimoSimEngine } from "./simulator-api.js";

export { defaultEngines, type AnimoSimEngine } from "./simulator-api.js";

/** The sync contract's values (the original Dify plugin's tool code). */
const STYLES = ["cinematic", "anime", "realistic", "cartoon", "abstract"];
const RESOLUTIONS = ["1920x1080", "1280x720", "720x480"];
const SYNC_FIELDS = new Set(["prompt", "duration", "style", "resolution"]);

export interface AnimoSimOptions {
  apiKey?: string;
  /** Time a sync render takes before the response headers are sent (wall clock). */
  renderMs?: number;
  /** Pause between body chunks of a sync answer. */
  chunkDelayMs?: number;
  chunkBytes?: number;
  /** Longest edge actually rendered (the requested resolution is scaled down to it). */
  maxRenderEdge?: number;
  fps?: number;
  /** Async requests: time pending, then processing (simulator clock). */
  queuedMs?: number;
  runningMs?: number;
  /** Body size of the "[huge]" answers. */
  hugeBytes?: number;
  /** Pads every sync video to at least this many bytes with a trailing `free` box (memory tests). */
  padToBytes?: number;
  /** The server's engines (default: `defaultEngines()`). */
  engines?: Record<string, AnimoSimEngine>;
  /** Models the server's engines know beyond the registry (a newer server), by engine. */
  extraModels?: Record<string, string[]>;
  /** Whether the server has `GET /v1/models` (the self-hostable one does; default true). */
  modelList?: boolean;
}

interface AsyncData {
  prompt: string;
  body: Record<string, unknown>;
  aspect: string;
  /** The engine and model the server used (the defaults when the request named none). */
  engine: string;
  model: string;
  videoUrl?: string;
}

export const ANIMO_SIM_PREFIX = "/animo";

export class AnimoSimulator extends VendorSimulator {
  readonly apiKey: string;
  readonly tasks = new Map<string, SimTask<AsyncData>>();
  /** The engines this server offers, extra models included. */
  readonly engines: Record<string, AnimoSimEngine>;
  /** Body bytes handed to the socket by the most recent sync answer (streaming tests). */
  sentBytes = 0;
  private readonly opts: Required<AnimoSimOptions>;

  constructor(opts: AnimoSimOptions = {}) {
    super(VENDOR_ID);
    this.opts = {
      apiKey: "animo-sandbox-key-00000000000000000000",
      renderMs: 1500,
      chunkDelayMs: 25,
      chunkBytes: 16 * 1024,
      maxRenderEdge: 480,
      fps: 8,
      queuedMs: 1500,
      runningMs: 5000,
      hugeBytes: 600 * 1024 * 1024,
      padToBytes: 0,
      engines: defaultEngines(),
      extraModels: {},
      modelList: true,
      ...opts,
    };
    this.apiKey = this.opts.apiKey;
    this.engines = Object.fromEntries(
      Object.entries(this.opts.engines).map(([name, e]) => [name, { ...e, models: [...e.models, ...(this.opts.extraModels[name] ?? [])] }]),
    );
  }

  /** ANIMO_ENDPOINT for both modes: the sync POST URL, and the async API base. */
  get endpoint(): string {
    return this.sim.url + ANIMO_SIM_PREFIX;
  }

  protected async handle(req: SimRequest): Promise<SimReply> {
    const rid = "animo-" + randomBytes(8).toString("hex");
    const reply = await this.route(req);
    reply.headers = { "x-request-id": rid, ...(reply.headers ?? {}) };
    return reply;
  }

  private async route(req: SimRequest): Promise<SimReply> {
    if (!req.path.startsWith(ANIMO_SIM_PREFIX)) return err(404, "NOT_FOUND", `no route ${req.method} ${req.path}`);
    if (header(req, "authorization") !== `Bearer ${this.apiKey}`) return err(401, "UNAUTHORIZED", "Invalid or missing API key");
    const p = req.path.slice(ANIMO_SIM_PREFIX.length).replace(/\/+$/, "");
    if (p === "" && req.method === "POST") return this.renderSync(req);
    if (p === "/v1/video/generation" && req.method === "POST") return this.submit(req);
    if (p === "/v1/models" && req.method === "GET" && this.opts.modelList) return modelsReply(this.engines);
    const m = /^\/v1\/video\/generation\/status\/([^/]+)$/.exec(p);
    if (m && req.method === "GET") return this.status(decodeURIComponent(m[1]!));
    return err(404, "NOT_FOUND", `no route ${req.method} ${req.path}`);
  }

  private async renderSync(req: SimRequest): Promise<SimReply> {
    const b = req.json;
    if (!b || typeof b !== "object" || Array.isArray(b)) return err(400, "INVALID_JSON", "The request body must be a JSON object");
    const body = b as Record<string, unknown>;
    const prompt = body.prompt;
    if (typeof prompt !== "string" || !prompt.trim()) return err(400, "MISSING_PARAMETER", "Missing required parameter: 'prompt'");
    const unknown = Object.keys(body).find((k) => !SYNC_FIELDS.has(k));
    if (unknown) return err(400, "INVALID_PARAMETER", `Unknown parameter: '${unknown}'`);
    const duration = body.duration ?? 10;
    if (typeof duration !== "number" || !Number.isInteger(duration) || duration < 1 || duration > 60)
      return err(400, "INVALID_PARAMETER", "duration must be an integer from 1 to 60");
    const style = body.style ?? "cinematic";
    if (typeof style !== "string" || !STYLES.includes(style))
      return err(400, "INVALID_PARAMETER", `style must be one of ${STYLES.join(", ")}`);
    const resolution = body.resolution ?? "1280x720";
    if (typeof resolution !== "string" || !RESOLUTIONS.includes(resolution))
      return err(400, "INVALID_PARAMETER", `resolution must be one of ${RESOLUTIONS.join(", ")}`);
    if (prompt.includes("[blocked]")) return err(400, "CONTENT_POLICY_VIOLATION", "The prompt was rejected by the content policy");
    await new Promise((r) => setTimeout(r, this.opts.renderMs * (prompt.includes("[slow]") ? 10 : 1)));
    if (prompt.includes("[fail]")) return err(500, "RENDER_FAILED", "Rendering failed: the generated scene did not compile");
    if (prompt.includes("[json]")) {
      // What an async API answers to the generation POST: its request id, not the video.
      return {
        status: 200,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ requestId: "animo-req-1", status: "PENDING" }),
      };
    }
    if (prompt.includes("[html]")) {
      return {
        status: 200,
        headers: { "content-type": "text/html; charset=utf-8" },
        body: "<!doctype html><html><head><title>Animo</title></head><body>Sign in to Animo</body></html>",
      };
    }
    const [w, h] = this.renderDims(resolution);
    const mp4 = makeMp4({ width: w, height: h, seconds: duration, fps: this.opts.fps, seed: prompt.length });
    const huge = prompt.includes("[huge]") || prompt.includes("[huge-stream]");
    const total = huge ? Math.max(this.opts.hugeBytes, mp4.length + 8) : Math.max(this.opts.padToBytes, mp4.length);
    const headers: Record<string, string> = { "content-type": "video/mp4" };
    if (!prompt.includes("[huge-stream]")) headers["content-length"] = String(total);
    this.sentBytes = 0;
    return { status: 200, headers, stream: this.mp4Stream(mp4, total), chunkDelayMs: this.opts.chunkDelayMs };
  }

  /** The MP4, then (when padding) a `free` box streamed from one reused zero buffer: no allocation per chunk. */
  private *mp4Stream(mp4: Buffer, total: number): Generator<Buffer> {
    const step = this.opts.chunkBytes;
    for (let i = 0; i < mp4.length; i += step) {
      const chunk = mp4.subarray(i, i + step);
      this.sentBytes += chunk.length;
      yield chunk;
    }
    const pad = total - mp4.length;
    if (pad < 8) return;
    const boxHeader = Buffer.alloc(8);
    boxHeader.writeUInt32BE(pad >>> 0, 0);
    boxHeader.write("free", 4, "latin1");
    this.sentBytes += 8;
    yield boxHeader;
    const zero = Buffer.alloc(step);
    for (let left = pad - 8; left > 0; left -= step) {
      const n = Math.min(left, step);
      this.sentBytes += n;
      yield n === step ? zero : zero.subarray(0, n);
    }
  }

  private renderDims(resolution: string): [number, number] {
    const [rw, rh] = resolution.split("x").map(Number) as [number, number];
    const scale = Math.min(1, this.opts.maxRenderEdge / Math.max(rw, rh));
    const even = (n: number) => Math.max(16, Math.round((n * scale) / 16) * 16);
    return [even(rw), even(rh)];
  }

  private submit(req: SimRequest): SimReply {
    const r = readSubmit(req.json, this.engines);
    if ("status" in r) return r;
    const { prompt, body, aspect, engine: engineName, model: used } = r;
    if (prompt.includes("[blocked]")) return err(400, "CONTENT_POLICY_VIOLATION", "The prompt was rejected by the content policy");
    const id = randomBytes(12).toString("hex");
    this.tasks.set(id, {
      id,
      createdMs: this.sim.now(),
      queuedMs: this.opts.queuedMs,
      runningMs: this.opts.runningMs * (prompt.includes("[slow]") ? 4 : 1),
      outcome: prompt.includes("[fail]") ? "failed" : "succeeded",
      data: { prompt, body, aspect, engine: engineName, model: used },
    });
    return { status: 200, body: { requestId: id, status: "PENDING", message: "Video generation started" } };
  }

  private status(id: string): SimReply {
    const task = this.tasks.get(id);
    if (!task) return err(404, "NOT_FOUND", `Request ${id} not found`);
    const phase = taskPhase(task, this.sim.now());
    if (phase === "queued") return { status: 200, body: { requestId: id, status: "PENDING" } };
    if (phase === "running") {
      const progress = Math.min(99, Math.floor(((this.sim.now() - task.createdMs - task.queuedMs) / task.runningMs) * 100));
      return { status: 200, body: { requestId: id, status: "PROCESSING", progress } };
    }
    if (phase === "failed")
      return { status: 200, body: { requestId: id, status: "FAILED", error: "Rendering failed: the generated scene did not compile" } };
    if (!task.data.videoUrl) {
      const [w, h] = this.renderDims(ASPECT_DIMS[task.data.aspect] ?? "1280x720");
      const seed = task.data.prompt.length;
      task.data.videoUrl = this.sim.publish(
        () => makeMp4({ width: w, height: h, seconds: 4, fps: this.opts.fps, seed }),
        "video/mp4",
        3600,
        "mp4",
      );
    }
    return {
      status: 200,
      body: {
        requestId: id,
        status: "COMPLETED",
        videoUrl: task.data.videoUrl,
        generatedCode: "from manim import *\n\nclass GenScene(Scene):\n    def construct(self):\n        self.play(Create(Circle()))\n",
      },
    };
  }
}

const FAST: AnimoSimOptions = { renderMs: 100, chunkDelayMs: 2, queuedMs: 150, runningMs: 400, maxRenderEdge: 160, fps: 4 };

/** Starts the simulator for `--sandbox` and the tests, with the environment that points the adapter at it. */
export async function simulate({ fast, options }: SimulatorOptions): Promise<SimulatedVendor> {
  const simulator = await new AnimoSimulator({ ...(fast ? FAST : {}), ...(options as AnimoSimOptions | undefined) }).start();
  // Sync mode; the same simulator answers ANIMO_MODE=async at this base too.
  return {
    simulator,
    env: { ANIMO_API_KEY: simulator.apiKey, ANIMO_ENDPOINT: simulator.endpoint, ANIMO_MODE: "sync" },
    line: `Animo simulator at ${simulator.endpoint} (sync POST; async API under /v1/video/generation)`,
  };
}

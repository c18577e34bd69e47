/**
 * Kling AI simulator, from Kling's docs. Auth exactly as Kling takes it: a console API key
 * (`Bearer <key>`) on every endpoint, or an HS256 JWT from the AK/SK pair (1001 missing, 1002
 * malformed or bad signature, 1003 not yet valid, 1004 expired, 1000 unknown access key) on the
 * legacy endpoints only: the new standard answers 401/1002 "does not support AK/SK". Both API
 * standards: legacy `/v1/<family>` (model_name, string durations, `succeed`) and new
 * `/<product>/<model>` with `GET|POST /tasks` (`succeeded`); each model's documented rules
 * (simulator-models.ts) with Kling's codes (1203 unknown model, "has been discontinued" for retired
 * ones, 1201 bad parameters); `external_task_id` uniqueness and lookup; per-pack parallel-task
 * limits (1303); both element libraries; real MP4/PNG media kept 30 days. Trigger words:
 * "[blocked]" (1301), "[fail]" (task fails; in an element's description, its creation), "[slow]" (runs 4x longer).
 *
 * One file on purpose, over 300 lines: it is the vendor's whole documented contract (with its helper
 * modules), read side by side with the vendor's docs, and kept apart from the adapter (no import
 * from the catalog, client or request builders) so the two cannot share a mistake.
 */
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { JWTPayload } from "jose";
import { JWTClaimValidationFailed, JWTExpired } from "jose/errors";
import { jwtVerify } from "jose/jwt/verify";
import { makeJpeg, makeMp4, makePng } from "../../sandbox/media-fixtures.js";
import { header, VendorSimulator, type SimReply, type SimRequest } from "../../sandbox/sim-server.js";
import { taskPhase, type SimTask } from "../../sandbox/sim-task.js";
import type { SimulatedVendor, SimulatorOptions } from "../../sandbox/simulated-vendor.js";
import { VENDOR_ID } from "./config.js";
import { SimElements } from "./simulator-elements.js";
import { SIM_DEFAULT_MODEL, SIM_DISCONTINUED, SIM_MODELS, type SimModelRules } from "./simulator-models.js";
import { bad, checkLegacy, checkNew, Reject } from "./simulator-requests.js";
import { simBillingFields, type SimBillingOptions } from "./simulator-billing.js";

export type { SimModelRules } from "./simulator-models.js";

export interface KlingSimOptions {
  apiKey?: string;
  accessKey?: string;
  secretKey?: string;
  queuedMs?: number;
  runningMs?: number;
  /** Parallel slots per resource pack (a video task takes 1, an image task takes n). */
  maxParallelVideo?: number;
  maxParallelImage?: number;
  /** Longest edge actually rendered, unless the short side would fall below 320 px. */
  maxRenderEdge?: number;
  /** How long a "lost" create answer is held back (the client should have timed out by then). */
  lostReplyDelayMs?: number;
  /** Models Kling "released" after the docs the simulator was written from, with their rules. */
  extraModels?: SimModelRules[];
  /** How the simulated account pays and in which currency (simulator-billing.ts); default cash in USD. */
  billing?: SimBillingOptions;
}

interface TaskData {
  standard: "legacy" | "new";
  /** Legacy family (`videos/text2video`) or new product (`text-to-video`). */
  family: string;
  model: string;
  body: Record<string, unknown>;
  prompt: string;
  externalTaskId?: string;
  slots: number;
  result?: Array<Record<string, unknown>>;
  /** Why the task fails when not moderation (an input URL Kling could not download). */
  failure?: string;
}

const RETENTION_S = 30 * 24 * 3600;

/** What Kling says when it cannot fetch an input URL (the host is not reachable from the internet). */
const downloadFailure = (url: string) =>
  `Failed to download the file from ${new URL(url).origin}${new URL(url).pathname}: the URL is not accessible`;
const AKSK =
  "Authentication error. The current API does not support AK/SK; please go to the console (https://kling.ai/dev/api-key) to create API key.";
const LEGACY_FAMILIES = [
  "videos/text2video",
  "videos/image2video",
  "videos/multi-image2video",
  "videos/omni-video",
  "images/generations",
  "images/multi-image2image",
  "images/omni-image",
];
const NEW_CREATE = /^\/(text-to-video|image-to-video)\/([^/]+)$/;
/**
 * The least side an output is rendered with (element images too): Kling's input images need >= 300
 * px a side (image2video, omni, elements), so an output can go back in; 320, a multiple of 16, also
 * meets Jimeng's image-to-video frame (short side >= 320).
 */
const MIN_SIDE = 320;

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

/** Element ids exceed 2^53: read them from request bodies as strings. */
const parseLong = (text: string): unknown => JSON.parse(text.replace(/("[A-Za-z_]*_id"\s*:\s*)(-?\d{16,})(?=\s*[,}\]])/g, '$1"$2"'));
/** Legacy answers carry element ids as JSON numbers (the docs type them long). */
const longIds = (json: string): string => json.replace(/"element_id":"(\d{1,30})"/g, '"element_id":$1');

export class KlingSimulator extends VendorSimulator {
  readonly apiKey: string;
  readonly accessKey: string;
  readonly secretKey: string;
  readonly tasks = new Map<string, SimTask<TaskData>>();
  readonly elements: SimElements;
  /** The next N creates make the task but hold the answer back (an answer lost in transit). */
  loseCreateReplies = 0;
  private readonly opts: Required<KlingSimOptions>;
  private readonly secret: Uint8Array;
  private seq = 0;

  constructor(opts: KlingSimOptions = {}) {
    super(VENDOR_ID);
    this.opts = {
      apiKey: "kling_sandbox_api_key_0000000000000001",
      accessKey: "AK_kling_sandbox_0001",
      secretKey: "SK_kling_sandbox_secret_0000000000001",
      queuedMs: 1500,
      runningMs: 6000,
      maxParallelVideo: 5,
      maxParallelImage: 9,
      maxRenderEdge: 512,
      lostReplyDelayMs: 3000,
      extraModels: [],
      billing: {},
      ...opts,
    };
    this.apiKey = this.opts.apiKey;
    this.accessKey = this.opts.accessKey;
    this.secretKey = this.opts.secretKey;
    this.secret = new TextEncoder().encode(this.secretKey);
    this.elements = new SimElements(() => this.sim.now(), this.opts.queuedMs + this.opts.runningMs);
  }

  get baseUrl(): string {
    return this.sim.url;
  }

  /** The currency the simulated account is billed in. */
  get currency(): "USD" | "CNY" {
    return this.opts.billing.currency ?? "USD";
  }

  /** Tasks created so far (what Kling would bill). */
  get created(): number {
    return this.tasks.size;
  }

  protected async handle(req: SimRequest): Promise<SimReply> {
    const rid = randomBytes(16)
      .toString("hex")
      .replace(/^(.{8})(.{4})(.{4})(.{4})/, "$1-$2-$3-$4-");
    const standard = req.path === "/tasks" || NEW_CREATE.test(req.path) ? "new" : "legacy";
    try {
      await this.authenticate(req, standard);
      const data = await this.route(req);
      const json = JSON.stringify({ code: 0, message: "SUCCEED", request_id: rid, data });
      return { status: 200, headers: { "content-type": "application/json" }, body: standard === "legacy" ? longIds(json) : json };
    } catch (e) {
      if (!(e instanceof Reject)) throw e;
      return { status: e.status, body: { code: e.code, message: e.message, request_id: rid } };
    }
  }

  private async authenticate(req: SimRequest, standard: "legacy" | "new"): Promise<void> {
    const auth = header(req, "authorization");
    if (!auth) throw new Reject(401, 1001, "Authorization is empty");
    const m = /^Bearer ([^\s]+)$/.exec(auth);
    if (!m) throw new Reject(401, 1002, "Authorization is invalid");
    if (m[1] === this.apiKey) return;
    // Anything but the API key is taken as an AK/SK token, which the new standard refuses outright.
    if (standard === "new") throw new Reject(401, 1002, AKSK);
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

  private body(req: SimRequest): Record<string, unknown> {
    let b: unknown;
    try {
      b = req.body.length ? parseLong(req.body.toString("utf8")) : undefined;
    } catch {
      b = undefined;
    }
    if (!b || typeof b !== "object" || Array.isArray(b)) throw new Reject(400, 1200, "request body must be a JSON object");
    return b as Record<string, unknown>;
  }

  private route(req: SimRequest): unknown {
    const p = req.path.replace(/\/+$/, "");
    const post = req.method === "POST";
    const publish = () => this.sim.publish(makeJpeg(MIN_SIDE, MIN_SIDE, 3), "image/jpeg", RETENTION_S, "jpg");
    const el = this.elements;
    if (p === "/tasks") return post ? this.cursor(req) : this.newTasks(req);
    const created = NEW_CREATE.exec(p);
    if (created && post) return this.create(req, "new", created[1]!, decodeURIComponent(created[2]!));
    if (p === "/v1/general/custom-elements")
      return post ? el.createOld(this.reachable(this.body(req)), publish) : this.page(req, [...el.old.values()].reverse());
    if (p === "/v1/general/presets-elements" && !post) return this.page(req, el.oldPresets);
    if (p === "/v1/general/advanced-custom-elements") {
      if (!post) return this.page(req, el.currentList());
      const t = el.createCurrent(this.reachable(this.body(req)), publish);
      const { task_result: _r, task_status_msg: _m, ...view } = el.view(t);
      return view;
    }
    const one = /^\/v1\/general\/advanced-custom-elements\/([^/]+)$/.exec(p);
    if (one && !post) return el.view(el.findTask(decodeURIComponent(one[1]!)));
    if (p === "/v1/general/advanced-presets-elements" && !post)
      return this.page(
        req,
        el.presets.map((t) => el.view(t)),
      );
    if ((p === "/v1/general/delete-elements" || p === "/v1/general/delete-advanced-elements") && post) return el.delete(this.body(req));
    const m = /^\/v1\/((?:videos|images)\/[\w-]+)(?:\/([^/]+))?$/.exec(p);
    if (m && LEGACY_FAMILIES.includes(m[1]!)) {
      const family = m[1]!;
      if (!m[2] && post) return this.create(req, "legacy", family);
      const mine = (t: SimTask<TaskData>) => t.data.standard === "legacy" && t.data.family === family;
      if (!m[2] && !post)
        return this.page(
          req,
          [...this.tasks.values()]
            .filter(mine)
            .reverse()
            .map((t) => this.view(t)),
        );
      if (m[2] && !post) {
        const id = decodeURIComponent(m[2]);
        const t = this.tasks.get(id) ?? [...this.tasks.values()].find((x) => x.data.externalTaskId === id);
        if (!t || !mine(t)) throw new Reject(404, 1203, `task ${id} not found`);
        return this.view(t);
      }
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

  /** `GET /tasks?task_ids=a,b` or `?external_task_ids=…`: the new-standard tasks found (unknown ids are left out). */
  private newTasks(req: SimRequest): unknown[] {
    const ids = req.query.get("task_ids");
    const ext = req.query.get("external_task_ids");
    if ((ids === null) === (ext === null)) bad("give either task_ids or external_task_ids");
    const wanted = new Set((ids ?? ext ?? "").split(",").filter(Boolean));
    return [...this.tasks.values()]
      .filter((t) => t.data.standard === "new" && (ids !== null ? wanted.has(t.id) : wanted.has(t.data.externalTaskId ?? "")))
      .map((t) => this.view(t));
  }

  /** `POST /tasks`: the newest new-standard tasks, `limit` at most 500 (one page; no cursor needed here). */
  private cursor(req: SimRequest): unknown {
    const b = req.body.length ? this.body(req) : {};
    const limit =
      b.limit === undefined
        ? 100
        : Number.isInteger(b.limit) && (b.limit as number) >= 1 && (b.limit as number) <= 500
          ? (b.limit as number)
          : bad("limit must be 1-500");
    const all = [...this.tasks.values()].filter((t) => t.data.standard === "new").reverse();
    const result = all.slice(0, limit).map((t) => this.view(t));
    return { result, count: result.length, next_cursor: "", has_more: all.length > limit };
  }

  /** An element's images are fetched while Kling creates it: an unreachable URL is refused then. */
  private reachable(b: Record<string, unknown>): Record<string, unknown> {
    const unreachable = this.sim.unreachableUrl(b);
    if (unreachable) bad(downloadFailure(unreachable));
    return b;
  }

  /** The model's documented rules on `family`, or Kling's answer for an unknown or discontinued one. */
  private rules(family: string, model: unknown): SimModelRules {
    if (typeof model !== "string" || !model) bad("model_name must be a string");
    const found = [...this.opts.extraModels, ...SIM_MODELS].find((m) => m.id === model && m.endpoints.includes(family));
    if (found) return found;
    if (SIM_DISCONTINUED.some((d) => d.id === model && d.endpoints.includes(family)))
      bad(`The model '${model}' has been discontinued and is no longer available.`);
    throw new Reject(404, 1203, `model ${model} is not supported by ${family}`);
  }

  private async create(req: SimRequest, standard: "legacy" | "new", family: string, pathModel?: string): Promise<unknown> {
    const body = this.body(req);
    const model = standard === "new" ? pathModel! : (body.model_name ?? SIM_DEFAULT_MODEL[family]);
    const rules = this.rules(family, model);
    const { slots, prompt } = standard === "new" ? { slots: 1, ...checkNew(family, body, rules) } : checkLegacy(family, body, rules);
    if (prompt.includes("[blocked]")) throw new Reject(400, 1301, "Content security check failed for the prompt");
    const ext = standard === "new" ? (body.options as { external_task_id?: unknown } | undefined)?.external_task_id : body.external_task_id;
    if (ext !== undefined && (typeof ext !== "string" || !ext)) bad("external_task_id must be a string");
    if (ext && [...this.tasks.values()].some((t) => t.data.externalTaskId === ext)) bad("external_task_id already exists");
    const video = !family.startsWith("images/");
    const active = [...this.tasks.values()]
      .filter((t) => !t.data.family.startsWith("images/") === video && ["queued", "running"].includes(taskPhase(t, this.sim.now())))
      .reduce((s, t) => s + t.data.slots, 0);
    if (active + slots > (video ? this.opts.maxParallelVideo : this.opts.maxParallelImage))
      throw new Reject(429, 1303, "parallel task over resource pack limit");
    const now = this.sim.now();
    const id = String(BigInt(now) * 1000n + BigInt(++this.seq % 1000)) + "00";
    // Kling accepts the task and fails it once its download of an input URL fails.
    const unreachable = this.sim.unreachableUrl(body);
    const task: SimTask<TaskData> = {
      id,
      createdMs: now,
      queuedMs: this.opts.queuedMs,
      runningMs: this.opts.runningMs * (prompt.includes("[slow]") ? 4 : 1),
      outcome: unreachable || prompt.includes("[fail]") ? "failed" : "succeeded",
      data: {
        standard,
        family,
        model: model as string,
        body,
        prompt,
        ...(ext ? { externalTaskId: ext } : {}),
        slots,
        ...(unreachable ? { failure: downloadFailure(unreachable) } : {}),
      },
    };
    this.tasks.set(id, task);
    // Kling calls back at each status change with the task as a query returns it (the CN docs' flat envelope).
    const callbackUrl = standard === "new" ? (body.options as { callback_url?: unknown } | undefined)?.callback_url : body.callback_url;
    if (typeof callbackUrl === "string")
      this.sim.callBack(callbackUrl, [now + task.queuedMs, now + task.queuedMs + task.runningMs], () => this.view(task));
    const view = this.view(task);
    if (this.loseCreateReplies > 0) {
      this.loseCreateReplies--;
      await sleep(this.opts.lostReplyDelayMs);
    }
    if (standard === "legacy") return view;
    const { id: vid, status, create_time, update_time, external_id } = view;
    return { id: vid, status, create_time, update_time, ...(external_id ? { external_id } : {}) };
  }

  private view(task: SimTask<TaskData>): Record<string, unknown> {
    const phase = taskPhase(task, this.sim.now());
    const done = phase === "succeeded" || phase === "failed";
    const updated = done ? task.createdMs + task.queuedMs + task.runningMs : this.sim.now();
    const d = task.data;
    const wm =
      (
        (d.standard === "new" ? (d.body.options as Record<string, unknown> | undefined) : d.body)?.watermark_info as
          { enabled?: boolean } | undefined
      )?.enabled === true;
    const message = phase === "failed" ? (d.failure ?? "Failure to pass the risk control system") : "";
    if (phase === "succeeded") d.result ??= this.render(d, wm);
    if (d.standard === "new") {
      return {
        id: task.id,
        status: phase === "queued" ? "submitted" : phase === "running" ? "processing" : phase,
        message,
        create_time: task.createdMs,
        update_time: updated,
        ...(d.externalTaskId ? { external_id: d.externalTaskId } : {}),
        ...(phase === "succeeded" ? { outputs: d.result!.map((o) => ({ type: "video", ...o })) } : {}),
        ...(phase === "succeeded" ? this.charge(d) : {}),
      };
    }
    const status = phase === "queued" ? "submitted" : phase === "running" ? "processing" : phase === "succeeded" ? "succeed" : "failed";
    const series = d.family === "images/omni-image" && d.body.result_type === "series";
    const kind = d.family.startsWith("images/") ? (series ? "series_images" : "images") : "videos";
    return {
      task_id: task.id,
      task_status: status,
      task_status_msg: message,
      task_info: d.externalTaskId ? { external_task_id: d.externalTaskId } : {},
      created_at: task.createdMs,
      updated_at: updated,
      watermark_info: { enabled: wm },
      ...(phase === "succeeded" ? { task_result: { [kind]: d.result }, ...this.charge(d) } : {}),
    };
  }

  /** What a finished task was charged (Kling's billing fields for its standard). */
  private charge(d: TaskData): Record<string, unknown> {
    const images = d.family.startsWith("images/") ? (d.result?.length ?? 0) : 0;
    return simBillingFields(this.opts.billing, { standard: d.standard, family: d.family, model: d.model, body: d.body, images });
  }

  private render(d: TaskData, wm: boolean): Array<Record<string, unknown>> {
    const b = d.body;
    const settings = (b.settings ?? {}) as Record<string, unknown>;
    const ratio = d.standard === "new" ? settings.aspect_ratio : b.aspect_ratio;
    const [rw, rh] = RATIO[typeof ratio === "string" ? ratio : "16:9"] ?? [16, 9];
    const isVideo = !d.family.startsWith("images/");
    const edge = isVideo ? Math.min(320, this.opts.maxRenderEdge) : this.opts.maxRenderEdge;
    // Never below MIN_SIDE a side (the long edge grows past `edge` for that).
    const scale = Math.max(edge / Math.max(rw, rh), MIN_SIDE / Math.min(rw, rh));
    const w = Math.ceil((scale * rw) / 16) * 16;
    const h = Math.ceil((scale * rh) / 16) * 16;
    const seed = d.prompt.length;
    if (isVideo) {
      const seconds = Number((d.standard === "new" ? settings.duration : b.duration) ?? 5);
      const make = (s: number) => () => makeMp4({ width: w, height: h, seconds, fps: 2, seed: s });
      return [
        {
          id: randomBytes(8).toString("hex"),
          url: this.sim.publish(make(seed), "video/mp4", RETENTION_S, "mp4"),
          ...(wm ? { watermark_url: this.sim.publish(make(seed + 1), "video/mp4", RETENTION_S, "mp4") } : {}),
          duration: seconds.toFixed(1),
        },
      ];
    }
    const image = (i: number) => ({
      index: i,
      url: this.sim.publish(makePng(w, h, seed + i), "image/png", RETENTION_S, "png"),
      ...(wm ? { watermark_url: this.sim.publish(makePng(w, h, seed + i + 50), "image/png", RETENTION_S, "png") } : {}),
    });
    const count = d.family === "images/omni-image" && b.result_type === "series" ? d.slots : Number(b.n ?? 1);
    return Array.from({ length: count }, (_, i) => image(i));
  }
}

const FAST: KlingSimOptions = { queuedMs: 100, runningMs: 300, maxRenderEdge: 128, lostReplyDelayMs: 1500 };

/** Starts the simulator for `--sandbox` and the tests; the environment points the adapter at it with the API key. */
export async function simulate({ fast, options }: SimulatorOptions): Promise<SimulatedVendor> {
  const simulator = await new KlingSimulator({ ...(fast ? FAST : {}), ...(options as KlingSimOptions | undefined) }).start();
  return {
    simulator,
    // The simulated account is billed in its `billing.currency` (a local host has no region to tell it).
    env: { KLING_API_KEY: simulator.apiKey, KLING_BASE_URL: simulator.baseUrl, KLING_BILLING_CURRENCY: simulator.currency },
    line: `Kling simulator at ${simulator.baseUrl} (API key; an AK/SK pair works on its legacy endpoints too)`,
  };
}

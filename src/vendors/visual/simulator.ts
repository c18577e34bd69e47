/**
 * Volcengine Visual (Jimeng) simulator: verifies V4 signatures from the raw request (either
 * signed-header style; stale X-Date and body-hash mismatches refused), routes on Action + Version,
 * runs both task families (CVSync2AsyncSubmitTask/GetResult and CVSubmitTask/CVGetResult: in_queue →
 * generating → done; not_found for unknown, other-family or >12 h old tasks; expired), CVProcess and
 * CVCancelTask, and serves real JPEG/PNG/MP4 bytes. What each req_key accepts is its own table
 * (simulator-keys.ts, from the vendor's pages, never the adapter's catalog); an unknown req_key, or
 * one called with an action that does not serve it, gets the vendor's `50200 req_key … not supported`.
 * Signatures are checked with the adapter's sign.ts on purpose: that V4 signer is pinned to
 * known-answer vectors from the official SDKs (test/unit/volc-sign.test.ts), so sharing it shares no
 * mistake about the vendor.
 * Trigger words in prompts: "[blocked]" (50412 on submit), "[fail]" (done with 50511/50516),
 * "[expire]" (status expired), "[slow]" (4x longer), "[group]" (Jimeng 4.x returns 3 images);
 * "[nobody]" anywhere in a recognition request gives the verdict 0.
 *
 * One file on purpose, over 300 lines: it is the vendor's whole documented contract, read side by
 * side with the vendor's docs, and kept apart from the adapter so the two cannot share a mistake.
 */
import { randomBytes } from "node:crypto";
import { verifyVolcRequest } from "./sign.js";
import { checkBody, SIM_REQ_KEYS, type SimAction, type SimReqKey } from "./simulator-keys.js";
import { sniffBytes } from "../../media/sniff.js";
import { makeJpeg, makeMp4, makePng } from "../../sandbox/media-fixtures.js";
import { freshTaskId, VendorSimulator, type SimReply, type SimRequest } from "../../sandbox/sim-server.js";
import { taskPhase, type SimTask } from "../../sandbox/sim-task.js";
import type { SimulatedVendor, SimulatorOptions } from "../../sandbox/simulated-vendor.js";
import { VENDOR_ID } from "./config.js";

export type { SimReqKey } from "./simulator-keys.js";

export interface VisualSimOptions {
  accessKeyId?: string;
  secretKey?: string;
  /** When set, requests must carry this X-Security-Token (signed). */
  sessionToken?: string;
  queuedMs?: number;
  runningMs?: number;
  /** Time a CVProcess call takes. */
  syncDelayMs?: number;
  maxRenderEdge?: number;
  /** Accepted X-Date skew. */
  maxSkewMs?: number;
  /** req_keys the simulated vendor serves beyond its table, with their rules (a model released after the catalog). */
  extraModels?: Record<string, SimReqKey>;
  /** req_keys the simulated vendor has shut down: answered like unknown ones. */
  retired?: string[];
}

interface TaskData {
  reqKey: string;
  /** The action family that created it; the other family's lookup does not find it. */
  family: "async" | "task";
  body: Record<string, unknown>;
  prompt: string;
  kind: SimReqKey["output"];
  failCode?: number;
  /** The failure's message, when not moderation (an input URL the service could not download). */
  failMessage?: string;
  images?: Buffer[];
  video?: string;
  /** req_json seen on the last GetResult. */
  lastReqJson?: Record<string, unknown>;
}

const TASK_TTL_MS = 12 * 3600_000;
const ASYNC_VERSION = "2022-08-31";
const ROUTES: Record<string, string> = {
  CVProcess: ASYNC_VERSION,
  CVSync2AsyncSubmitTask: ASYNC_VERSION,
  CVSync2AsyncGetResult: ASYNC_VERSION,
  CVSubmitTask: ASYNC_VERSION,
  CVGetResult: ASYNC_VERSION,
  CVCancelTask: "2024-06-06",
};
const GATEWAY_HTTP: Record<string, number> = {
  MissingAuthenticationToken: 401,
  MissingSignature: 401,
  InvalidTimestamp: 400,
  InvalidAccessKey: 401,
  SignatureDoesNotMatch: 401,
  InvalidCredential: 401,
  InvalidActionOrVersion: 404,
  InvalidSecurityToken: 401,
};

/** What the service says when it cannot fetch an input URL (the host is not reachable from the internet). */
const downloadFailure = (url: string) => `Image Empty: failed to download ${new URL(url).origin}${new URL(url).pathname}`;

export class VisualSimulator extends VendorSimulator {
  readonly accessKeyId: string;
  readonly secretKey: string;
  readonly tasks = new Map<string, SimTask<TaskData>>();
  private readonly opts: Required<Omit<VisualSimOptions, "sessionToken">> & { sessionToken?: string };
  private readonly keys: Record<string, SimReqKey>;

  constructor(opts: VisualSimOptions = {}) {
    super(VENDOR_ID);
    this.opts = {
      accessKeyId: "AKLTsandboxaccesskey0000",
      secretKey: "sandbox-secret-key-000000000000",
      queuedMs: 1500,
      runningMs: 5000,
      syncDelayMs: 200,
      maxRenderEdge: 1024,
      maxSkewMs: 15 * 60_000,
      extraModels: {},
      retired: [],
      ...opts,
    };
    this.accessKeyId = this.opts.accessKeyId;
    this.secretKey = this.opts.secretKey;
    this.keys = { ...SIM_REQ_KEYS, ...this.opts.extraModels };
    for (const k of this.opts.retired) delete this.keys[k];
  }

  /** The rules of a req_key served by this action, or undefined (the vendor: "req_key … not supported"). */
  private served(reqKey: string, action: SimAction): SimReqKey | undefined {
    const rules = Object.hasOwn(this.keys, reqKey) ? this.keys[reqKey] : undefined;
    return rules?.actions.includes(action) ? rules : undefined;
  }

  private unknownKey(reqKey: string, rid: string): SimReply {
    return this.fail(50200, `req_key ${reqKey} not supported`, rid);
  }

  get baseUrl(): string {
    return this.sim.url;
  }
  get sessionToken(): string | undefined {
    return this.opts.sessionToken;
  }

  private rid(): string {
    const d = new Date(this.sim.now()).toISOString().replace(/\D/g, "").slice(0, 14);
    return d + randomBytes(9).toString("hex").toUpperCase();
  }

  private ok(data: unknown, rid: string, httpStatus = 200, code = 10000, message = "Success"): SimReply {
    return {
      status: httpStatus,
      headers: { "x-tt-logid": rid },
      body: { code, data, message, request_id: rid, status: code, time_elapsed: `${(Math.random() * 200 + 20).toFixed(6)}ms` },
    };
  }

  private fail(code: number, message: string, rid: string): SimReply {
    const http = code === 50429 || code === 50430 ? 429 : code >= 50500 && code < 50510 ? 500 : 400;
    return this.ok(null, rid, http, code, message);
  }

  private gateway(code: string, message: string, action: string, version: string, rid: string): SimReply {
    return {
      status: GATEWAY_HTTP[code] ?? 400,
      headers: { "x-tt-logid": rid, date: new Date(this.sim.now()).toUTCString() },
      body: {
        ResponseMetadata: {
          RequestId: rid,
          Action: action,
          Version: version,
          Service: "cv",
          Region: "cn-north-1",
          Error: { Code: code, Message: message },
        },
      },
    };
  }

  protected async handle(req: SimRequest): Promise<SimReply> {
    const rid = this.rid();
    const action = req.query.get("Action") ?? "";
    const version = req.query.get("Version") ?? "";
    if (req.method !== "POST" || req.path !== "/")
      return this.gateway("InvalidActionOrVersion", `no route ${req.method} ${req.path}`, action, version, rid);
    const v = verifyVolcRequest({
      method: req.method,
      path: req.path,
      rawQuery: req.rawQuery,
      headers: req.headers,
      body: req.body,
      secretFor: (ak) => (ak === this.accessKeyId ? this.secretKey : undefined),
      nowMs: this.sim.now(),
      maxSkewMs: this.opts.maxSkewMs,
      region: "cn-north-1",
      service: "cv",
    });
    if (!v.ok) return this.gateway(v.code, v.message, action, version, rid);
    if (this.opts.sessionToken !== undefined) {
      const tok = req.headers["x-security-token"];
      if (tok !== this.opts.sessionToken || !v.signedHeaders.includes("x-security-token"))
        return this.gateway("InvalidSecurityToken", "The security token is missing, unsigned or invalid", action, version, rid);
    }
    if (ROUTES[action] !== version)
      return this.gateway("InvalidActionOrVersion", `Could not find operation ${action} for version ${version}`, action, version, rid);
    const body = req.json as Record<string, unknown> | undefined;
    if (!body || typeof body !== "object") return this.fail(50204, "Parse Args Error: body is not JSON", rid);
    if (typeof body.req_key !== "string" || !body.req_key) return this.fail(50201, "Missing Args: req_key", rid);
    switch (action) {
      case "CVProcess":
        return this.process(body, rid);
      case "CVSync2AsyncSubmitTask":
        return this.submit(body, rid, "async");
      case "CVSubmitTask":
        return this.submit(body, rid, "task");
      case "CVSync2AsyncGetResult":
        return this.getResult(body, rid, "async");
      case "CVGetResult":
        return this.getResult(body, rid, "task");
      default:
        return this.cancel(body, rid);
    }
  }

  /** Returns the decoded images of a request, or an error reply. */
  private async inputImages(body: Record<string, unknown>, rid: string): Promise<{ count: number; error?: SimReply }> {
    const urls = body.image_urls;
    const b64 = body.binary_data_base64;
    if (urls !== undefined && b64 !== undefined)
      return { count: 0, error: this.fail(50200, "Invalid Args: image_urls and binary_data_base64 are exclusive", rid) };
    if (urls !== undefined) {
      if (!Array.isArray(urls) || urls.some((u) => typeof u !== "string" || !/^https?:\/\//.test(u)))
        return { count: 0, error: this.fail(50200, "Invalid Args: image_urls", rid) };
      return { count: urls.length };
    }
    if (b64 !== undefined) {
      if (!Array.isArray(b64)) return { count: 0, error: this.fail(50200, "Invalid Args: binary_data_base64 must be an array", rid) };
      for (const s of b64) {
        if (typeof s !== "string" || s.startsWith("data:"))
          return { count: 0, error: this.fail(50204, "Parse Args Error: binary_data_base64 must be raw base64", rid) };
        const bytes = Buffer.from(s, "base64");
        const sniff = await sniffBytes(bytes.subarray(0, 4096));
        if (!bytes.length) return { count: 0, error: this.fail(50206, "Image Empty", rid) };
        if (!sniff || (sniff.mime !== "image/jpeg" && sniff.mime !== "image/png"))
          return { count: 0, error: this.fail(50200, "Invalid Args: image must be JPEG or PNG", rid) };
      }
      return { count: b64.length };
    }
    if (typeof body.image_input === "string") return { count: 1 };
    return { count: 0 };
  }

  private checkRules(rules: SimReqKey, body: Record<string, unknown>, count: number, rid: string): SimReply | undefined {
    const bad = checkBody(rules, body, count);
    if (bad) return this.fail(bad[0], bad[1], rid);
    if (typeof body.prompt === "string" && body.prompt.includes("[blocked]")) return this.fail(50412, "Text Risk Not Pass", rid);
    return undefined;
  }

  private renderDims(body: Record<string, unknown>): [number, number] {
    let w = typeof body.width === "number" ? body.width : 0;
    let h = typeof body.height === "number" ? body.height : 0;
    if (!w || !h) {
      const side = Math.round(Math.sqrt(typeof body.size === "number" ? body.size : 2048 * 2048));
      w = h = side;
    }
    const scale = Math.min(1, this.opts.maxRenderEdge / Math.max(w, h));
    return [Math.max(16, Math.round(w * scale)), Math.max(16, Math.round(h * scale))];
  }

  private renderImages(reqKey: string, body: Record<string, unknown>, prompt: string): Buffer[] {
    const [w, h] = this.renderDims(body);
    const group = reqKey === "jimeng_t2i_v40" || reqKey === "jimeng_t2i_v46" || reqKey === "jimeng_seedream46_cvtob";
    const n = group && prompt.includes("[group]") && body.force_single !== true ? 3 : 1;
    return Array.from({ length: n }, (_, i) => (i % 2 ? makePng(w, h, i + prompt.length) : makeJpeg(w, h, i + prompt.length)));
  }

  /** Results in the requested form: URLs (JPEG, 24 h) when return_url, else raw base64. */
  private imageData(images: Buffer[], returnUrl: boolean): Record<string, unknown> {
    return returnUrl
      ? {
          binary_data_base64: null,
          image_urls: images.map((b) =>
            this.sim.publish(b, b[0] === 0xff ? "image/jpeg" : "image/png", 86400, b[0] === 0xff ? "jpeg" : "png"),
          ),
        }
      : { binary_data_base64: images.map((b) => b.toString("base64")), image_urls: null };
  }

  private checkLogo(logo: unknown): boolean {
    if (logo === undefined) return true;
    if (!logo || typeof logo !== "object") return false;
    const l = logo as Record<string, unknown>;
    return (
      typeof l.add_logo === "boolean" &&
      [undefined, 0, 1, 2, 3].includes(l.position as number) &&
      [undefined, 0, 1].includes(l.language as number) &&
      (l.opacity === undefined || (typeof l.opacity === "number" && l.opacity >= 0 && l.opacity <= 1))
    );
  }

  /** A JSON verdict, as the OmniHuman recognition answers in resp_data: 1 = a subject was found ("[nobody]" anywhere in the request: 0). */
  private verdict(body: Record<string, unknown>): Record<string, unknown> {
    return { resp_data: JSON.stringify({ status: JSON.stringify(body).includes("[nobody]") ? 0 : 1 }) };
  }

  private async process(body: Record<string, unknown>, rid: string): Promise<SimReply> {
    const reqKey = body.req_key as string;
    const rules = this.served(reqKey, "sync");
    if (!rules) return this.unknownKey(reqKey, rid);
    const { count, error } = await this.inputImages(body, rid);
    if (error) return error;
    const bad = this.checkRules(rules, body, count, rid);
    if (bad) return bad;
    if (!this.checkLogo(body.logo_info)) return this.fail(50200, "Invalid Args: logo_info", rid);
    if (body.aigc_meta !== undefined && typeof body.aigc_meta !== "string")
      return this.fail(50204, "Parse Args Error: aigc_meta must be a JSON string", rid);
    const prompt = typeof body.prompt === "string" ? body.prompt : "";
    const unreachable = this.sim.unreachableUrl(body);
    if (unreachable) return this.fail(50206, downloadFailure(unreachable), rid);
    await new Promise((r) => setTimeout(r, this.opts.syncDelayMs * (prompt.includes("[slow]") ? 10 : 1)));
    if (prompt.includes("[fail]")) return this.fail(50511, "Post Img Risk Not Pass", rid);
    const data =
      rules.output === "verdict" ? this.verdict(body) : this.imageData(this.renderImages(reqKey, body, prompt), body.return_url === true);
    return this.ok({ ...data, algorithm_base_resp: { status_code: 0, status_message: "Success" } }, rid);
  }

  private async submit(body: Record<string, unknown>, rid: string, family: "async" | "task"): Promise<SimReply> {
    const reqKey = body.req_key as string;
    const rules = this.served(reqKey, family);
    if (!rules) return this.unknownKey(reqKey, rid);
    const kind = rules.output;
    const { count, error } = await this.inputImages(body, rid);
    if (error) return error;
    const bad = this.checkRules(rules, body, count, rid);
    if (bad) return bad;
    const prompt = typeof body.prompt === "string" ? body.prompt : "";
    const id = freshTaskId(
      () => String(7392616336519610409n + BigInt(this.tasks.size + 1) * 7919n + BigInt(randomBytes(2).readUInt16BE())),
      (x) => this.tasks.has(x),
    );
    const slow = prompt.includes("[slow]") ? 4 : 1;
    // The task is accepted and fails once the service's download of an input URL fails.
    const unreachable = this.sim.unreachableUrl(body);
    const failure = unreachable
      ? { failCode: 50206, failMessage: downloadFailure(unreachable) }
      : prompt.includes("[fail]")
        ? { failCode: kind === "video" ? 50516 : 50511 }
        : {};
    this.tasks.set(id, {
      id,
      createdMs: this.sim.now(),
      queuedMs: this.opts.queuedMs,
      runningMs: this.opts.runningMs * slow * (kind === "video" ? 2 : 1),
      outcome: prompt.includes("[expire]") ? "expired" : failure.failCode ? "failed" : "succeeded",
      data: { reqKey, family, body, prompt, kind, ...failure },
    });
    return this.ok({ task_id: id }, rid);
  }

  private getResult(body: Record<string, unknown>, rid: string, family: "async" | "task"): SimReply {
    const task = typeof body.task_id === "string" ? this.tasks.get(body.task_id) : undefined;
    const empty = { binary_data_base64: [], image_urls: null };
    const gone = !task || task.data.family !== family || task.cancelled || this.sim.now() - task.createdMs > TASK_TTL_MS;
    if (gone || task.data.reqKey !== body.req_key) return this.ok({ ...empty, status: "not_found" }, rid);
    let reqJson: Record<string, unknown> = {};
    if (body.req_json !== undefined) {
      try {
        if (typeof body.req_json !== "string") throw new Error("not a string");
        reqJson = JSON.parse(body.req_json) as Record<string, unknown>;
      } catch {
        return this.fail(50204, "Parse Args Error: req_json must be a JSON string", rid);
      }
      if (!this.checkLogo(reqJson.logo_info)) return this.fail(50200, "Invalid Args: logo_info", rid);
    }
    task.data.lastReqJson = reqJson;
    const phase = taskPhase(task, this.sim.now());
    if (phase === "queued") return this.ok({ ...empty, status: "in_queue" }, rid);
    if (phase === "running") return this.ok({ ...empty, status: "generating" }, rid);
    if (phase === "expired") return this.ok({ ...empty, status: "expired" }, rid);
    if (phase === "failed")
      return this.ok(
        { ...empty, status: "done" },
        rid,
        400,
        task.data.failCode,
        task.data.failMessage ?? (task.data.failCode === 50516 ? "Post Video Risk Not Pass" : "Post Img Risk Not Pass"),
      );
    if (task.data.kind === "video") {
      task.data.video ??= this.sim.publish(
        () =>
          makeMp4({
            ...videoSize(task.data.body.aspect_ratio),
            seconds: task.data.body.frames === 241 ? 10 : 5,
            fps: 8,
            seed: task.data.prompt.length,
          }),
        "video/mp4",
        3600,
        "mp4",
      );
      return this.ok({ aigc_meta_tagged: reqJson.aigc_meta !== undefined, status: "done", video_url: task.data.video }, rid);
    }
    if (task.data.kind === "verdict") return this.ok({ ...this.verdict(task.data.body), status: "done" }, rid);
    task.data.images ??= this.renderImages(task.data.reqKey, task.data.body, task.data.prompt);
    return this.ok({ ...this.imageData(task.data.images, reqJson.return_url === true), status: "done" }, rid);
  }

  private cancel(body: Record<string, unknown>, rid: string): SimReply {
    const task = typeof body.task_id === "string" ? this.tasks.get(body.task_id) : undefined;
    if (!task || task.data.reqKey !== body.req_key || task.cancelled) return this.fail(50200, "Invalid Args: task not found", rid);
    const phase = taskPhase(task, this.sim.now());
    if (phase !== "queued")
      return this.fail(50200, `Invalid Args: task is ${phase === "running" ? "generating" : "finished"} and cannot be cancelled`, rid);
    task.cancelled = true;
    return this.ok(null, rid);
  }
}

const FAST: VisualSimOptions = { queuedMs: 150, runningMs: 300, syncDelayMs: 10, maxRenderEdge: 256 };

/** Starts the simulator for `--sandbox` and the tests, with the environment that points the adapter at it. */
export async function simulate({ fast, options }: SimulatorOptions): Promise<SimulatedVendor> {
  const simulator = await new VisualSimulator({ ...(fast ? FAST : {}), ...(options as VisualSimOptions | undefined) }).start();
  return {
    simulator,
    env: {
      VOLC_ACCESSKEY: simulator.accessKeyId,
      VOLC_SECRETKEY: simulator.secretKey,
      VOLC_VISUAL_BASE_URL: simulator.baseUrl,
      ...(simulator.sessionToken ? { VOLC_SESSION_TOKEN: simulator.sessionToken } : {}),
    },
    line: `Volcengine Visual (Jimeng) simulator at ${simulator.baseUrl}`,
  };
}

/**
 * A sandbox video's frame size for Jimeng's `aspect_ratio` ("16:9" when absent, as Jimeng's
 * default; a first-frame video, which takes none, renders 16:9 too): 320 px on the long edge, sides
 * rounded to 16 px.
 */
function videoSize(ratio: unknown): { width: number; height: number } {
  const [rw, rh] = (typeof ratio === "string" && /^\d+:\d+$/.test(ratio) ? ratio : "16:9").split(":").map(Number) as [number, number];
  const side = (n: number) => Math.max(16, Math.round((320 * n) / Math.max(rw, rh) / 16) * 16);
  return { width: side(rw), height: side(rh) };
}

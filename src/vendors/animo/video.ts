/**
 * Animo request rules, body building, async status mapping and the task driver. The two modes
 * are two API shapes: sync takes duration, style and resolution; async takes aspect_ratio and
 * the configured engine and model. A field the mode's contract lacks is refused, never dropped.
 */
import { AigcError, inputError } from "../../errors.js";
import type { JobHandle, PollResult, TaskDriver } from "../../jobs/types.js";
import { invalidJobId } from "../../jobs/engine-errors.js";
import { safeUrl } from "../../net/http.js";
import type { AnimoClient, AnimoStatus } from "./client.js";
import { ANIMO } from "./errors.js";
import type { AnimoConfig, AnimoMode } from "./config.js";
import { VENDOR_ID } from "./config.js";
import { unknownTaskResult } from "../kit/errors.js";

export const STYLES = ["cinematic", "anime", "realistic", "cartoon", "abstract"] as const;
export const RESOLUTIONS = ["1920x1080", "1280x720", "720x480"] as const;
export const DEFAULT_DURATION = 10;
export const DEFAULT_STYLE = "cinematic";
export const DEFAULT_RESOLUTION = "1280x720";
export const MAX_PROMPT = 4000;
/** The frame shapes the async API documents (its server defaults to 16:9). Any W:H is passed on: the server decides. */
export const DOCUMENTED_ASPECT_RATIOS = ["16:9", "9:16", "1:1"] as const;

export interface AnimoRequest {
  prompt: string;
  duration?: number;
  style?: string;
  resolution?: string;
  aspect_ratio?: string;
}

const SYNC_ONLY = ["duration", "style", "resolution"] as const;

/** Checks a request before any network call (the zod schema already enforces types). */
export function checkAnimo(req: AnimoRequest, mode: AnimoMode): void {
  if (!req.prompt.trim()) throw inputError("prompt", "describe the video to generate (a non-empty string)");
  if (req.prompt.length > MAX_PROMPT) throw inputError("prompt", `at most ${MAX_PROMPT} characters; got ${req.prompt.length}`);
  if (req.duration !== undefined && (!Number.isInteger(req.duration) || req.duration < 1 || req.duration > 60)) {
    throw inputError("duration", `a whole number of seconds from 1 to 60; got ${req.duration}`);
  }
  if (req.style !== undefined && !(STYLES as readonly string[]).includes(req.style)) {
    throw inputError("style", `one of ${STYLES.join(", ")}; got "${req.style}"`);
  }
  if (req.resolution !== undefined && !(RESOLUTIONS as readonly string[]).includes(req.resolution)) {
    throw inputError("resolution", `one of ${RESOLUTIONS.join(", ")}; got "${req.resolution}"`);
  }
  if (mode === "async") {
    const set = SYNC_ONLY.filter((k) => req[k] !== undefined);
    if (set.length) {
      throw inputError(
        set[0]!,
        `this server uses the animo.video asynchronous API (ANIMO_MODE=async), which takes a prompt and aspect_ratio only; leave out ${set.join(", ")} and describe length and look in the prompt`,
      );
    }
  } else if (req.aspect_ratio !== undefined) {
    throw inputError(
      "aspect_ratio",
      "this server uses the synchronous Animo endpoint (ANIMO_MODE=sync), whose contract has no aspect_ratio; choose the frame with resolution (WIDTHxHEIGHT) instead",
    );
  }
}

/** The sync POST body. The field is `prompt` (the original plugin declared `query` but read `prompt`). */
export function animoSyncBody(req: AnimoRequest): Record<string, unknown> {
  return {
    prompt: req.prompt,
    duration: req.duration ?? DEFAULT_DURATION,
    style: req.style ?? DEFAULT_STYLE,
    resolution: req.resolution ?? DEFAULT_RESOLUTION,
  };
}

/**
 * The async POST body's fields beside the prompt: aspect_ratio when given, and engine and model
 * only when configured (ANIMO_ENGINE, ANIMO_MODEL); otherwise the server picks its own defaults.
 */
export function animoAsyncFields(req: AnimoRequest, cfg: Pick<AnimoConfig, "engine" | "model">): Record<string, unknown> {
  return {
    ...(req.aspect_ratio !== undefined ? { aspect_ratio: req.aspect_ratio } : {}),
    ...(cfg.engine ? { engine: cfg.engine } : {}),
    ...(cfg.model ? { model: cfg.model } : {}),
  };
}

const DONE = new Set(["COMPLETED", "COMPLETE", "SUCCEEDED", "SUCCESS", "DONE"]);
const FAILED = new Set(["FAILED", "FAILURE", "ERROR", "CANCELLED", "CANCELED"]);
const WAITING = new Set(["PENDING", "QUEUED", "IN_QUEUE", "SUBMITTED", "WAITING"]);

/** Turns an async status answer into a poll result. */
export function animoStatusResult(s: AnimoStatus): PollResult {
  const status = String(s.status ?? "").toUpperCase();
  const percent = typeof s.progress === "number" && Number.isFinite(s.progress) ? Math.max(0, Math.min(100, s.progress)) : undefined;
  if (DONE.has(status)) {
    const url = s.videoUrl ?? s.video_url;
    if (!url) return { status: "failed", error: { code: "NoOutput", message: `${ANIMO} reported ${status} but gave no videoUrl` } };
    return { status: "succeeded", outputs: [{ url, mime: "video/mp4" }] };
  }
  if (FAILED.has(status)) {
    const e = s.error;
    const message =
      typeof e === "string"
        ? e
        : e && typeof e === "object" && typeof (e as { message?: unknown }).message === "string"
          ? (e as { message: string }).message
          : `${ANIMO} reported ${status}`;
    const code =
      e && typeof e === "object" && typeof (e as { code?: unknown }).code === "string" ? (e as { code: string }).code : "GenerationFailed";
    return { status: "failed", error: { code, message } };
  }
  return {
    status: WAITING.has(status) ? "queued" : "running",
    detail: status ? `${ANIMO} status ${status}` : `${ANIMO} is generating`,
    ...(percent !== undefined ? { percent } : {}),
  };
}

/** Facts stored in the job id so any process can resume the job (and refuse to poll anywhere else). */
export function asyncHandleFacts(cfg: AnimoConfig): Record<string, string> {
  return { m: "async", e: safeUrl(cfg.endpoint) };
}

function checkHandle(handle: JobHandle, cfg: AnimoConfig): void {
  const mode = handle.x?.m;
  const endpoint = handle.x?.e;
  if (mode !== "async" || !endpoint) {
    throw invalidJobId("this Animo job id does not describe an asynchronous Animo request", ANIMO);
  }
  if (endpoint !== safeUrl(cfg.endpoint)) {
    // Never send the key to an endpoint other than the configured one, whatever a job id says.
    throw new AigcError({
      category: "invalid_input",
      code: "EndpointMismatch",
      vendor: ANIMO,
      message: `this job was created against the Animo API at ${endpoint}, but this server is configured for ${safeUrl(cfg.endpoint)}`,
      hint: `Resume it from a server started with ANIMO_MODE=async and ANIMO_ENDPOINT=${endpoint}.`,
    });
  }
}

export function animoDriver(client: AnimoClient, cfg: AnimoConfig): TaskDriver {
  return {
    vendor: VENDOR_ID,
    op: "video",
    outputKind: "video",
    // The vendor's own example polls every 5 s.
    pollIntervalMs: 5000,
    checkHandle: (handle) => checkHandle(handle, cfg),
    async poll(handle, ctx) {
      checkHandle(handle, cfg);
      try {
        return animoStatusResult(await client.status(handle.task!, ctx.signal));
      } catch (err) {
        // The status route answers an unknown request id with 404.
        if (err instanceof AigcError && err.category === "not_found")
          return unknownTaskResult(
            err.code,
            `${ANIMO} does not know request ${handle.task}: it was not created at this endpoint, or it has expired. Generate again.`,
            err.info.requestId,
          );
        throw err;
      }
    },
  };
}

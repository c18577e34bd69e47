/**
 * Seedance request building, the one rule every model shares, and the task driver (poll + cancel).
 * Per-model capabilities (durations, resolutions, reference counts, audio, draft) are catalog advice
 * (catalog.ts): Ark decides, and its refusals are explained with them.
 */
import { AigcError, inputError, taskErrorShape } from "../../errors.js";
import type { CancelOutcome, JobHandle, JobStatus, LostTaskQuery, PollResult, TaskDriver, VendorOutput } from "../../jobs/types.js";
import { tosUrlExpiry, type ArkClient, type ArkVideoTask } from "./client.js";
import { ARK, MODERATION } from "./errors.js";
import { unknownTaskResult } from "../kit/errors.js";
import { VENDOR_ID } from "./config.js";
import { seedanceUsage } from "./pricing.js";

/** Every resolution any Seedance model documents (which model takes which is in the catalog). */
export const RESOLUTIONS = ["480p", "720p", "1080p", "4k"] as const;
export const RATIOS = ["16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive"] as const;
export const SERVICE_TIERS = ["default", "flex"] as const;
export const VIDEO_FORMATS = ["mp4", "mov"] as const;

export interface SeedanceRequest {
  prompt?: string;
  model: string;
  /** URLs, data: URIs or vendor references (asset://…), already loaded and checked. */
  first_frame?: string;
  last_frame?: string;
  reference_images?: string[];
  reference_videos?: string[];
  reference_audios?: string[];
  draft_task_id?: string;
  resolution?: (typeof RESOLUTIONS)[number];
  ratio?: (typeof RATIOS)[number];
  duration?: number;
  seed?: number;
  camera_fixed?: boolean;
  watermark?: boolean;
  generate_audio?: boolean;
  draft?: boolean;
  return_last_frame?: boolean;
  service_tier?: (typeof SERVICE_TIERS)[number];
  output_format?: (typeof VIDEO_FORMATS)[number];
  omni_reference_task_type?: string;
}

/**
 * The rule of the request shape: the content list cannot be empty. Everything else (which inputs
 * combine, draft limits) depends on the model and is Ark's to refuse. Throws AigcError (invalid_input).
 */
export function checkSeedanceContent(req: {
  prompt?: string;
  first_frame?: unknown;
  last_frame?: unknown;
  reference_images?: unknown[];
  reference_videos?: unknown[];
  reference_audios?: unknown[];
  draft_task_id?: string;
}): void {
  const media = [req.first_frame, req.last_frame].some((f) => f !== undefined);
  const refs = [req.reference_images, req.reference_videos, req.reference_audios].some((r) => r?.length);
  if (!req.prompt && !media && !refs && !req.draft_task_id)
    throw inputError("prompt", "give a prompt, a first_frame, reference media or a draft_task_id");
}

export function seedanceBody(req: SeedanceRequest): Record<string, unknown> {
  const content: Array<Record<string, unknown>> = [];
  if (req.prompt) content.push({ type: "text", text: req.prompt });
  if (req.draft_task_id) content.push({ type: "draft_task", draft_task: { id: req.draft_task_id } });
  if (req.first_frame) content.push({ type: "image_url", image_url: { url: req.first_frame }, role: "first_frame" });
  if (req.last_frame) content.push({ type: "image_url", image_url: { url: req.last_frame }, role: "last_frame" });
  for (const url of req.reference_images ?? []) content.push({ type: "image_url", image_url: { url }, role: "reference_image" });
  for (const url of req.reference_videos ?? []) content.push({ type: "video_url", video_url: { url }, role: "reference_video" });
  for (const url of req.reference_audios ?? []) content.push({ type: "audio_url", audio_url: { url }, role: "reference_audio" });
  const opt = <K extends keyof SeedanceRequest>(k: K) => (req[k] !== undefined ? { [k]: req[k] } : {});
  return {
    model: req.model,
    content,
    ...opt("resolution"),
    // Draft previews are 480p on every model that makes them; other resolutions are refused.
    ...(req.draft && !req.resolution ? { resolution: "480p" } : {}),
    ...opt("ratio"),
    ...opt("duration"),
    ...opt("seed"),
    ...opt("camera_fixed"),
    ...opt("watermark"),
    ...opt("generate_audio"),
    ...opt("draft"),
    ...opt("return_last_frame"),
    ...opt("service_tier"),
    ...opt("output_format"),
    ...opt("omni_reference_task_type"),
  };
}

/** Request fields Ark echoes in its task records: what a lost create is matched on, besides model and time. */
const ECHOED = ["resolution", "ratio", "duration"] as const;

export function seedanceFacts(body: Record<string, unknown>): Record<string, string> {
  const facts: Record<string, string> = {};
  for (const k of ECHOED)
    if (body[k] !== undefined && body[k] !== -1 && body[k] !== "adaptive") facts[k] = JSON.stringify(body[k]).replace(/"/g, "");
  return facts;
}

/** How far Ark's creation time (whole seconds, its clock) may sit outside our send/lose window. */
const CLOCK_SLACK_S = 5;

/**
 * Finds the task of a create whose answer was lost: Ark's task list filtered by model, matched on
 * creation time (between sending and giving up) and the echoed request fields, skipping tasks
 * other jobs hold. Ark's list does not echo the prompt, so two identical requests in the same
 * window are ambiguous and none is attached.
 */
export async function findLostSeedanceTask(client: ArkClient, query: LostTaskQuery, signal: AbortSignal) {
  const from = Math.floor(query.sentAtMs / 1000) - CLOCK_SLACK_S;
  const to = Math.ceil(query.lostAtMs / 1000) + CLOCK_SLACK_S;
  const { items } = await client.listVideoTasks({ page_size: 100, ...(query.model ? { model: query.model } : {}) }, signal);
  const matches = items.filter(
    (t) =>
      !query.taken.has(t.id) &&
      (!query.model || t.model === query.model) &&
      t.created_at !== undefined &&
      t.created_at >= from &&
      t.created_at <= to &&
      ECHOED.every((k) => query.facts[k] === undefined || t[k] === undefined || String(t[k]) === query.facts[k]),
  );
  if (matches.length === 1) return { task: matches[0]!.id };
  if (matches.length > 1) return { ambiguous: matches.map((t) => t.id) };
  return undefined;
}

const STATUS: Record<string, JobStatus> = {
  queued: "queued",
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  cancelled: "cancelled",
  expired: "expired",
};

export function seedanceResult(task: ArkVideoTask): PollResult {
  const status = STATUS[task.status];
  if (!status) return { status: "running", detail: `unknown Ark status "${task.status}"`, model: task.model };
  if (status === "failed" || status === "expired") {
    return {
      status,
      model: task.model,
      error: taskErrorShape(
        task.error?.code ?? (status === "expired" ? "TaskExpired" : "TaskFailed"),
        task.error?.message ??
          (status === "expired" ? "the task was not run before its execution_expires_after deadline" : "Ark reported the task as failed"),
        // Ark moderates the finished video too (OutputVideoSensitiveContentDetected): the prompt or inputs must change.
        task.error?.code && MODERATION.test(task.error.code) ? "content_policy" : undefined,
        task.answerRequestId,
      ),
    };
  }
  if (status === "cancelled") return { status, model: task.model, detail: `${ARK} reports the task cancelled` };
  if (status !== "succeeded") return { status, model: task.model, detail: status === "queued" ? "waiting in Ark's queue" : "generating" };
  const base = (task.updated_at ?? Math.floor(Date.now() / 1000)) * 1000 + 24 * 3600_000;
  const outputs: VendorOutput[] = [];
  if (task.content?.video_url) outputs.push({ url: task.content.video_url, expiresAt: tosUrlExpiry(task.content.video_url, base) });
  if (task.content?.last_frame_url)
    outputs.push({ url: task.content.last_frame_url, expiresAt: tosUrlExpiry(task.content.last_frame_url, base), role: "last_frame" });
  const usage = seedanceUsage(task);
  return { status, model: task.model, outputs, ...(usage ? { usage } : {}) };
}

export function seedanceDriver(client: ArkClient): TaskDriver {
  return {
    vendor: VENDOR_ID,
    op: "video",
    outputKind: "video",
    pollIntervalMs: 5000,
    findLost: (query, { signal }) => findLostSeedanceTask(client, query, signal),
    async poll(handle: JobHandle, { signal }) {
      try {
        return seedanceResult(await client.getVideoTask(handle.task!, signal));
      } catch (err) {
        if (err instanceof AigcError && err.info.httpStatus === 404) {
          return unknownTaskResult(
            err.code,
            "Ark no longer knows this task (task records are kept for a limited time, or it was deleted)",
            err.info.requestId,
          );
        }
        throw err;
      }
    },
    cancelWhile: ["queued"],
    async cancel(handle: JobHandle, { signal }): Promise<CancelOutcome> {
      const task = await client.getVideoTask(handle.task!, signal);
      if (task.status !== "queued") return notQueued(task.status);
      try {
        await client.deleteVideoTask(handle.task!, signal);
      } catch (err) {
        if (err instanceof AigcError && err.info.httpStatus && err.info.httpStatus < 500) {
          // Ark refuses a task that left the queue meanwhile (it started, or another cancel removed it): say which.
          const now = await client.getVideoTask(handle.task!, signal).catch(() => undefined);
          if (now && now.status !== "queued") return notQueued(now.status);
          return {
            cancelled: false,
            message: `${ARK} refused to cancel (${err.code}): ${err.message}. Call cancel_job again, or get_job to follow the task.`,
          };
        }
        throw err;
      }
      return { cancelled: true, status: "cancelled", message: `${ARK} removed the queued task; nothing is billed.` };
    },
  };
}

/** What cancel_job says of a task that is no longer queued (Ark cancels queued tasks only). */
function notQueued(arkStatus: string): CancelOutcome {
  const status = STATUS[arkStatus];
  if (status === "cancelled") return { cancelled: true, status, message: `The ${ARK} task is cancelled; nothing is billed.` };
  return {
    cancelled: false,
    status,
    message:
      status === "running"
        ? `${ARK} cannot cancel a task that is already running; it will finish (and be billed). Its result will still be downloaded.`
        : status === "succeeded"
          ? `The ${ARK} task has already succeeded (and is billed); its video is saved as this job's output.`
          : `The ${ARK} task is already ${arkStatus}.`,
  };
}

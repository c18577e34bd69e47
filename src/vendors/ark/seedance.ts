/** Seedance request rules, body building, and the task driver (poll + cancel). */
import { AigcError, inputError } from "../../errors.js";
import type { CancelOutcome, JobHandle, JobStatus, PollResult, TaskDriver, VendorOutput } from "../../jobs/types.js";
import { tosUrlExpiry, type ArkClient, type ArkVideoTask } from "./client.js";
import { ARK } from "./errors.js";
import { findSeedance } from "./models.js";
import { VENDOR_ID } from "./config.js";

export const RESOLUTIONS = ["480p", "720p", "1080p"] as const;
export const RATIOS = ["16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive"] as const;
export const SERVICE_TIERS = ["default", "flex"] as const;

export interface SeedanceRequest {
  prompt?: string;
  model: string;
  /** URLs or data: URIs, already loaded and checked. */
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
}

type Shape = Omit<SeedanceRequest, "first_frame" | "last_frame" | "reference_images" | "reference_videos" | "reference_audios"> & {
  first_frame?: unknown;
  last_frame?: unknown;
  reference_images?: unknown[];
  reference_videos?: unknown[];
  reference_audios?: unknown[];
};

/** The combinations Ark rejects, caught before any network call. */
export function checkSeedance(req: Shape): void {
  const m = findSeedance(req.model);
  const refs = (req.reference_images?.length ?? 0) + (req.reference_videos?.length ?? 0) + (req.reference_audios?.length ?? 0);
  const frames = req.first_frame !== undefined || req.last_frame !== undefined;
  if (!req.prompt && !frames && !refs && !req.draft_task_id)
    throw inputError("prompt", "give a prompt, a first_frame, reference media or a draft_task_id");
  if (req.last_frame !== undefined && req.first_frame === undefined)
    throw inputError("last_frame", "needs first_frame as well (first+last-frame mode)");
  if (frames && refs)
    throw inputError(
      "reference_images",
      "first/last-frame mode and reference mode are mutually exclusive: give either first_frame (+ last_frame) or reference_images/videos/audios",
    );
  if (req.reference_audios?.length && !req.reference_images?.length && !req.reference_videos?.length) {
    throw inputError("reference_audios", "audio references need at least one reference image or video as well");
  }
  if (req.draft_task_id && (frames || refs)) throw inputError("draft_task_id", "a final video from a draft takes no other media inputs");
  if (req.draft) {
    if (req.resolution && req.resolution !== "480p")
      throw inputError("resolution", 'draft (preview) videos are 480p only; omit resolution or use "480p"');
    if (req.return_last_frame) throw inputError("return_last_frame", "is not available for draft videos");
    if (req.service_tier === "flex") throw inputError("service_tier", 'draft videos cannot use "flex"');
  }
  if (!m) {
    if (req.duration !== undefined && (req.duration === 0 || req.duration < -1 || req.duration > 15))
      throw inputError("duration", "must be -1 (model decides) or 1-15 seconds");
    return;
  }
  const d = m.durations;
  if (req.duration !== undefined && !(req.duration === -1 && d.auto) && (req.duration < d.min || req.duration > d.max)) {
    throw inputError(
      "duration",
      `${m.label} takes ${d.min}-${d.max} seconds${d.auto ? " or -1 (model decides)" : ""}; got ${req.duration}`,
    );
  }
  if (req.resolution && !m.resolutions.includes(req.resolution))
    throw inputError("resolution", `${m.label} supports ${m.resolutions.join(", ")}; got ${req.resolution}`);
  if (!frames && !refs && !req.draft_task_id && !m.textToVideo)
    throw inputError("first_frame", `${m.label} is an image-to-video model: give first_frame or reference_images`);
  if (req.first_frame !== undefined && !m.firstFrame) throw inputError("first_frame", `${m.label} is text-to-video only`);
  if (req.last_frame !== undefined && !m.lastFrame) throw inputError("last_frame", `${m.label} does not support a last frame`);
  if (req.reference_images?.length) {
    if (!m.referenceImages)
      throw inputError("reference_images", `${m.label} has no reference-image mode (Seedance 2.0 and 1.0 Lite i2v do)`);
    if (req.reference_images.length > m.referenceImages)
      throw inputError("reference_images", `${m.label} takes at most ${m.referenceImages}; got ${req.reference_images.length}`);
  }
  if ((req.reference_videos?.length || req.reference_audios?.length) && !m.referenceMedia) {
    throw inputError(
      req.reference_videos?.length ? "reference_videos" : "reference_audios",
      `${m.label} takes no video/audio references (Seedance 2.0 does)`,
    );
  }
  if (req.generate_audio && !m.audio) throw inputError("generate_audio", `${m.label} cannot generate audio (Seedance 1.5 Pro and 2.0 can)`);
  if (req.draft && !m.draft) throw inputError("draft", `draft (preview) mode is Seedance 1.5 Pro only`);
  if (req.ratio === "adaptive" && !frames && !refs && !m.adaptiveForText)
    throw inputError("ratio", `${m.label} cannot use "adaptive" for text-to-video; pick a fixed ratio`);
  if (req.camera_fixed !== undefined && refs && m.family === "1.0-lite-i2v")
    throw inputError("camera_fixed", "is not available in reference-image mode");
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
  };
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
      error: {
        code: task.error?.code ?? (status === "expired" ? "TaskExpired" : "TaskFailed"),
        message:
          task.error?.message ??
          (status === "expired" ? "the task was not run before its execution_expires_after deadline" : "Ark reported the task as failed"),
      },
    };
  }
  if (status !== "succeeded") return { status, model: task.model, detail: status === "queued" ? "waiting in Ark's queue" : "generating" };
  const base = (task.updated_at ?? Math.floor(Date.now() / 1000)) * 1000 + 24 * 3600_000;
  const outputs: VendorOutput[] = [];
  if (task.content?.video_url) outputs.push({ url: task.content.video_url, expiresAt: tosUrlExpiry(task.content.video_url, base) });
  if (task.content?.last_frame_url)
    outputs.push({ url: task.content.last_frame_url, expiresAt: tosUrlExpiry(task.content.last_frame_url, base), role: "last_frame" });
  return { status, model: task.model, outputs };
}

export function seedanceDriver(client: ArkClient): TaskDriver {
  return {
    vendor: VENDOR_ID,
    op: "video",
    outputKind: "video",
    pollIntervalMs: 5000,
    async poll(handle: JobHandle, { signal }) {
      try {
        return seedanceResult(await client.getVideoTask(handle.task!, signal));
      } catch (err) {
        if (err instanceof AigcError && err.info.httpStatus === 404) {
          return {
            status: "expired",
            error: {
              code: err.code,
              message: "Ark no longer knows this task (task records are kept for a limited time, or it was deleted)",
            },
          };
        }
        throw err;
      }
    },
    async cancel(handle: JobHandle, { signal }): Promise<CancelOutcome> {
      const task = await client.getVideoTask(handle.task!, signal);
      if (task.status !== "queued") {
        return {
          cancelled: false,
          status: STATUS[task.status],
          message:
            task.status === "running"
              ? `${ARK} cannot cancel a task that is already running; it will finish (and be billed). Its result will still be downloaded.`
              : `The ${ARK} task is already ${task.status}.`,
        };
      }
      try {
        await client.deleteVideoTask(handle.task!, signal);
      } catch (err) {
        if (err instanceof AigcError && err.info.httpStatus && err.info.httpStatus < 500) {
          return {
            cancelled: false,
            message: `${ARK} refused to cancel (${err.code}): ${err.message}. It probably started running; it will finish and its result will be downloaded.`,
          };
        }
        throw err;
      }
      return { cancelled: true, status: "cancelled", message: `${ARK} removed the queued task; nothing is billed.` };
    },
  };
}

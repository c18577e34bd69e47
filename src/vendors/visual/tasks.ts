/**
 * Jimeng task results and the task drivers. A handle carries the req_key (`x.rk`), the GetResult
 * req_json (`x.rj`) and, for the CVSubmitTask/CVGetResult family, `x.af = "task"` (absent = the
 * CVSync2Async family, as in every job id before it existed), so any server process can poll from
 * the job id alone.
 */
import { AigcError, joinSentences } from "../../errors.js";
import type { CancelOutcome, JobHandle, PollResult, TaskDriver, VendorOutput } from "../../jobs/types.js";
import { invalidJobId } from "../../jobs/engine-errors.js";
import { SUCCESS, type TaskFamily, type VisualClient, type VisualEnvelope } from "./client.js";
import { describeServiceCode, serviceError, VISUAL } from "./errors.js";
import { VENDOR_ID } from "./config.js";
import { unknownTaskResult } from "../kit/errors.js";

export const IMAGE_URL_TTL_MS = 24 * 3600_000;
export const VIDEO_URL_TTL_MS = 3600_000;
/** The handle facts (`x`) of a task of this family. */
export const familyFacts = (family: TaskFamily): Record<string, string> => (family === "task" ? { af: "task" } : {});
const familyOf = (handle: JobHandle): TaskFamily => (handle.x?.af === "task" ? "task" : "sync2async");

/** The req_key a job's polls need; throws InvalidJobId for a job id without one. */
function reqKeyOf(handle: JobHandle): string {
  const rk = handle.x?.rk;
  if (!rk)
    throw invalidJobId("this job id carries no req_key, which Jimeng's task lookups need; it was not made by the Jimeng tools", VISUAL);
  return rk;
}

/** Codes a poll may meet while the task itself is fine: try the poll again. */
const TRANSIENT = new Set([50429, 50430, 50500, 50501]);

export type VisualOp = "image" | "video" | "portrait" | "call_image" | "call_video";
export const OP_KIND: Record<VisualOp, TaskDriver["outputKind"]> = {
  image: "image",
  video: "video",
  portrait: "image",
  call_image: "image",
  call_video: "video",
};

/** Turns a GetResult (or CVProcess) envelope into a job state; base64 outputs are decoded here. */
export function visualResult(env: VisualEnvelope, now = Date.now()): PollResult {
  const data = env.data ?? {};
  const status = data.status ?? (env.code === SUCCESS ? "done" : undefined);
  if (env.code !== undefined && env.code !== SUCCESS) {
    if (status !== "done" && TRANSIENT.has(env.code)) throw serviceError(env);
    return {
      status: "failed",
      error: {
        code: String(env.code),
        message: `${describeServiceCode(env.code)}: ${env.message ?? ""}`.trim(),
        ...(env.request_id ? { request_id: env.request_id } : {}),
        ...(env.code === 50511 ? { hint: "Generating again often passes." } : {}),
      },
    };
  }
  switch (status) {
    case "in_queue":
      return { status: "queued", detail: `waiting in ${VISUAL}'s queue` };
    case "generating":
    case "processing":
      return { status: "running", detail: status };
    case "failed":
      return {
        status: "failed",
        error: {
          code: "TaskFailed",
          message: `${VISUAL} reports the task failed${data.resp_data ? `: ${data.resp_data}` : ""}`,
          ...(env.request_id ? { request_id: env.request_id } : {}),
        },
      };
    case "not_found":
      return unknownTaskResult(
        "TaskNotFound",
        `${VISUAL} does not know this task: it does not exist for this req_key, or it is older than 12 hours (results are kept 12 h). Generate again.`,
        env.request_id,
      );
    case "expired":
      return {
        status: "expired",
        error: {
          code: "TaskExpired",
          message: `${VISUAL} reports the task as expired; submit it again.`,
          ...(env.request_id ? { request_id: env.request_id } : {}),
        },
      };
    case "done":
      break;
    default:
      return { status: "running", detail: `unknown ${VISUAL} status "${status}"` };
  }
  const outputs: VendorOutput[] = [];
  for (const url of data.image_urls ?? []) if (url) outputs.push({ url, expiresAt: new Date(now + IMAGE_URL_TTL_MS).toISOString() });
  if (!outputs.length) for (const b64 of data.binary_data_base64 ?? []) if (b64) outputs.push({ data: Buffer.from(b64, "base64") });
  if (data.video_url) outputs.push({ url: data.video_url, expiresAt: new Date(now + VIDEO_URL_TTL_MS).toISOString() });
  if (!outputs.length && typeof data.resp_data === "string" && data.resp_data)
    return { status: "succeeded", outputs, data: data.resp_data };
  if (!outputs.length)
    return {
      status: "failed",
      error: {
        code: "NoOutput",
        message: `${VISUAL} reported the task done but returned no image or video`,
        ...(env.request_id ? { request_id: env.request_id } : {}),
      },
    };
  // Jimeng reports no usage, but bills each image it returns: their number is the usage.
  return { status: "succeeded", outputs, ...(data.video_url ? {} : { usage: { images: outputs.length } }) };
}

export function visualDriver(client: VisualClient, op: VisualOp): TaskDriver {
  const kind = OP_KIND[op];
  return {
    vendor: VENDOR_ID,
    op,
    outputKind: kind,
    pollIntervalMs: kind === "video" ? 5000 : 3000,
    // Results are kept 12 h (vendor-apis.md, Jimeng async API): an older task is gone for real.
    taskRetentionMs: 12 * 3600_000,
    checkHandle: reqKeyOf,
    async poll(handle: JobHandle, { signal }) {
      return visualResult(await client.getResult(reqKeyOf(handle), handle.task!, handle.x?.rj, signal, familyOf(handle)));
    },
    async cancel(handle: JobHandle, { signal }): Promise<CancelOutcome> {
      let env: VisualEnvelope;
      try {
        env = await client.cancel(handle.x?.rk ?? "", handle.task!, signal);
      } catch (err) {
        if (err instanceof AigcError && err.category !== "network" && err.category !== "timeout" && err.category !== "cancelled") {
          return {
            cancelled: false,
            message: `${VISUAL} refused CVCancelTask (${err.code}: ${err.message}). The task keeps running and its result will still be downloaded.`,
          };
        }
        throw err;
      }
      if (env.code === SUCCESS) {
        return {
          cancelled: true,
          status: "cancelled",
          message: `${VISUAL} accepted CVCancelTask for task ${handle.task} (code 10000${env.message ? `, "${env.message}"` : ""}).`,
        };
      }
      return {
        cancelled: false,
        message: joinSentences(
          `${VISUAL} answered CVCancelTask with code ${env.code}: ${env.message ?? "no message"}${env.request_id ? ` (request id ${env.request_id})` : ""}`,
          "Usually only queued tasks can be cancelled; the task keeps running and its result will still be downloaded.",
        ),
      };
    },
  };
}

export function visualDrivers(client: VisualClient): TaskDriver[] {
  return (Object.keys(OP_KIND) as VisualOp[]).map((op) => visualDriver(client, op));
}

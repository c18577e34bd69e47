/**
 * Kling task drivers: one for video tasks, one for image tasks. The job handle says where the task
 * lives, so a restarted server can poll from the job id alone: `x.f` is the legacy endpoint family
 * (`GET /v1/<f>/{id}`), or `x.s = "new"` marks a new-standard task (`GET /tasks`, `x.f` then names
 * the product); `x.k` is the `external_task_id` the create was sent under, and `x.e = "1"` means
 * the task id is that external id (the create answer was lost and Kling could not be asked then).
 */
import { AigcError, taskErrorShape } from "../../errors.js";
import type { JobHandle, PollResult, TaskDriver, VendorOutput } from "../../jobs/types.js";
import { invalidJobId } from "../../jobs/engine-errors.js";
import type { CreateTarget, KlingClient, KlingMedia, KlingTask } from "./client.js";
import { KLING, MODERATED_TASK } from "./errors.js";
import { isKlingFamily, type KlingFamily, type KlingRoute } from "./families.js";
import { VENDOR_ID } from "./config.js";
import { unknownTaskResult } from "../kit/errors.js";
import type { Currency } from "../kit/price.js";
import { klingUsage } from "./pricing.js";

/** Kling deletes generated media 30 days after the task. */
export const KLING_RETENTION_MS = 30 * 24 * 3600_000;

export function familyOf(handle: JobHandle): KlingFamily {
  const f = handle.x?.f;
  if (!isKlingFamily(f))
    throw invalidJobId(
      f
        ? `this Kling job id names an endpoint family Kling has not (${f.slice(0, 40)})`
        : "this Kling job id names no endpoint family, which Kling's task lookups need (Kling's job ids start with k.)",
      KLING,
    );
  return f;
}

function outputs(list: KlingMedia[] | undefined, expiresAt: string, role?: string): VendorOutput[] {
  const out: VendorOutput[] = [];
  for (const m of list ?? []) {
    if (m.url) out.push({ url: m.url, expiresAt, ...(role ? { role } : {}) });
    if (m.watermark_url) out.push({ url: m.watermark_url, expiresAt, role: role ? `${role}_watermarked` : "watermarked" });
  }
  return out;
}

/** The driver facts (`x`) of a job created on `route`. */
export function routeFacts(route: KlingRoute): Record<string, string> {
  return route.standard === "legacy" ? { f: route.family } : { f: route.product, s: "new" };
}

/** The facts a Kling create is started with: its route and `k`, the `external_task_id` it is sent under. */
export function createFacts(route: KlingRoute, externalTaskId: string): Record<string, string> {
  return { ...routeFacts(route), k: externalTaskId };
}

/** Where a job's facts say its task lives, for a lookup by external id. */
function targetOfFacts(x: Record<string, string>): CreateTarget {
  return x.s === "new" ? { standard: "new", path: "/tasks" } : { standard: "legacy", path: `/v1/${familyOf({ x } as JobHandle)}` };
}

/** Turns a Kling task into a job poll result; a success carries what Kling reports it took (pricing.ts `klingUsage`). */
export function klingPollResult(task: KlingTask, model?: string, accountCurrency?: Currency): PollResult {
  switch (task.task_status) {
    case "submitted":
      return { status: "queued", detail: "submitted, waiting for a Kling worker", model };
    case "processing":
      return { status: "running", detail: "processing", model };
    case "failed": {
      const message = task.task_status_msg || "Kling reported the task as failed without a reason";
      const category = MODERATED_TASK.test(message) ? "content_policy" : undefined;
      return { status: "failed", model, error: taskErrorShape("TaskFailed", message, category, task.answerRequestId) };
    }
    case "succeed": {
      const expiresAt = new Date((task.updated_at ?? task.created_at ?? Date.now()) + KLING_RETENTION_MS).toISOString();
      const r = task.task_result ?? {};
      const outs = [...outputs(r.videos, expiresAt), ...outputs(r.images, expiresAt), ...outputs(r.series_images, expiresAt, "series")];
      const seconds = r.videos?.map((v) => v.duration).filter(Boolean);
      const usage = klingUsage(task, accountCurrency);
      return {
        status: "succeeded",
        model,
        outputs: outs,
        ...(seconds?.length ? { detail: `duration ${seconds.join(", ")} s` } : {}),
        ...(usage ? { usage } : {}),
      };
    }
    default:
      return { status: "running", detail: `Kling status "${task.task_status}"`, model };
  }
}

const NO_CANCEL =
  "Kling has no cancel endpoint: the task keeps running and is billed, and its result will be downloaded here when it finishes.";

function driver(client: KlingClient, op: "video" | "image", accountCurrency?: Currency): TaskDriver {
  return {
    vendor: VENDOR_ID,
    op,
    outputKind: op,
    pollIntervalMs: op === "video" ? 8000 : 4000,
    checkHandle(handle) {
      if (handle.x?.s !== "new") familyOf(handle);
    },
    async poll(handle, ctx) {
      try {
        const task =
          handle.x?.s === "new"
            ? await client.getNewTask(handle.task!, { external: handle.x.e === "1", signal: ctx.signal })
            : await client.getTask(familyOf(handle), handle.task!, ctx.signal);
        return klingPollResult(task, handle.model, accountCurrency);
      } catch (err) {
        if (err instanceof AigcError && err.category === "not_found" && handle.x?.e === "1") {
          return {
            status: "failed",
            error: {
              code: "TaskNeverCreated",
              message: `Kling has no task with external_task_id ${handle.task}: the create request never reached Kling, so nothing was billed. Generate again.`,
            },
          };
        }
        // Kling answers an unknown task id with 404 code 1203 (a new-standard lookup with an empty list).
        if (err instanceof AigcError && err.category === "not_found")
          return unknownTaskResult(
            err.code,
            `Kling does not know task ${handle.task}: it was not created with these credentials, or it is past Kling's 30-day retention. Generate again.`,
            err.info.requestId,
          );
        throw err;
      }
    },
    noCancel: NO_CANCEL,
    /**
     * A create whose answer was lost is looked up by the `external_task_id` it was sent under. When
     * Kling cannot be asked now, the job polls by that id (`x.e`): Kling answers it once it can.
     */
    async findLost(query, ctx) {
      const ext = query.facts.k;
      if (!ext) return undefined;
      try {
        const task = await client.lookupExternal(targetOfFacts(query.facts), ext, ctx.signal);
        return task ? { task: task.task_id } : undefined;
      } catch (err) {
        if (err instanceof AigcError && err.category === "cancelled") throw err;
        const why = err instanceof AigcError ? err.code : "error";
        return {
          task: ext,
          x: { e: "1" },
          how: `${KLING} could not be asked for the task (${why}), so the job polls it by the external_task_id it was sent with (${ext}); if Kling never created it, the polls say so`,
        };
      }
    },
  };
}

/** `accountCurrency`: the currency of the charges legacy answers report without one (config.ts `billingCurrency`). */
export const klingDrivers = (client: KlingClient, accountCurrency?: Currency): TaskDriver[] => [
  driver(client, "video", accountCurrency),
  driver(client, "image", accountCurrency),
];

export { KLING };

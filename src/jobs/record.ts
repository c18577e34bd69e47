/** Job records, the JSON kept per job: how one is created, changed, and marked interrupted. */
import type { JobErrorShape, JobHandle, JobRecord, JobStatus, PollResult } from "./types.js";
import { TERMINAL } from "./types.js";
import { endedCost } from "../cost/settle.js";
import { vendorDisplayName } from "../errors.js";
import { callScope } from "../cost/scope.js";
import type { JobOwner } from "./owner.js";

/** The fields that a job's progress may change. */
export type RecordPatch = Partial<
  Pick<JobRecord, "status" | "detail" | "percent" | "model" | "error" | "assets" | "vendor_task_id" | "task_x" | "usage" | "cost">
>;

/**
 * A fresh record for the job `handle` describes, dated from the handle (whole seconds, in the job
 * id) or, more finely, at `createdMs` within the handle's second.
 */
export function newRecord(jobId: string, handle: JobHandle, status: JobStatus, label?: string, createdMs?: number): JobRecord {
  const second = handle.t * 1000;
  return {
    job_id: jobId,
    status,
    vendor: handle.vd,
    op: handle.op,
    ...(handle.model ? { model: handle.model } : {}),
    ...(handle.task ? { vendor_task_id: handle.task } : {}),
    assets: [],
    ...(label ? { label } : {}),
    created_at: new Date(createdMs === undefined ? second : Math.min(Math.max(createdMs, second), second + 999)).toISOString(),
    updated_at: new Date().toISOString(),
  };
}

/**
 * A new record of a job this process (`owner`) runs, with the paid call's cost (its estimate and
 * budget reservation), and the call's scope. Dated to the millisecond: list_jobs lists the jobs of
 * one second newest first too.
 */
export function ownRecord(owner: JobOwner, jobId: string, handle: JobHandle, status: JobStatus, label?: string) {
  const scope = callScope();
  const cost = scope?.cost ? { cost: scope.cost } : {};
  const delivery = scope?.taskDelivery ? { task_delivery: scope.taskDelivery } : {};
  return { scope, record: { ...newRecord(jobId, handle, status, label, Date.now()), owner, handle, ...cost, ...delivery } };
}

/**
 * Returns `record` with `patch` applied and `updated_at` set to now. An undefined field leaves the
 * old value, except `detail`, which it clears. The error is kept only by failed or expired jobs,
 * the owner only by unfinished ones.
 */
export function patchRecord(record: JobRecord, patch: RecordPatch): JobRecord {
  const next: JobRecord = { ...record, updated_at: new Date().toISOString() };
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined) Object.assign(next, { [key]: value });
    else if (key === "detail") delete next.detail;
  }
  if (next.status !== "failed" && next.status !== "expired") delete next.error;
  if (TERMINAL.has(next.status)) delete next.owner;
  return next;
}

/** A job's detail while its outputs are saved: the vendor has answered (a process stopped now leaves a billed call). */
export const DOWNLOADING = "downloading results";
/** How the detail of a job whose outputs the vendor made but this server could not save yet begins (outputs.ts). */
export const FINISHED_AT_VENDOR = "finished at the vendor, but";

/** Whether the vendor has answered the job with its outputs (being saved, or waiting to be saved again): it is billed. */
export const vendorAnswered = (record: JobRecord): boolean =>
  record.detail === DOWNLOADING || record.detail?.startsWith(FINISHED_AT_VENDOR) === true;

/** What to do after an interrupted call: the key that started it answers this failure again. */
const AGAIN =
  "Check the vendor's billing before generating again; use a new idempotency_key if the call had one (the same key answers this failure again).";

/** The error of a synchronous vendor call whose server process stopped before the vendor answered. */
export function interruptedError(vendorId: string): JobErrorShape {
  const vendor = vendorDisplayName(vendorId);
  return {
    code: "Interrupted",
    message: `the server process that ran this synchronous ${vendor} call stopped before the vendor answered; the request had been sent, so it may be billed (it counts against the budget), but nothing was saved`,
    hint: AGAIN,
  };
}

/** The error of a job whose owner process is gone while it ran (as another process finds it). */
export function ownerGoneError(): JobErrorShape {
  return {
    code: "Interrupted",
    message: `the server process running this job stopped before it finished; its request may have reached the vendor and be billed (it counts against the budget), but nothing was saved`,
    hint: AGAIN,
  };
}

/** The error of a synchronous vendor call whose server process stopped while it saved the answer's outputs. */
export function interruptedSavingError(vendorId: string, result?: PollResult): JobErrorShape {
  const vendor = vendorDisplayName(vendorId);
  const urls = (result?.outputs ?? []).flatMap((o) => (o.url ? [o.url] : []));
  return {
    code: "Interrupted",
    message: `the server process stopped while saving the outputs of this synchronous ${vendor} call; ${vendor} answered, so it is billed, but nothing was saved${urls.length ? `. Vendor URL(s), valid for a limited time: ${urls.join(" ")}` : ""}`,
    hint: urls.length ? `Download the outputs from the vendor URL(s) above while they last. ${AGAIN}` : AGAIN,
  };
}

/**
 * `record` failed because the process running its synchronous vendor call stopped before the
 * answer. The request had been sent, so its budget reservation ends spent (apply it with
 * cost/settle.ts applySettlement once the record is saved).
 */
export function interruptedRecord(record: JobRecord): JobRecord {
  const cost = record.cost && !record.cost.settled ? { cost: endedCost(record.cost, record.usage, true) } : {};
  const { owner: _owner, ...ended } = record;
  if (ended.detail === DOWNLOADING) delete ended.detail;
  // Stopped while saving the answer (a long streamed body, or a save the disk or the fetch policy
  // refused): the vendor had answered, so the call is billed; the detail keeps any vendor URLs.
  const error = vendorAnswered(record) ? interruptedSavingError(record.vendor) : interruptedError(record.vendor);
  return { ...ended, ...cost, status: "failed", error, updated_at: new Date().toISOString() };
}

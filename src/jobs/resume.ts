/**
 * Finding again a job this process does not track: its finished record, or a tracker resumed from
 * its record or from the vendor task its id carries. A job the store has no record of is resumed
 * only from a vendor task in its id, and writes no record until the vendor shows the task exists (a
 * forged id leaves nothing behind).
 */
import { applySettlement } from "../cost/settle.js";
import type { MediaStore } from "../media/store.js";
import { unknownJob, unknownVendor } from "./engine-errors.js";
import { parseHandle, parseJobId } from "./handle.js";
import { Followed } from "./kinds/followed.js";
import type { JobKind } from "./kinds/kind.js";
import { Submitting } from "./kinds/submitting.js";
import { VendorTask, type PollTiming } from "./kinds/vendor-task.js";
import { interruptedRecord, newRecord } from "./record.js";
import type { JobStore } from "./store.js";
import type { Tracker } from "./tracker.js";
import { TERMINAL, type JobHandle, type JobRecord, type TaskDriver } from "./types.js";

/** A job by id: driven by a tracker in this process (its record may have ended since), or finished and only stored. */
export type JobLookup = { state: "live"; tracker: Tracker } | { state: "finished"; record: JobRecord };

/** What resuming a job needs of the engine. */
export interface Resuming {
  store: JobStore;
  media: MediaStore;
  timing: PollTiming;
  driverFor(vendor: string, op: string): TaskDriver;
  /** Task ids already attached to a job. */
  takenTasks(): Promise<Set<string>>;
  /** Tracks the job in the engine and starts driving it; `unconfirmed`: it has no record yet. */
  track(handle: JobHandle, record: JobRecord, kind: JobKind, unconfirmed?: boolean): Tracker;
}

/**
 * The job `jobId` as this process finds it now. Throws unknownJob for an id neither the store nor the
 * id itself resolves, and vendorNotConfigured for a vendor this process has no credentials for.
 */
export async function resumeJob(jobId: string, r: Resuming): Promise<JobLookup> {
  const parsed = parseJobId(jobId);
  const stored = await r.store.load(jobId);
  if (stored && TERMINAL.has(stored.status)) return { state: "finished", record: stored };
  const handle = parsed.form === "keyed" ? parseHandle(stored?.handle) : { ...parsed.handle };
  if (!handle) throw (parsed.form === "keyed" && unknownVendor(parsed.vd)) || unknownJob(r.store.where, jobId);
  if (parsed.form === "task" && stored?.model) handle.model = stored.model;
  const owner = stored?.owner;
  const me = r.store.owner();
  const ownerAlive = async () => !!owner && !(owner.pid === me.pid && owner.boot === me.boot) && (await r.store.ownerAlive(owner));
  if (handle.task) {
    const driver = r.driverFor(handle.vd, handle.op);
    // An id alone that the driver could never poll is no job: refused, not made a failed one.
    if (!stored) driver.checkHandle?.(handle);
    const kind = new VendorTask(driver, r.media, r.timing);
    return { state: "live", tracker: r.track(handle, stored ?? { ...newRecord(jobId, handle, "queued"), owner: me }, kind, !stored) };
  }
  if (handle.x?.sub !== undefined) {
    const lookup = () => new Submitting(undefined, r.driverFor(handle.vd, handle.op), r.media, r.timing, () => r.takenTasks());
    // A create sent by another live process that has not answered yet: that process attaches the
    // task; if it dies first, the task is looked up here.
    if (stored && !stored.vendor_task_id && (await ownerAlive()))
      return { state: "live", tracker: r.track(handle, stored, new Followed(r.store, r.timing.trackIdleMs, lookup)) };
    // The task id is in the record, or the sender died before it answered: look the task up.
    const kind = lookup();
    return { state: "live", tracker: r.track(handle, stored ?? { ...newRecord(jobId, handle, "submitting"), owner: me }, kind, !stored) };
  }
  // A synchronous call: only its record says it ever ran.
  if (!stored) throw unknownJob(r.store.where, jobId);
  if (await ownerAlive()) return { state: "live", tracker: r.track(handle, stored, new Followed(r.store, r.timing.trackIdleMs)) };
  // A synchronous call that no live process runs any more cannot be resumed.
  const record = interruptedRecord(stored);
  await r.store.save(record);
  if (record.cost) void applySettlement(r.store.spend, record.cost);
  return { state: "finished", record };
}

/**
 * The trackers one process holds (engine.ts): by job id, by the vendor task they follow (so a
 * vendor's task callback finds its job without a scan of every job), and the latest ended ones,
 * which stay in memory so callers that ask again soon are answered without a store read.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Tracker } from "./tracker.js";

/**
 * Ended jobs kept in memory after their records landed. Beyond these the store answers for them,
 * so a long-running server holds the jobs it follows and this many more, not every job it ran.
 */
export const KEEP_ENDED = 256;

const taskKey = (vendor: string, task: string) => `${vendor}\n${task}`;

export class TrackedJobs {
  private readonly byId = new Map<string, Tracker>();
  /** Trackers created for a known task (the task is in their handle), by vendor and task. */
  private readonly byTask = new Map<string, Set<Tracker>>();
  /**
   * Trackers of a create not answered when they began (`x.sub` in the handle): their task, once
   * known, is in their record. Synchronous calls, which have no task, are in neither.
   */
  private readonly taskless = new Set<Tracker>();
  /** The ids of ended jobs still held, oldest first. */
  private readonly ended = new Set<string>();

  get(jobId: string): Tracker | undefined {
    return this.byId.get(jobId);
  }

  get size(): number {
    return this.byId.size;
  }

  values(): IterableIterator<Tracker> {
    return this.byId.values();
  }

  set(jobId: string, tr: Tracker): void {
    this.delete(jobId);
    this.byId.set(jobId, tr);
    if (tr.handle.task) {
      const key = taskKey(tr.record.vendor, tr.handle.task);
      this.byTask.set(key, (this.byTask.get(key) ?? new Set()).add(tr));
    } else if (tr.handle.x?.sub !== undefined) this.taskless.add(tr);
  }

  delete(jobId: string): void {
    const tr = this.byId.get(jobId);
    if (!tr) return;
    this.byId.delete(jobId);
    this.ended.delete(jobId);
    this.taskless.delete(tr);
    if (!tr.handle.task) return;
    const key = taskKey(tr.record.vendor, tr.handle.task);
    const set = this.byTask.get(key);
    set?.delete(tr);
    if (set?.size === 0) this.byTask.delete(key);
  }

  /** Drops the job's tracker unless it may still write the job's record; false while it may. */
  release(jobId: string): boolean {
    const tr = this.byId.get(jobId);
    if (tr && !tr.retired) return false;
    this.delete(jobId);
    return true;
  }

  /** The unfinished jobs here that follow `vendor`'s task `task`. */
  following(vendor: string, task: string): Tracker[] {
    const out = [...(this.byTask.get(taskKey(vendor, task)) ?? [])];
    for (const tr of this.taskless) if (tr.record.vendor === vendor && tr.record.vendor_task_id === task) out.push(tr);
    return out.filter((tr) => !tr.ended);
  }

  /** Called each time `tr` is found retired (tracker.ts): it counts among the KEEP_ENDED latest, and the oldest beyond them go. */
  retire(tr: Tracker): void {
    const id = tr.record.job_id;
    if (this.byId.get(id) !== tr || !tr.retired) return;
    this.ended.delete(id);
    this.ended.add(id);
    for (const old of this.ended) {
      if (this.ended.size <= KEEP_ENDED) break;
      this.ended.delete(old);
      if (this.byId.get(old)?.retired) this.delete(old);
    }
  }

  /**
   * Resolves once no job that only this process can finish (kind.resumableElsewhere false: a
   * synchronous call, outputs being saved) is still running, or after `ms`.
   */
  async settleHeld(ms: number): Promise<void> {
    const end = Date.now() + ms;
    for (let held = this.held(); held.length && Date.now() < end; held = this.held()) await settledWithin(held, end - Date.now());
  }

  /** Stops every tracker; resolves once their work has stopped, or after `ms`. */
  async stopAll(ms: number): Promise<void> {
    for (const tr of this.byId.values()) tr.stop();
    await settledWithin([...this.byId.values()], ms);
  }

  private held(): Tracker[] {
    return [...this.byId.values()].filter((tr) => tr.running && !tr.ended && !tr.kind.resumableElsewhere());
  }
}

/** Resolves once every one of `trackers` has settled (tracker.ts), or after `ms`. */
async function settledWithin(trackers: Tracker[], ms: number): Promise<void> {
  await Promise.race([Promise.all(trackers.map((tr) => tr.settled())), sleep(Math.max(0, ms), undefined, { ref: false })]);
}

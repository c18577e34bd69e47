/** The trackers one process holds (src/jobs/tracked.ts): which jobs a vendor's task callback reaches. */
import { describe, expect, it } from "vitest";
import { TrackedJobs } from "../../src/jobs/tracked.js";
import type { Tracker } from "../../src/jobs/tracker.js";
import type { JobHandle, JobRecord } from "../../src/jobs/types.js";

/** Just what TrackedJobs reads of a tracker. */
function tracker(id: string, handle: Partial<JobHandle>, record: Partial<JobRecord> = {}): Tracker {
  const full = { job_id: id, vendor: "ark", status: "running", ...record } as JobRecord;
  return {
    handle: { v: 1, vd: "ark", op: "video", t: 0, ...handle },
    record: full,
    get ended() {
      return full.status === "succeeded";
    },
  } as unknown as Tracker;
}

describe("a task callback reaches", () => {
  it("the unfinished jobs created for that task, by vendor", () => {
    const jobs = new TrackedJobs();
    const a = tracker("a", { task: "cgt-1" });
    const done = tracker("b", { task: "cgt-1" }, { status: "succeeded" });
    const other = tracker("c", { task: "cgt-1", vd: "kling" }, { vendor: "kling" });
    for (const t of [a, done, other]) jobs.set(t.record.job_id, t);
    expect(jobs.following("ark", "cgt-1")).toEqual([a]);
    expect(jobs.following("kling", "cgt-1")).toEqual([other]);
    jobs.delete("a");
    expect(jobs.following("ark", "cgt-1")).toEqual([]);
  });

  it("a job whose create had not answered when it began, once its record names the task", () => {
    const jobs = new TrackedJobs();
    const submitting = tracker("s", { x: { sub: "1" } });
    jobs.set("s", submitting);
    expect(jobs.following("ark", "cgt-2")).toEqual([]);
    submitting.record.vendor_task_id = "cgt-2";
    expect(jobs.following("ark", "cgt-2")).toEqual([submitting]);
  });

  it("never a synchronous call, which has no vendor task (so a callback does not look through them)", () => {
    const jobs = new TrackedJobs();
    jobs.set("l", tracker("l", { lid: "x" }, { vendor_task_id: "cgt-3" }));
    expect(jobs.following("ark", "cgt-3")).toEqual([]);
  });
});

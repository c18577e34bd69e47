/** The error of a call whose job may be billed but whose record could not be written (job-engine helpers). */
import { AigcError } from "../errors.js";
import { log } from "../log.js";
import type { JobStore } from "./store.js";

/** The call's error when the record of a job that may be billed could not be written. */
export function lostRecord(err: unknown, vendor: string, task: string | undefined, jobId: string): AigcError {
  const why = err instanceof Error ? err.message : String(err);
  return new AigcError(
    {
      category: "local",
      code: err instanceof AigcError ? err.code : "JobStoreUnavailable",
      vendor,
      message: `the ${vendor} task ${task ? `${task} ` : ""}was sent and may be billed, but the record of its job ${jobId} could not be written: ${why}`,
      // Counted as spent, and its idempotency_key kept: a repeat must not send it again (cost-guard.ts).
      sent: true,
      hint: task
        ? `Fix the job store (AIGC_MCP_REDIS_URL or the output folder), then call wait_for_job with job_id ${jobId}: this server keeps tracking the task and saves its outputs. Do not generate again.`
        : `Fix the job store (AIGC_MCP_REDIS_URL or the output folder), then call wait_for_job with job_id ${jobId}: this server keeps tracking the create. Do not generate again.`,
    },
    { cause: err },
  );
}

/**
 * For a record written before anything was sent, whose write failed: the write may still land (a
 * Redis that stalled runs it later) and leave a job that looks sent. It is removed in the background
 * (after the write, on the same connection); the error goes on to the caller.
 */
export function unsave(store: JobStore, jobId: string): (err: unknown) => never {
  return (err) => {
    void store.remove(jobId).catch((e: unknown) => log.warn("could not remove a job record whose write failed", { error: String(e) }));
    throw err;
  };
}

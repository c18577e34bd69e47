/** The error of a call whose job may be billed but whose record could not be written (job-engine helper). */
import { AigcError } from "../errors.js";

/** The call's error when the record of a job that may be billed could not be written. */
export function lostRecord(err: unknown, vendor: string, task: string | undefined, jobId: string): AigcError {
  const why = err instanceof Error ? err.message : String(err);
  return new AigcError(
    {
      category: "local",
      code: err instanceof AigcError ? err.code : "JobStoreUnavailable",
      vendor,
      message: `the ${vendor} task ${task ? `${task} ` : ""}was sent and may be billed, but the record of its job ${jobId} could not be written: ${why}`,
      hint: task
        ? `Fix the job store (AIGC_MCP_REDIS_URL or the output folder), then call wait_for_job with job_id ${jobId}: this server keeps tracking the task and saves its outputs. Do not generate again.`
        : `Fix the job store (AIGC_MCP_REDIS_URL or the output folder), then call wait_for_job with job_id ${jobId}: this server keeps tracking the create. Do not generate again.`,
    },
    { cause: err },
  );
}

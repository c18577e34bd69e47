/** The handle behind a job id: in the id itself (task form, old ids), or in its job record (keyed ids). */
import { parseJobId } from "../../src/jobs/handle.js";
import type { JobHandle } from "../../src/jobs/types.js";
import type { Harness } from "./harness.js";

export async function handleOf(h: Harness, jobId: string): Promise<JobHandle> {
  const parsed = parseJobId(jobId);
  if (parsed.form !== "keyed") return parsed.handle;
  const handle = (await h.app.jobs.store.load(jobId))?.handle;
  if (!handle) throw new Error(`no job record with a handle for ${jobId}`);
  return handle;
}

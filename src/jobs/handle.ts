/**
 * Job ids are self-describing: `job_` + base64url(JSON handle). Any server process with the same
 * credentials can decode one and resume polling the vendor task; nothing depends on the MCP session.
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { inputError } from "../errors.js";
import type { JobHandle } from "./types.js";

const PREFIX = "job_";

const handleSchema = z.object({
  v: z.literal(1),
  vd: z.string().regex(/^[a-z0-9_-]{1,32}$/),
  op: z.string().regex(/^[a-z0-9_.-]{1,48}$/),
  task: z.string().min(1).max(256).optional(),
  model: z.string().max(128).optional(),
  x: z.record(z.string(), z.string().max(512)).optional(),
  lid: z.string().max(64).optional(),
  t: z.number().int(),
});

/** The job id for `handle`: `job_` + base64url(JSON). */
export function encodeJobId(handle: JobHandle): string {
  return PREFIX + Buffer.from(JSON.stringify(handle)).toString("base64url");
}

/** The handle inside a job id; anything else is refused with an error naming the `job_id` field. */
export function decodeJobId(jobId: string): JobHandle {
  const bad = () =>
    inputError(
      "job_id",
      `"${jobId.slice(0, 80)}" is not a job id from this server (they start with "${PREFIX}"; list_jobs shows recent ones)`,
    );
  if (!jobId.startsWith(PREFIX)) throw bad();
  try {
    const json: unknown = JSON.parse(Buffer.from(jobId.slice(PREFIX.length), "base64url").toString("utf8"));
    const parsed = handleSchema.safeParse(json);
    if (!parsed.success) throw bad();
    return parsed.data;
  } catch {
    throw bad();
  }
}

/** A handle for a synchronous call run by this process, told apart by a random local id. */
export function newLocalHandle(vendor: string, op: string, model?: string): JobHandle {
  return { v: 1, vd: vendor, op, ...(model ? { model } : {}), lid: randomBytes(6).toString("hex"), t: Math.floor(Date.now() / 1000) };
}

/**
 * A handle for a vendor task whose create has not answered yet: `x.sub` marks it, `x` also keeps the
 * request facts that find the task again if the answer is lost. The task id goes into the job record.
 */
export function newSubmitHandle(vendor: string, op: string, model?: string, facts: Record<string, string> = {}): JobHandle {
  return { ...newLocalHandle(vendor, op, model), x: { ...facts, sub: String(Date.now()) } };
}

/** A handle for vendor task `task`, with whatever facts (`x`) its driver needs to poll it. */
export function newTaskHandle(vendor: string, op: string, task: string, model?: string, x?: Record<string, string>): JobHandle {
  return { v: 1, vd: vendor, op, task, ...(model ? { model } : {}), ...(x ? { x } : {}), t: Math.floor(Date.now() / 1000) };
}

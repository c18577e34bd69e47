/**
 * Job ids. A handle (types.ts) holds everything needed to find a job again; the id a caller gets
 * is at most 64 URL-safe characters (`[A-Za-z0-9._-]`) in one of two forms:
 *
 * - task form `t.<vendor>.<op>.<created, base36 seconds>.<vendor task id>`: used when the handle is
 *   nothing more than that (no driver facts `x`, a task id of `[A-Za-z0-9_-]` and the whole id
 *   fits). Any process with the vendor's credentials resumes it from the id alone, even with no
 *   job record.
 * - keyed form `k.<vendor>.<op>.<created, base36 seconds>.<random key>`: everything else (a
 *   synchronous call, a create not answered yet, a task that needs driver facts such as Kling's
 *   endpoint family or Jimeng's req_key). The handle is kept in the job record (`handle`), so it
 *   resumes in any process that shares the job store (the same output folder, or the same Redis).
 *
 * Ids minted by releases up to 0.1.x, `job_` + base64url(JSON handle), still decode and resume.
 * Decoding tries the new forms, then the old one.
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { inputError } from "../errors.js";
import type { JobHandle } from "./types.js";

const LEGACY_PREFIX = "job_";
/** The longest id this server mints. */
export const MAX_NEW_JOB_ID = 64;

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

/** Checks a handle read back from a job record (the keyed form keeps it there). */
export function parseHandle(value: unknown): JobHandle | undefined {
  const parsed = handleSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** What a job id says by itself: the whole handle (task form, old ids), or only where to look it up (keyed form). */
export type ParsedJobId = { form: "task" | "legacy"; handle: JobHandle } | { form: "keyed"; vd: string; op: string; t: number };

const SEGMENT = /^[a-z0-9_-]+$/;
const TASK = /^[A-Za-z0-9_-]+$/;
const KEY = /^[A-Za-z0-9_-]{8,32}$/;

/**
 * The id for `handle`: the task form when it carries the whole handle, else the keyed form (whose
 * handle the caller must store in the job record as `handle`). `keyed` tells which.
 */
export function mintJobId(handle: JobHandle): { jobId: string; keyed: boolean } {
  const t = Math.max(0, handle.t).toString(36);
  if (handle.task && !handle.x && !handle.lid && SEGMENT.test(handle.op) && TASK.test(handle.task)) {
    const jobId = `t.${handle.vd}.${handle.op}.${t}.${handle.task}`;
    if (jobId.length <= MAX_NEW_JOB_ID) return { jobId, keyed: false };
  }
  const key = randomBytes(12).toString("base64url");
  // The vendor and op only make the id readable (the record has the handle): shortened to fit.
  const room = MAX_NEW_JOB_ID - `k...${t}.${key}`.length;
  const vd = handle.vd.slice(0, Math.max(1, Math.min(handle.vd.length, room - 1)));
  const op = (SEGMENT.test(handle.op) ? handle.op : handle.op.replace(/[^a-z0-9_-]/g, "-")).slice(0, Math.max(1, room - vd.length));
  return { jobId: `k.${vd}.${op}.${t}.${key}`, keyed: true };
}

/** The old self-describing id (`job_` + base64url(JSON)): still decoded; kept for tests of old ids. */
export function encodeLegacyJobId(handle: JobHandle): string {
  return LEGACY_PREFIX + Buffer.from(JSON.stringify(handle)).toString("base64url");
}

/** What a job id says; anything that is not one is refused with an error naming the `job_id` field. */
export function parseJobId(jobId: string): ParsedJobId {
  const bad = () =>
    inputError(
      "job_id",
      `"${jobId.slice(0, 80)}" is not a job id from this server (they look like "t.ark.video.…" or "k.kling.video.…"; list_jobs shows recent ones)`,
    );
  const parts = jobId.split(".");
  if (parts.length === 5 && (parts[0] === "t" || parts[0] === "k") && jobId.length <= MAX_NEW_JOB_ID) {
    const [form, vd, op, t36, rest] = parts as [string, string, string, string, string];
    const t = parseInt(t36, 36);
    if (!SEGMENT.test(vd) || !SEGMENT.test(op) || !/^[0-9a-z]{1,8}$/.test(t36) || !Number.isSafeInteger(t)) throw bad();
    if (form === "t" && TASK.test(rest)) return { form: "task", handle: { v: 1, vd, op, task: rest, t } };
    if (form === "k" && KEY.test(rest)) return { form: "keyed", vd, op, t };
    throw bad();
  }
  if (!jobId.startsWith(LEGACY_PREFIX)) throw bad();
  try {
    const json: unknown = JSON.parse(Buffer.from(jobId.slice(LEGACY_PREFIX.length), "base64url").toString("utf8"));
    const handle = parseHandle(json);
    if (!handle) throw bad();
    return { form: "legacy", handle };
  } catch {
    throw bad();
  }
}

/**
 * The handle a job id describes by itself (task form, old ids). A keyed id's handle is in its job
 * record: this throws for one (the engine reads the record; see JobEngine.handleOf).
 */
export function decodeJobId(jobId: string): JobHandle {
  const parsed = parseJobId(jobId);
  if (parsed.form === "keyed") throw inputError("job_id", "is a keyed job id: its handle is in the job record, not in the id");
  return parsed.handle;
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

/** The job tools shared by every vendor: get_job, wait_for_job, cancel_job, list_jobs. */
import { z } from "zod";
import { idText, quietRange } from "./bounds.js";
import type { CoreConfig } from "../config.js";
import type { AppContext } from "../context.js";
import { inputError } from "../errors.js";
import { WaitBudget } from "../jobs/budget.js";
import { JOB_STATUSES, TERMINAL } from "../jobs/types.js";
import { defineTool, type ToolContext, type ToolDef } from "./define.js";
import type { RenderedAsset } from "./delivery.js";
import { jobResultShape, renderJob, structuredJob, withFileStates, type JobView } from "./job-result.js";
import { assetMarks, progressLine } from "./job-words.js";
import { clip } from "../log.js";
import { asPlace, cursorText, cursorValue, jobsAfter, placeOf, type JobsPlace } from "../jobs/pages.js";

/** Longest job id accepted (ids carry the vendor task id and model, a few hundred characters at most). */
export const MAX_JOB_ID = 2048;
const jobId = idText(MAX_JOB_ID).min(1);

/** list_jobs: the jobs it pages through, and the bytes one result may take (Claude Desktop refuses results over 1 MiB). */
export const LIST_JOBS_SCAN = 1000;
export const LIST_JOBS_MAX_RESULT_BYTES = 900_000;
const CLIP = 1000;
/** How long cancel_job waits for a task it found already done to be saved (a poll interval, up to Kling's 8 s, and the download). */
const DONE_TASK_WAIT_MS = 15_000;

/** A list_jobs cursor: where the last page ended (jobs/pages.ts) and the status filter it was made for. */
interface Cursor extends JobsPlace {
  s?: string;
}

function decodeCursor(cursor: string, status: string | undefined): Cursor {
  const c = cursorValue(cursor);
  const place = asPlace(c);
  if (!place) throw inputError("cursor", "is not a cursor from list_jobs; pass next_cursor from the previous result exactly, or omit it");
  if (c?.s !== status) throw inputError("cursor", "was made for another status filter; repeat the same status, or omit cursor");
  return { ...place, ...(status ? { s: status } : {}) };
}

/** Strings other than the job id shortened for a listing (get_job shows a job in full). */
function clipStrings(value: unknown): unknown {
  // Redacted before it is cut: a cut through a secret would leave its first part unredactable.
  if (typeof value === "string") return value.length > CLIP ? `${clip(value, CLIP + 1)} (${value.length} characters)` : value;
  if (Array.isArray(value)) return value.map(clipStrings);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clipStrings(v)]));
  return value;
}

function listEntry(r: JobView): { item: Record<string, unknown>; line: string } {
  const item = {
    ...(clipStrings({ ...structuredJob(r), ...(r.label ? { label: r.label } : {}) }) as Record<string, unknown>),
    job_id: r.job_id,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
  const label = r.label ? ` "${clipStrings(r.label) as string}"` : "";
  const file = (a: RenderedAsset) => {
    const marks = assetMarks(a);
    return `${clipStrings(a.path ?? a.uri) as string}${marks.length ? ` (${marks.join(", ")})` : ""}`;
  };
  const files = r.assets.length ? ` → ${r.assets.map(file).join(", ")}` : "";
  const line =
    `- ${r.created_at} ${r.vendor} ${r.op} ${r.status}${label}${files}\n  job_id: ${r.job_id}` +
    (TERMINAL.has(r.status) ? "" : " (call wait_for_job)");
  return { item, line };
}

/**
 * `wait_seconds`, on every tool that runs as a job (and kling_create_element, which makes none:
 * `longer` then says how to follow what the wait did not see end). No description: the name and
 * range say it, and the server instructions say what happens when it runs out, with the default
 * (the tool list goes with every model request, issue 12 item 16).
 */
export function waitSecondsSchema(config: CoreConfig, longer = "wait_for_job waits on a job again for longer") {
  return quietRange(z.number().int(), 0, config.maxWaitS, false, `this server's longest wait (AIGC_MCP_MAX_WAIT_S); ${longer}`).optional();
}

/** Waits on a job within the caller's budget, reporting progress, and renders the result. */
export async function waitAndRender(ctx: ToolContext, id: string, wait: number | undefined | WaitBudget, originating = false) {
  const { record, waited } = await waitOnJob(ctx, id, wait, originating);
  return renderJob(record, ctx.app, ctx.delivery, { waited, stopped: ctx.app.jobs.stoppedShort(record.job_id) });
}

/** Waits on job `id` within `wait` (seconds, or a call's budget), reporting its progress; `waited` says whether it had any time. */
export async function waitOnJob(ctx: ToolContext, id: string, wait: number | undefined | WaitBudget, originating = false) {
  const budgetMs = wait instanceof WaitBudget ? wait.remainingMs() : (wait ?? ctx.app.config.defaultWaitS) * 1000;
  ctx.progress(originating ? "job started" : "checking job");
  const record = await ctx.app.jobs.wait(id, {
    budgetMs,
    signal: ctx.signal,
    originating,
    onProgress: (r) => ctx.progress(progressLine(r), r.percent),
  });
  return { record, waited: budgetMs > 0 };
}

export function jobTools(app: AppContext): ToolDef[] {
  const readOnly = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true };
  return [
    defineTool({
      name: "get_job",
      title: "Get job status",
      description: "A job's status now, and its files once it succeeded (any session or earlier run). Free.",
      input: { job_id: jobId },
      output: jobResultShape,
      annotations: readOnly,
      run: (args, ctx) => waitAndRender(ctx, args.job_id, 0),
    }),
    defineTool({
      name: "wait_for_job",
      title: "Wait for a job",
      description: "Waits up to wait_seconds for a job to finish: its files, or its status if still running (call again). Free.",
      input: { job_id: jobId, wait_seconds: waitSecondsSchema(app.config) },
      output: jobResultShape,
      annotations: readOnly,
      run: (args, ctx) => waitAndRender(ctx, args.job_id, args.wait_seconds),
    }),
    defineTool({
      name: "cancel_job",
      title: "Cancel a job",
      description: "Asks the vendor to cancel a job (some cancel only queued tasks, some none); says what happened. Free.",
      input: { job_id: jobId },
      output: { ...jobResultShape, cancelled: z.boolean(), message: z.string() },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
      run: async (args, ctx) => {
        const cancel = await ctx.app.jobs.cancel(args.job_id, ctx.signal);
        const { outcome } = cancel;
        let { record } = cancel;
        // A task found done (or unknown to the vendor) is settled by the job's next poll: waited for
        // briefly, so the answer says one thing (succeeded with its files, or expired as get_job says).
        if (!outcome.cancelled && outcome.status && TERMINAL.has(outcome.status) && !TERMINAL.has(record.status))
          record = await ctx.app.jobs.wait(args.job_id, { budgetMs: DONE_TASK_WAIT_MS, signal: ctx.signal });
        const rendered = await renderJob(record, ctx.app, ctx.delivery, { lead: outcome.message, waited: false, failureIsError: false });
        rendered.structuredContent = { ...rendered.structuredContent, cancelled: outcome.cancelled, message: outcome.message };
        return rendered;
      },
    }),
    defineTool({
      name: "list_jobs",
      title: "List recent jobs",
      description: "Lists recent jobs, newest first, of any session or earlier run, with status and files. Free.",
      input: {
        limit: z.number().int().min(1).max(100).optional().describe("default 20"),
        status: z.enum(JOB_STATUSES).optional(),
        // a place is a job id (at most MAX_JOB_ID characters) and a time, in base64url JSON
        cursor: idText(4096).optional(),
      },
      output: {
        jobs: z.array(z.object({ ...jobResultShape, label: z.string().optional(), created_at: z.string(), updated_at: z.string() })),
        next_cursor: z.string().optional().describe("pass as cursor to get the next (older) page; absent on the last page"),
      },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      run: async (args, ctx) => {
        const limit = args.limit ?? 20;
        const all = await ctx.app.jobs.list(LIST_JOBS_SCAN);
        const listed = all.filter((r) => !args.status || r.status === args.status);
        const rest = jobsAfter(listed, args.cursor ? decodeCursor(args.cursor, args.status) : undefined);
        const jobs: Array<Record<string, unknown>> = [];
        const lines: string[] = [];
        let bytes = 0;
        let skipped = 0;
        let given = 0;
        // Each listed file as it is now (one lstat each), as get_job shows it.
        for (const r of await Promise.all(rest.slice(0, limit).map((r) => withFileStates(r, ctx.app.media)))) {
          const { item, line } = listEntry(r);
          const size = Buffer.byteLength(JSON.stringify(item)) + Buffer.byteLength(line) + 2;
          if (size > LIST_JOBS_MAX_RESULT_BYTES / 4) {
            skipped++; // a record from before ids were bounded: too large to list
            given++;
            continue;
          }
          if (bytes + size > LIST_JOBS_MAX_RESULT_BYTES) break;
          bytes += size;
          jobs.push(item);
          lines.push(line);
          given++;
        }
        const last = rest[given - 1];
        const nextCursor =
          last && given < rest.length ? cursorText({ ...placeOf(last), ...(args.status ? { s: args.status } : {}) }) : undefined;
        const head = jobs.length ? `${jobs.length} job(s):\n${lines.join("\n")}` : noJobs(args.status, !!args.cursor, all.length);
        const tail = [
          skipped ? `${skipped} job record(s) too large to list were left out.` : "",
          nextCursor ? `More jobs: call list_jobs with cursor "${nextCursor}".` : "",
        ].filter(Boolean);
        return {
          content: [{ type: "text", text: [head, ...tail].join("\n") }],
          structuredContent: { jobs, ...(nextCursor ? { next_cursor: nextCursor } : {}) },
        };
      },
    }),
  ];
}

/** What an empty page of list_jobs says: a status filter that matches nothing is not an empty history. */
function noJobs(status: string | undefined, paged: boolean, scanned: number): string {
  const which = status ? ` with status "${status}"` : "";
  if (paged) return `No more jobs${which}.`;
  if (!scanned) return "No jobs yet.";
  return `No jobs${which} among the ${scanned} newest (call list_jobs without status to see them).`;
}

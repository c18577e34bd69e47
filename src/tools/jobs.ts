/** The job tools shared by every vendor: get_job, wait_for_job, cancel_job, list_jobs. */
import { z } from "zod";
import type { CoreConfig } from "../config.js";
import type { AppContext } from "../context.js";
import { JOB_STATUSES, TERMINAL } from "../jobs/types.js";
import { defineTool, type ToolContext, type ToolDef } from "./define.js";
import { jobResultShape, progressLine, renderJob, structuredJob } from "./job-result.js";

const jobId = z.string().min(1).describe("the job_id returned by a generation tool or list_jobs");

export function waitSecondsSchema(config: CoreConfig) {
  const { defaultWaitS, maxWaitS } = config;
  return z
    .number()
    .int()
    .min(0)
    .max(maxWaitS)
    .optional()
    .describe(
      `seconds to wait for the result before returning a job handle (0-${maxWaitS}, default ${defaultWaitS}; keep it under your client's tool timeout, often 60 s)`,
    );
}

/** Waits on a job within the caller's budget, reporting progress, and renders the result. */
export async function waitAndRender(ctx: ToolContext, id: string, waitSeconds: number | undefined, originating = false) {
  const budgetMs = (waitSeconds ?? ctx.app.config.defaultWaitS) * 1000;
  ctx.progress(originating ? "job started" : "checking job");
  const record = await ctx.app.jobs.wait(id, {
    budgetMs,
    signal: ctx.signal,
    abortLocalOnCancel: originating,
    onProgress: (r) => ctx.progress(progressLine(r), r.percent),
  });
  return renderJob(record, ctx.app);
}

export function jobTools(app: AppContext): ToolDef[] {
  const readOnly = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true };
  return [
    defineTool({
      name: "get_job",
      title: "Get job status",
      description:
        "Returns the current status of a generation job without waiting, and its files when it has succeeded. Works for jobs started in any session or by an earlier run of this server. Free: it only reads the vendor's task status.",
      input: { job_id: jobId },
      output: jobResultShape,
      annotations: readOnly,
      run: (args, ctx) => waitAndRender(ctx, args.job_id, 0),
    }),
    defineTool({
      name: "wait_for_job",
      title: "Wait for a job",
      description:
        "Waits up to wait_seconds for a generation job to finish, sending progress notifications, then returns its files (or its current status if still running; call again to keep waiting). Use this after a generation tool returned status queued or running. Free: it only reads the vendor's task status.",
      input: { job_id: jobId, wait_seconds: waitSecondsSchema(app.config) },
      output: jobResultShape,
      annotations: readOnly,
      run: (args, ctx) => waitAndRender(ctx, args.job_id, args.wait_seconds),
    }),
    defineTool({
      name: "cancel_job",
      title: "Cancel a job",
      description:
        "Asks the vendor to cancel a generation job. Some vendors can only cancel queued tasks and some cannot cancel at all; the answer says plainly what happened. A job that already finished is left alone.",
      input: { job_id: jobId },
      output: { ...jobResultShape, cancelled: z.boolean(), message: z.string() },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
      run: async (args, ctx) => {
        const { record, outcome } = await ctx.app.jobs.cancel(args.job_id, ctx.signal);
        const rendered = await renderJob(record, ctx.app, outcome.message);
        rendered.structuredContent = { ...structuredJob(record), cancelled: outcome.cancelled, message: outcome.message };
        delete rendered.isError;
        return rendered;
      },
    }),
    defineTool({
      name: "list_jobs",
      title: "List recent jobs",
      description:
        "Lists recent generation jobs this server knows (newest first), including ones started by other sessions or before a restart, with their status and saved files. Use it to find a job_id you lost.",
      input: {
        limit: z.number().int().min(1).max(100).optional().describe("how many jobs (1-100, default 20)"),
        status: z.enum(JOB_STATUSES).optional().describe("only jobs in this status"),
      },
      output: {
        jobs: z.array(z.object({ ...jobResultShape, label: z.string().optional(), created_at: z.string(), updated_at: z.string() })),
      },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      run: async (args, ctx) => {
        const records = (await ctx.app.jobs.list(200)).filter((r) => !args.status || r.status === args.status).slice(0, args.limit ?? 20);
        const jobs = records.map((r) => ({
          ...structuredJob(r),
          ...(r.label ? { label: r.label } : {}),
          created_at: r.created_at,
          updated_at: r.updated_at,
        }));
        const lines = records.map(
          (r) =>
            `- ${r.created_at} ${r.vendor} ${r.op} ${r.status}${r.label ? ` "${r.label}"` : ""}${r.assets.length ? ` → ${r.assets.map((a) => a.path ?? a.uri).join(", ")}` : ""}\n  job_id: ${r.job_id}` +
            (TERMINAL.has(r.status) ? "" : " (call wait_for_job)"),
        );
        return {
          content: [{ type: "text", text: records.length ? `${records.length} job(s):\n${lines.join("\n")}` : "No jobs yet." }],
          structuredContent: { jobs },
        };
      },
    }),
  ];
}

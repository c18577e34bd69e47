/** Pieces shared by the Jimeng tools: delivery-option schemas and the async/sync job starters. */
import { z } from "zod";
import { idText } from "../bounds.js";
import type { TaskDriver } from "../../jobs/types.js";
import { withRateLimitBackoff, type TaskFamily, type VisualClient } from "../../vendors/visual/client.js";
import { LOGO_LANGUAGES, LOGO_POSITIONS } from "../../vendors/visual/requests.js";
import { VENDOR_ID } from "../../vendors/visual/config.js";
import type { VisualMode } from "../../vendors/visual/catalog.js";
import { familyFacts, OP_KIND, visualResult, type VisualOp } from "../../vendors/visual/tasks.js";
import type { ToolContext } from "../define.js";
import { waitAndRender } from "../jobs.js";

export const MB = 1024 * 1024;
export const JPEG_PNG = ["image/jpeg", "image/png"];

export const logoSchema = z
  .object({
    add: z.boolean(),
    position: z.enum(LOGO_POSITIONS).optional(),
    language: z.enum(LOGO_LANGUAGES).optional(),
    opacity: z.number().min(0).max(1).optional(),
    text: z.string().min(1).max(50).optional(),
  })
  .optional()
  .describe("visible AI mark");

export const aigcMetaSchema = z
  .object({
    producer_id: idText(100).min(1),
    content_producer: z.string().min(1).max(100).optional(),
    content_propagator: z.string().min(1).max(100).optional(),
    propagate_id: idText(100).min(1).optional(),
  })
  .optional()
  .describe("AIGC label metadata");

/**
 * Submits a task of the given action family (default CVSync2Async; retrying 50429/50430 rejections,
 * which are not billed, within the caller's wait budget) and waits for it with what is left of the
 * budget. The job id records the req_key, req_json and family, so any process can poll it.
 */
export async function runAsync(
  ctx: ToolContext,
  client: VisualClient,
  job: {
    op: VisualOp;
    reqKey: string;
    body: Record<string, unknown>;
    reqJson?: string;
    label: string;
    waitSeconds?: number;
    family?: TaskFamily;
  },
) {
  const budget = ctx.budget(job.waitSeconds);
  ctx.progress(`submitting ${job.reqKey}`);
  const jobId = await ctx.app.jobs.startTask({
    loads: ctx.limits.loads,
    vendor: VENDOR_ID,
    op: job.op,
    model: job.reqKey,
    label: job.label.slice(0, 80),
    budget,
    signal: ctx.signal,
    submit: async (signal) => ({
      task: await withRateLimitBackoff(() => client.submit(job.body, signal, job.family), {
        deadlineMs: budget.deadlineMs,
        signal,
        onRetry: (m) => ctx.progress(m),
      }),
      model: job.reqKey,
      x: { rk: job.reqKey, ...(job.reqJson ? { rj: job.reqJson } : {}), ...familyFacts(job.family ?? "sync2async") },
    }),
  });
  return waitAndRender(ctx, jobId, budget, true);
}

/** Runs a synchronous CVProcess call as a job of this process. */
export async function runSync(
  ctx: ToolContext,
  client: VisualClient,
  job: { op: string; reqKey: string; body: Record<string, unknown>; label: string; waitSeconds?: number; kind: TaskDriver["outputKind"] },
) {
  const budget = ctx.budget(job.waitSeconds);
  const onRetry = (m: string) => ctx.progress(m);
  const jobId = await ctx.app.jobs.startLocal({
    loads: ctx.limits.loads,
    vendor: VENDOR_ID,
    op: job.op,
    model: job.reqKey,
    label: job.label.slice(0, 80),
    outputKind: job.kind,
    run: async (signal, answered) =>
      visualResult(
        await withRateLimitBackoff(() => client.process(job.body, signal, answered), { deadlineMs: budget.deadlineMs, signal, onRetry }),
      ),
  });
  return waitAndRender(ctx, jobId, budget, true);
}

/** Runs a call the way its req_key is called: CVProcess as a local job, or a task of the route's action family. */
export function runRouted(
  ctx: ToolContext,
  client: VisualClient,
  route: VisualMode,
  job: {
    op: VisualOp;
    syncOp?: string;
    reqKey: string;
    body: Record<string, unknown>;
    reqJson?: string;
    label: string;
    waitSeconds?: number;
  },
) {
  if (route === "sync") return runSync(ctx, client, { ...job, op: job.syncOp ?? job.op, kind: OP_KIND[job.op] });
  return runAsync(ctx, client, { ...job, family: route === "submit_task" ? "task" : "sync2async" });
}

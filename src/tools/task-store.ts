/**
 * MCP tasks (2025-11-25, experimental) over the server's jobs: each task is a job, so a task works
 * wherever its job does (any process or replica sharing the job store, after a restart) and lives
 * as long as its record (AIGC_MCP_JOB_RETENTION_DAYS). The task id is the job id, prefixed with the
 * call's `delivery` when it gave one (`link:t.ark.video.…`), so `tasks/result` answers as the call
 * asked on any replica. Tasks, like jobs, belong to the server, not to a session: whoever may call
 * the server (its AIGC_MCP_AUTH_TOKEN over HTTP) may read them, as with get_job and list_jobs.
 */
import type { TaskStore } from "@modelcontextprotocol/sdk/experimental/tasks/interfaces.js";
import { ErrorCode, type Result, type Task } from "@modelcontextprotocol/sdk/types.js";
import { DELIVERY_MODES, type DeliveryMode } from "../config.js";
import type { AppContext } from "../context.js";
import { AigcError, describeError } from "../errors.js";
import { TERMINAL, type JobRecord } from "../jobs/types.js";
import { progressLine, renderJob } from "./job-result.js";
import { LIST_JOBS_SCAN } from "./jobs.js";
import { finishResult } from "./define.js";
import { redact } from "../log.js";

const DAY_MS = 86_400_000;

/**
 * A JSON-RPC error whose message is `message` as it is: an McpError's own message starts "MCP error
 * <code>:", which the client's McpError adds again.
 */
export function rpcError(code: ErrorCode, message: string): Error {
  return Object.assign(new Error(message), { code });
}
/** How often a client is asked to look at a running task (tasks/get reads the job, and resumes it when no process follows it). */
export const TASK_POLL_INTERVAL_MS = 2000;
/** Tasks per tasks/list page. */
export const TASKS_PAGE = 50;
/** How long one look at a job's record may take (a job store that does not answer). */
const LOOKUP_MS = 30_000;

/** The task id of a job: its id, after the call's delivery when it named one. */
export function taskIdOf(jobId: string, delivery?: DeliveryMode): string {
  return delivery ? `${delivery}:${jobId}` : jobId;
}

/** The job and delivery a task id stands for (job ids never start with a delivery mode and a colon). */
export function parseTaskId(taskId: string): { jobId: string; delivery?: DeliveryMode } {
  const colon = taskId.indexOf(":");
  const mode = taskId.slice(0, colon) as DeliveryMode;
  return colon > 0 && DELIVERY_MODES.includes(mode) ? { jobId: taskId.slice(colon + 1), delivery: mode } : { jobId: taskId };
}

/** A job as a task: submitting, queued and running are `working`; expired is `failed`. */
export function taskOf(record: JobRecord, taskId: string, ttlMs: number): Task {
  const status =
    record.status === "succeeded"
      ? "completed"
      : record.status === "cancelled"
        ? "cancelled"
        : TERMINAL.has(record.status)
          ? "failed"
          : "working";
  const message = record.error ? `${record.status}: ${record.error.code}: ${record.error.message}` : progressLine(record);
  return {
    taskId,
    status,
    statusMessage: redact(message).slice(0, 500),
    createdAt: record.created_at,
    lastUpdatedAt: record.updated_at,
    ttl: ttlMs,
    ...(status === "working" ? { pollInterval: TASK_POLL_INTERVAL_MS } : {}),
  };
}

/** A job id that is not one, or names no job this server can find: "task not found" (-32602), not a failure. */
function notAJob(err: unknown): boolean {
  return err instanceof AigcError && (err.category === "invalid_input" || err.category === "not_found");
}

export class JobTaskStore implements TaskStore {
  constructor(private readonly app: AppContext) {}

  /** Every task lives as long as its job's record: from its creation, at least the retention. */
  get ttlMs(): number {
    return this.app.config.jobRetentionDays * DAY_MS;
  }

  /** The task's job record as it is now (a job no process follows is resumed, as get_job does); undefined when there is no such job. */
  async lookup(
    taskId: string,
    signal = AbortSignal.timeout(LOOKUP_MS),
  ): Promise<{ record: JobRecord; delivery?: DeliveryMode } | undefined> {
    const { jobId, delivery } = parseTaskId(taskId);
    try {
      return { record: await this.app.jobs.wait(jobId, { budgetMs: 0, signal }), ...(delivery ? { delivery } : {}) };
    } catch (err) {
      if (notAJob(err)) return undefined;
      throw rpcError(ErrorCode.InternalError, redact(describeError(err)));
    }
  }

  async getTask(taskId: string): Promise<Task | null> {
    const found = await this.lookup(taskId);
    return found ? taskOf(found.record, taskId, this.ttlMs) : null;
  }

  /** What get_job answers for the job, in the delivery the call asked for. */
  async getTaskResult(taskId: string): Promise<Result> {
    const found = await this.lookup(taskId);
    if (!found) throw rpcError(ErrorCode.InvalidParams, `Task not found: ${taskId}`);
    return this.resultOf(found.record, found.delivery);
  }

  async resultOf(record: JobRecord, delivery: DeliveryMode | undefined): Promise<Result> {
    return finishResult(await renderJob(record, this.app, delivery ?? this.app.config.delivery));
  }

  /** Only `cancelled` changes anything: it cancels the job (cancel_job), or fails saying why the vendor could not. */
  async updateTaskStatus(taskId: string, status: Task["status"]): Promise<void> {
    if (status !== "cancelled") return;
    const { outcome } = await this.app.jobs.cancel(parseTaskId(taskId).jobId, AbortSignal.timeout(LOOKUP_MS));
    // The SDK answers it as -32600 "Failed to cancel task: <this message>".
    if (!outcome.cancelled) throw new Error(`NotCancelled: ${redact(outcome.message)}`);
  }

  /** The jobs list_jobs lists, newest change first, TASKS_PAGE a page. */
  async listTasks(cursor?: string): Promise<{ tasks: Task[]; nextCursor?: string }> {
    const start = cursor === undefined ? 0 : Number(Buffer.from(cursor, "base64url").toString("utf8"));
    if (!Number.isSafeInteger(start) || start < 0)
      throw new Error("the cursor is not one tasks/list gave; pass nextCursor exactly, or none");
    const all = await this.app.jobs.list(LIST_JOBS_SCAN);
    const next = start + TASKS_PAGE;
    return {
      tasks: all.slice(start, next).map((r) => taskOf(r, r.job_id, this.ttlMs)),
      ...(next < all.length ? { nextCursor: Buffer.from(String(next)).toString("base64url") } : {}),
    };
  }

  /** Tasks are made by the tool call that starts their job (task-calls.ts), never through the SDK's store. */
  createTask(): Promise<Task> {
    return Promise.reject(new Error("tasks are created by the tool call that starts their job"));
  }

  storeTaskResult(): Promise<void> {
    return Promise.reject(new Error("a task's result is its job's record"));
  }
}

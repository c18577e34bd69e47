/**
 * MCP tasks (2025-11-25, experimental) over the server's jobs: each task is a job and its task id
 * is the job id, so a task works wherever its job does (any process or replica sharing the job
 * store, after a restart) and lives as long as its record (AIGC_MCP_JOB_RETENTION_DAYS). The
 * `delivery` a task call named is kept in the job's record (`task_delivery`), so tasks/result
 * answers as the call asked on any replica. Tasks, like jobs, belong to the server, not to a
 * session: whoever may call the server (its AIGC_MCP_AUTH_TOKEN over HTTP) may read them, as with
 * get_job and list_jobs.
 */
import { ErrorCode, type CallToolResult, type Task } from "@modelcontextprotocol/sdk/types.js";
import type { AppContext } from "../context.js";
import { AigcError, describeError } from "../errors.js";
import { asPlace, cursorText, cursorValue, jobsAfter, placeOf } from "../jobs/pages.js";
import { TERMINAL, type JobRecord } from "../jobs/types.js";
import { clip, redact } from "../log.js";
import { finishResult } from "./define.js";
import { renderJob } from "./job-result.js";
import { progressLine } from "./job-words.js";
import { withDeadline } from "../net/deadline.js";
import { LIST_JOBS_SCAN, MAX_JOB_ID } from "./jobs.js";

const DAY_MS = 86_400_000;
/** How often a client is asked to look at a running task (tasks/get reads the job, and resumes it when no process follows it). */
const TASK_POLL_INTERVAL_MS = 2000;
/** Tasks per tasks/list page. */
const TASKS_PAGE = 50;
/** How long one look at a job's record may take (a job store that does not answer). */
const LOOKUP_MS = 30_000;

/**
 * A JSON-RPC error whose message is `message` as it is (an McpError's own message starts "MCP
 * error <code>:", which the client's McpError adds again), with no secret in it.
 */
export function rpcError(code: ErrorCode, message: string): Error {
  return Object.assign(new Error(redact(message)), { code });
}

/** A task id as an error message may show it: redacted, and cut. */
export function shownId(taskId: string): string {
  return JSON.stringify(clip(taskId, 100));
}

/** A job's status as a task's: submitting, queued and running are `working`; expired is `failed`. */
function taskStatus(record: JobRecord): Task["status"] {
  if (record.status === "succeeded") return "completed";
  if (record.status === "cancelled") return "cancelled";
  return TERMINAL.has(record.status) ? "failed" : "working";
}

/** A job as a task. */
function taskOf(record: JobRecord, ttlMs: number): Task {
  const status = taskStatus(record);
  const message = record.error ? `${record.status}: ${record.error.code}: ${record.error.message}` : progressLine(record);
  return {
    taskId: record.job_id,
    status,
    statusMessage: clip(message, 500),
    createdAt: record.created_at,
    lastUpdatedAt: record.updated_at,
    ttl: ttlMs,
    ...(status === "working" ? { pollInterval: TASK_POLL_INTERVAL_MS } : {}),
  };
}

/** A failure of this server, its job store or a busy vendor or server (-32603), or of the request (-32602): the error's category says which. */
const SERVER_SIDE = new Set(["local", "internal", "network", "timeout", "vendor", "bad_response", "rate_limit"]);
export function errorCodeOf(err: unknown): ErrorCode {
  return err instanceof AigcError && !SERVER_SIDE.has(err.category) ? ErrorCode.InvalidParams : ErrorCode.InternalError;
}

export class JobTasks {
  constructor(private readonly app: AppContext) {}

  /** Every task lives as long as its job's record: from its creation, at least the retention. */
  get ttlMs(): number {
    return this.app.config.jobRetentionDays * DAY_MS;
  }

  /** The task's job record as it is now (a job no process follows is resumed, as get_job does); -32602 when there is no such job. */
  async record(taskId: string, signal?: AbortSignal): Promise<JobRecord> {
    const notFound = () =>
      rpcError(ErrorCode.InvalidParams, `Task not found: ${shownId(taskId)} is not a job of this server (list_jobs lists them)`);
    if (taskId.length > MAX_JOB_ID) throw notFound();
    const limit = withDeadline(signal, LOOKUP_MS);
    try {
      return await this.app.jobs.wait(taskId, { budgetMs: 0, signal: limit.signal });
    } catch (err) {
      if (err instanceof AigcError && (err.category === "invalid_input" || err.category === "not_found")) throw notFound();
      throw rpcError(ErrorCode.InternalError, describeError(err));
    } finally {
      limit.clear();
    }
  }

  async get(taskId: string): Promise<Task> {
    return taskOf(await this.record(taskId), this.ttlMs);
  }

  /** What get_job answers for the job, in the delivery its task call asked for. */
  async result(record: JobRecord): Promise<CallToolResult> {
    return finishResult(await renderJob(record, this.app, record.task_delivery ?? this.app.config.delivery));
  }

  /** cancel_job: the task as it is once cancelled; -32602 for a task that has ended, -32600 when the vendor could not cancel it. */
  async cancel(taskId: string): Promise<Task> {
    const record = await this.record(taskId);
    if (TERMINAL.has(record.status))
      throw rpcError(ErrorCode.InvalidParams, `Cannot cancel task: it is already in terminal status "${taskStatus(record)}"`);
    let outcome;
    try {
      ({ outcome } = await this.app.jobs.cancel(taskId, AbortSignal.timeout(LOOKUP_MS)));
    } catch (err) {
      throw rpcError(errorCodeOf(err), `Cannot cancel task: ${describeError(err)}`);
    }
    if (!outcome.cancelled) throw rpcError(ErrorCode.InvalidRequest, `Cannot cancel task: NotCancelled: ${outcome.message}`);
    return this.get(taskId);
  }

  /** The jobs list_jobs lists, newest first, TASKS_PAGE a page. */
  async list(cursor?: string): Promise<{ tasks: Task[]; nextCursor?: string }> {
    let place;
    if (cursor !== undefined) {
      const value = cursorValue(cursor);
      // a list_jobs cursor made with a status filter would page unfiltered here
      place = value && !("s" in value) ? asPlace(value) : undefined;
      if (!place) throw rpcError(ErrorCode.InvalidParams, "Invalid cursor: pass nextCursor from the last tasks/list exactly, or none");
    }
    let listed: JobRecord[];
    try {
      listed = await this.app.jobs.list(LIST_JOBS_SCAN);
    } catch (err) {
      throw rpcError(errorCodeOf(err), describeError(err));
    }
    const rest = jobsAfter(listed, place);
    const page = rest.slice(0, TASKS_PAGE);
    const last = page.at(-1);
    return {
      tasks: page.map((r) => taskOf(r, this.ttlMs)),
      ...(last && rest.length > page.length ? { nextCursor: cursorText(placeOf(last)) } : {}),
    };
  }
}

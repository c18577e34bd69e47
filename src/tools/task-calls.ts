/**
 * Task-augmented tool calls (MCP 2025-11-25 tasks, experimental; AIGC_MCP_TASKS=true). A tool that
 * starts a job lists `execution.taskSupport: "optional"`; a `tools/call` with `task` starts the job
 * as a call with `wait_seconds` 0 would and answers at once with the job as a task (task-store.ts),
 * its text (what that call would have said) as the `model-immediate-response`. `tasks/result` waits
 * on the job itself (not the SDK's poll of the store every interval) and answers what get_job
 * would. A call refused before its job exists (its arguments, max_cost, a budget, a declined
 * confirmation) has no task: it fails as a JSON-RPC error (-32602) whose message is the tool's error.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  RELATED_TASK_META_KEY,
  type CallToolResult,
  type Result,
  type ServerNotification,
  type ServerRequest,
} from "@modelcontextprotocol/sdk/types.js";
import type { AppContext } from "../context.js";
import { describeError } from "../errors.js";
import { TERMINAL } from "../jobs/types.js";
import { redact } from "../log.js";
import type { DeliveryMode } from "../config.js";
import type { ToolDef } from "./define.js";
import { JobTaskStore, parseTaskId, rpcError, taskIdOf } from "./task-store.js";

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;
type RunAsTask = (raw: unknown, extra: Extra) => Promise<CallToolResult>;
type Handler = (request: { params?: Record<string, unknown> }, extra: Extra) => Promise<unknown>;

/** The server capability: task-augmented tools/call, tasks/list and tasks/cancel. */
export const TASKS_CAPABILITY = { list: {}, cancel: {}, requests: { tools: { call: {} } } };
/** CreateTaskResult `_meta` key of the text a host may hand the model while the task runs (2025-11-25, provisional). */
export const IMMEDIATE_RESPONSE_KEY = "io.modelcontextprotocol/model-immediate-response";
/** The longest one tasks/result waits before answering an error that says to ask again. */
const RESULT_WAIT_MS = 24 * 3_600_000;

const stores = new WeakMap<AppContext, JobTaskStore>();
/** Per server, the tools that run as tasks, by name. */
const taskTools = new WeakMap<McpServer, Map<string, RunAsTask>>();

/** The one task store of a context (every HTTP request's server shares it). */
export function taskStoreOf(app: AppContext): JobTaskStore {
  let store = stores.get(app);
  if (!store) stores.set(app, (store = new JobTaskStore(app)));
  return store;
}

/** A tool that starts a job: it answers with a job, takes wait_seconds, and is not given one (wait_for_job). */
export function startsJob(def: ToolDef): boolean {
  return "job_id" in def.output && "wait_seconds" in def.input && !("job_id" in def.input);
}

/** `optional` for a tool registered by registerTaskTool on this server (what tools/list gives as execution.taskSupport). */
export function taskSupportOf(server: McpServer, name: string): { taskSupport: "optional" } | undefined {
  return taskTools.get(server)?.has(name) ? { taskSupport: "optional" } : undefined;
}

/** Lets `name` run as a task on `server`; `run` makes the call as callTool does, with no wait. */
export function registerTaskTool(server: McpServer, app: AppContext, name: string, run: RunAsTask): void {
  let tools = taskTools.get(server);
  if (!tools) {
    taskTools.set(server, (tools = new Map<string, RunAsTask>()));
    install(server, app, tools);
  }
  tools.set(name, run);
}

/**
 * Puts task-augmented calls and tasks/result in front of the SDK's handlers (its McpServer runs a
 * task only through registerToolTask, which would also turn every plain call of the tool into its
 * own polling loop). If an SDK update moves them, the server refuses to start.
 */
function install(server: McpServer, app: AppContext, tools: Map<string, RunAsTask>): void {
  const handlers = (server.server as unknown as { _requestHandlers?: Map<string, Handler> })._requestHandlers;
  const plainCall = handlers?.get("tools/call");
  if (!handlers || !plainCall || !handlers.get("tasks/result"))
    throw new Error("the SDK's tools/call or tasks/result handler is gone (SDK update): adapt src/tools/task-calls.ts");
  handlers.set("tools/call", (request, extra) => {
    if (request.params?.task === undefined) return plainCall(request, extra);
    return callAsTask(app, tools, request, extra);
  });
  handlers.set("tasks/result", (request, extra) => {
    const taskId = request.params?.taskId;
    if (typeof taskId !== "string") return Promise.reject(rpcError(ErrorCode.InvalidParams, "tasks/result: taskId must be a string"));
    return taskResult(app, taskId, extra.signal);
  });
}

async function callAsTask(app: AppContext, tools: Map<string, RunAsTask>, request: unknown, extra: Extra): Promise<Result> {
  const parsed = CallToolRequestSchema.safeParse(request);
  if (!parsed.success) throw rpcError(ErrorCode.InvalidParams, `Invalid tools/call request: ${parsed.error.message}`);
  const { name, arguments: raw } = parsed.data.params;
  const run = tools.get(name);
  if (!run)
    throw rpcError(
      ErrorCode.MethodNotFound,
      `Tool ${name} does not run as a task (only tools that start a job do; its execution.taskSupport is "forbidden"): call it without task`,
    );
  let result: CallToolResult;
  try {
    result = await run(raw, extra);
  } catch (err) {
    throw rpcError(ErrorCode.InvalidParams, redact(describeError(err)));
  }
  const text = result.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("\n");
  const jobId = result.structuredContent?.job_id;
  if (typeof jobId !== "string") throw rpcError(ErrorCode.InvalidParams, text || "Error: the call started no job");
  const delivery = (raw as { delivery?: DeliveryMode } | undefined)?.delivery;
  const task = await taskStoreOf(app).getTask(taskIdOf(jobId, delivery));
  if (!task)
    throw rpcError(ErrorCode.InternalError, `Error: the job ${jobId} was started, but its record cannot be found; get_job shows it`);
  return { task, _meta: { [IMMEDIATE_RESPONSE_KEY]: text } };
}

/** tasks/result: waits for the job to end (as wait_for_job does, without polling the store), then answers get_job's result. */
async function taskResult(app: AppContext, taskId: string, signal: AbortSignal): Promise<Result> {
  const store = taskStoreOf(app);
  const found = await store.lookup(taskId, AbortSignal.any([signal, AbortSignal.timeout(30_000)]));
  if (!found) throw rpcError(ErrorCode.InvalidParams, `Task not found: ${taskId}`);
  let { record } = found;
  if (!TERMINAL.has(record.status))
    record = await app.jobs.wait(parseTaskId(taskId).jobId, { budgetMs: RESULT_WAIT_MS, signal }).catch((err: unknown) => {
      throw rpcError(ErrorCode.InternalError, redact(describeError(err)));
    });
  if (!TERMINAL.has(record.status))
    throw rpcError(
      ErrorCode.InternalError,
      `Error: NotFinished: the job ${record.job_id} is still ${record.status} and this server stopped waiting (it is shutting down); call tasks/result again: any server sharing the job store answers it`,
    );
  const result = await store.resultOf(record, found.delivery);
  return { ...result, _meta: { ...result._meta, [RELATED_TASK_META_KEY]: { taskId } } };
}

/**
 * MCP tasks (2025-11-25, experimental; AIGC_MCP_TASKS=true). A tool that starts a job lists
 * `execution.taskSupport: "optional"`; a `tools/call` with `task` starts the job as a call with
 * `wait_seconds` 0 would and answers at once with the job as a task (task-store.ts). tasks/get,
 * tasks/result, tasks/list and tasks/cancel are answered here from the job store, not by the SDK's
 * in-process task store: tasks/result waits on the job itself and answers what get_job would. A
 * call refused before its job exists (arguments, max_cost, a budget, a declined confirmation, a
 * create the vendor refused at once) has no task: it is a JSON-RPC error whose message is the
 * tool's error (-32602, or -32603 when this server or its store failed).
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
import { inCallScope } from "../cost/scope.js";
import { describeError } from "../errors.js";
import { TERMINAL } from "../jobs/types.js";
import type { DeliveryMode } from "../config.js";
import type { ToolDef } from "./define.js";
import { JobTasks, errorCodeOf, rpcError, shownId } from "./task-store.js";

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;
type RunAsTask = (raw: unknown, extra: Extra) => Promise<CallToolResult>;
type Request = { params?: Record<string, unknown> };
type Handler = (request: Request, extra: Extra) => Promise<unknown>;

/** The server capability: task-augmented tools/call, tasks/list and tasks/cancel. */
export const TASKS_CAPABILITY = { list: {}, cancel: {}, requests: { tools: { call: {} } } };
/** CreateTaskResult `_meta` key of the text a host may hand the model while the task runs (2025-11-25, provisional). */
const IMMEDIATE_RESPONSE_KEY = "io.modelcontextprotocol/model-immediate-response";
/** The longest one tasks/result waits before answering an error that says to ask again. */
const RESULT_WAIT_MS = 24 * 3_600_000;

const tasksOf = new WeakMap<AppContext, JobTasks>();
/** Per server, the tools that run as tasks, by name. */
const taskTools = new WeakMap<McpServer, Map<string, RunAsTask>>();

/** The tasks of a context (every HTTP request's server shares them). */
function jobTasks(app: AppContext): JobTasks {
  let tasks = tasksOf.get(app);
  if (!tasks) tasksOf.set(app, (tasks = new JobTasks(app)));
  return tasks;
}

/** A tool that starts a job: it answers with a job, takes wait_seconds, and is not given one (wait_for_job). */
export function startsJob(def: ToolDef): boolean {
  return "job_id" in def.output && "wait_seconds" in def.input && !("job_id" in def.input);
}

/** `optional` for a tool registered by registerTaskTool on this server (what tools/list gives as execution.taskSupport). */
export function taskSupportOf(server: McpServer, name: string): { taskSupport: "optional" } | undefined {
  return taskTools.get(server)?.has(name) ? { taskSupport: "optional" } : undefined;
}

/** Lets `name` run as a task on `server`; `run` makes the call as callTool does, with no wait, and throws what it refuses. */
export function registerTaskTool(server: McpServer, name: string, run: RunAsTask): void {
  let tools = taskTools.get(server);
  if (!tools) taskTools.set(server, (tools = new Map<string, RunAsTask>()));
  tools.set(name, (raw, extra) => {
    const delivery = (raw as { delivery?: DeliveryMode } | undefined)?.delivery;
    return inCallScope(delivery ? { taskDelivery: delivery } : {}, () => run(raw, extra));
  });
}

/**
 * Answers task-augmented tools/call and the four tasks/* methods on `server` (after its tools are
 * registered). The SDK's McpServer runs a task only through registerToolTask, which would turn every
 * plain call of the tool into its own polling loop over a store of results in one process. If an
 * SDK update moves the tools/call handler, the server refuses to start.
 */
export function installTasks(server: McpServer, app: AppContext): void {
  const handlers = (server.server as unknown as { _requestHandlers?: Map<string, Handler> })._requestHandlers;
  const plainCall = handlers?.get("tools/call");
  const registered = (server as unknown as { _registeredTools?: Record<string, unknown> })._registeredTools ?? {};
  // McpServer installs its tools/call handler with its first tool.
  if (!handlers || (!plainCall && Object.keys(registered).length))
    throw new Error("the SDK's tools/call handler is gone (SDK update): adapt src/tools/task-calls.ts");
  const tasks = jobTasks(app);
  const tools = taskTools.get(server) ?? new Map<string, RunAsTask>();
  if (plainCall)
    handlers.set("tools/call", (request, extra) => {
      if (request.params?.task === undefined) return plainCall(request, extra);
      return callAsTask(tasks, tools, (name) => name in registered, request, extra);
    });
  handlers.set("tasks/get", async (request) => tasks.get(taskIdIn(request)));
  handlers.set("tasks/result", async (request, extra) => taskResult(app, tasks, taskIdIn(request), extra.signal));
  handlers.set("tasks/cancel", async (request) => tasks.cancel(taskIdIn(request)));
  handlers.set("tasks/list", async (request) => {
    const cursor = request.params?.cursor;
    if (cursor !== undefined && typeof cursor !== "string")
      throw rpcError(ErrorCode.InvalidParams, "Invalid params: cursor must be a string");
    return tasks.list(cursor);
  });
}

function taskIdIn(request: Request): string {
  const taskId = request.params?.taskId;
  if (typeof taskId !== "string") throw rpcError(ErrorCode.InvalidParams, "Invalid params: taskId must be a string");
  return taskId;
}

async function callAsTask(
  tasks: JobTasks,
  tools: Map<string, RunAsTask>,
  exists: (name: string) => boolean,
  request: unknown,
  extra: Extra,
): Promise<Result> {
  const parsed = CallToolRequestSchema.safeParse(request);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "params"}: ${i.message}`).join("; ");
    throw rpcError(ErrorCode.InvalidParams, `Invalid tools/call request: ${issues}`);
  }
  const { name, arguments: raw } = parsed.data.params;
  const run = tools.get(name);
  if (!run) {
    if (!exists(name)) throw rpcError(ErrorCode.InvalidParams, `Tool ${shownId(name)} not found`);
    throw rpcError(
      ErrorCode.MethodNotFound,
      `Tool ${name} does not run as a task (its execution.taskSupport is "forbidden"): call it without task`,
    );
  }
  let result: CallToolResult;
  try {
    result = await run(raw, extra);
  } catch (err) {
    throw rpcError(errorCodeOf(err), describeError(err));
  }
  const text = result.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("\n");
  const jobId = result.structuredContent?.job_id;
  if (typeof jobId !== "string") throw rpcError(ErrorCode.InvalidParams, text || "Error: the call started no job");
  const task = await tasks.get(jobId);
  return { task, _meta: { [IMMEDIATE_RESPONSE_KEY]: immediateResponse(task.taskId, task.status, text) } };
}

/** What the model may be told while the task runs: the task, and the call's notes (a model's advice, the cost). */
function immediateResponse(taskId: string, status: string, text: string): string {
  const notes = text.split("\n").filter((l) => /^(Note|Cost): /.test(l));
  const head =
    status === "working"
      ? `Started job ${taskId} as an MCP task. The client fetches its result when it ends (no wait_for_job needed); get_job shows it meanwhile.`
      : `Job ${taskId} ended at once (${status}); its result comes with the task.`;
  return [head, ...notes].join("\n");
}

/** tasks/result: waits for the job to end (as wait_for_job does, without polling the store), then answers get_job's result. */
async function taskResult(app: AppContext, tasks: JobTasks, taskId: string, signal: AbortSignal): Promise<Result> {
  let record = await tasks.record(taskId, signal);
  if (!TERMINAL.has(record.status))
    record = await app.jobs.wait(taskId, { budgetMs: RESULT_WAIT_MS, signal }).catch((err: unknown) => {
      throw rpcError(ErrorCode.InternalError, describeError(err));
    });
  if (!TERMINAL.has(record.status))
    throw rpcError(
      ErrorCode.InternalError,
      `Error: NotFinished: the job ${record.job_id} is still ${record.status} and this server stopped waiting (it is shutting down); call tasks/result again: any server sharing the job store answers it`,
    );
  const result = await tasks.result(record);
  return { ...result, _meta: { ...result._meta, [RELATED_TASK_META_KEY]: { taskId } } };
}

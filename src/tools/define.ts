/**
 * The per-tool module shape (name, title, description, zod input/output, annotations, run) and the
 * one place where results are made safe: thrown errors become `isError` results with an
 * actionable message, and every text is scrubbed of secrets.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult, ServerNotification, ServerRequest, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { describeError, inputError } from "../errors.js";
import { WaitBudget } from "../jobs/budget.js";
import { log, redact } from "../log.js";
import { nearest } from "../nearest.js";
import { coerceArguments } from "./coerce.js";
import type { DeliveryMode } from "../config.js";
import { deliverySchema, returnsMedia } from "./delivery.js";
import { describeIssues } from "./issues.js";
import { compactListing } from "./listing.js";

export interface ToolContext {
  app: AppContext;
  signal: AbortSignal;
  /** Sends a progress notification when the client asked for them (no-op otherwise). */
  progress(message: string, percent?: number): void;
  /** Adds a line of advice to a successful result (text, and `structuredContent.warnings` where the output declares it). */
  warn(message: string): void;
  /**
   * The call's wait budget: `waitSeconds` (or the configured default) from the moment the call
   * arrived. The one deadline of a generation tool: its create, retries and wait all spend it.
   */
  budget(waitSeconds: number | undefined): WaitBudget;
  /** How media in the result are delivered: the call's `delivery` argument, else AIGC_MCP_DELIVERY. */
  delivery: DeliveryMode;
}

export interface ToolDef<I extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: z.ZodRawShape;
  annotations: ToolAnnotations;
  run(args: z.output<z.ZodObject<I>>, ctx: ToolContext): Promise<CallToolResult>;
}

export function defineTool<I extends z.ZodRawShape>(def: ToolDef<I>): ToolDef {
  return def;
}

/** Annotations for a tool that spends money and creates new media. */
export const PAID_GENERATOR: Omit<ToolAnnotations, "title"> = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: true,
};

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export function progressReporter(extra: Extra): ToolContext["progress"] {
  const token = extra._meta?.progressToken;
  if (token === undefined) return () => {};
  const started = Date.now();
  let last = 0;
  return (message, percent) => {
    // `progress` must strictly increase: seconds elapsed, nudged forward if two land together.
    const progress = Math.max(Math.round((Date.now() - started) / 100) / 10, Math.round((last + 0.1) * 10) / 10);
    last = progress;
    void extra
      .sendNotification({
        method: "notifications/progress",
        params: {
          progressToken: token,
          progress,
          message: redact(percent !== undefined ? `${message} (${Math.round(percent)}%)` : message),
        },
      })
      .catch(() => undefined);
  };
}

/** Appends warnings to the first text block and, when the tool's output declares `warnings`, to the structured result. */
function withWarnings(result: CallToolResult, warnings: string[], def: ToolDef): CallToolResult {
  if (!warnings.length || result.isError) return result;
  const lines = warnings.map((w) => `Note: ${w}`).join("\n");
  const first = result.content.find((b) => b.type === "text");
  if (first) first.text += `\n${lines}`;
  else result.content.unshift({ type: "text", text: lines });
  if (result.structuredContent && "warnings" in def.output) result.structuredContent = { ...result.structuredContent, warnings };
  return result;
}

function scrub(result: CallToolResult): CallToolResult {
  for (const block of result.content) if (block.type === "text") block.text = redact(block.text);
  if (result.structuredContent)
    result.structuredContent = JSON.parse(redact(JSON.stringify(result.structuredContent))) as Record<string, unknown>;
  return result;
}

/** Deepest nesting accepted anywhere in a tool's arguments (vendor bodies are a few levels deep). */
export const MAX_ARGUMENT_DEPTH = 64;
/** Most values (object members and array elements, all levels) in one call's arguments. */
export const MAX_ARGUMENT_VALUES = 100_000;

/**
 * What is wrong with a call's raw arguments before the schema sees them: nesting deeper than
 * MAX_ARGUMENT_DEPTH or more than MAX_ARGUMENT_VALUES values (checked with an explicit stack, so
 * no input can overflow ours), or a name the tool does not take (zod would silently drop it).
 */
export function argumentProblem(def: ToolDef, args: unknown): Error | undefined {
  if (args === null || typeof args !== "object" || Array.isArray(args)) return undefined;
  const names = Object.keys(def.input);
  for (const key of Object.keys(args)) {
    if (names.includes(key)) continue;
    const near = nearest(key, names);
    return inputError(
      key.slice(0, 64),
      `is not an argument of ${def.name}${near ? `; did you mean ${near}?` : ""} (its arguments: ${names.join(", ")})`,
    );
  }
  const stack: Array<{ value: unknown; path: string; depth: number }> = Object.entries(args as Record<string, unknown>).map(
    ([k, value]) => ({
      value,
      path: k,
      depth: 1,
    }),
  );
  let count = stack.length;
  while (stack.length) {
    const { value, path, depth } = stack.pop()!;
    if (value === null || typeof value !== "object") continue;
    if (depth >= MAX_ARGUMENT_DEPTH)
      return inputError(
        path.split(/[.[]/)[0]!,
        `is nested more than ${MAX_ARGUMENT_DEPTH} levels deep (at ${path.slice(0, 120)}…); flatten it`,
      );
    const entries = Array.isArray(value)
      ? value.map((v, i) => [`[${i}]`, v] as const)
      : Object.entries(value).map(([k, v]) => [`.${k}`, v] as const);
    count += entries.length;
    if (count > MAX_ARGUMENT_VALUES)
      return inputError(path.split(/[.[]/)[0]!, `holds more than ${MAX_ARGUMENT_VALUES} values in all; send less data`);
    for (const [k, v] of entries)
      if (v !== null && typeof v === "object") stack.push({ value: v, path: path.length < 200 ? path + k : path, depth: depth + 1 });
  }
  return undefined;
}

/** The valid name closest to a misspelt one (edit distance at most a third of its length, at least 2), if any. */
type Validate = (this: McpServer, tool: unknown, args: unknown, toolName: string) => Promise<unknown>;
const guarded = new WeakMap<McpServer, Map<string, ToolDef>>();

/**
 * Runs `argumentProblem`, then `coerceArguments`, before the SDK validates a call. McpServer validates inside its own
 * tools/call handler (`validateToolInput`, which parses with the tool's zod object and so drops
 * unknown keys); wrapping that one method keeps everything else of the SDK's handler. If an SDK
 * update renames it, the server refuses to start rather than run unguarded.
 */
function guardArguments(server: McpServer, def: ToolDef): void {
  let defs = guarded.get(server);
  if (!defs) {
    const hook = server as unknown as { validateToolInput?: Validate };
    const validate = hook.validateToolInput;
    if (typeof validate !== "function")
      throw new Error("McpServer.validateToolInput is gone (SDK update): adapt guardArguments in src/tools/define.ts");
    const byName = (defs = new Map<string, ToolDef>());
    guarded.set(server, defs);
    // Every other failure the SDK answers itself (unknown tool, a tool disabled): first line "Error:" too.
    const errors = server as unknown as { createToolError?: (message: string) => CallToolResult };
    if (typeof errors.createToolError !== "function")
      throw new Error("McpServer.createToolError is gone (SDK update): adapt guardArguments in src/tools/define.ts");
    errors.createToolError = (message: string) => errorResult(asErrorText(message));
    hook.validateToolInput = function (this: McpServer, tool, args, toolName) {
      const d = byName.get(toolName);
      const problem = d && argumentProblem(d, args);
      if (problem) return Promise.reject(new Error(describeError(problem)));
      let coerced = args;
      try {
        // Strings standing for numbers, booleans and lists (as LLM clients and Dify send them), once for every tool.
        if (d) coerced = coerceArguments(d.input, args);
      } catch (err) {
        return Promise.reject(new Error(describeError(err)));
      }
      // Schema failures in plain words, first line "Error: InvalidInput" (the SDK's own reads "MCP error -32602: …" and dumps zod issues).
      const parsed = d && z.object(d.input).safeParse(coerced ?? {});
      if (parsed && !parsed.success) return Promise.reject(new Error(describeError(describeIssues(parsed.error.issues, coerced))));
      return validate.call(this, tool, coerced, toolName);
    };
  }
  defs.set(def.name, def);
}

/** Budgets that run from `startedMs`, the moment the call arrived. */
export function callBudget(app: AppContext, startedMs: number): ToolContext["budget"] {
  return (waitSeconds) => new WaitBudget(startedMs + (waitSeconds ?? app.config.defaultWaitS) * 1000);
}

/** An error text from outside our tools (the SDK) with the first line every failure has: "Error: <code>: …". */
function asErrorText(message: string): string {
  if (message.startsWith("Error:")) return message;
  const m = /^MCP error (-?\d+): ([\s\S]*)$/.exec(message);
  return m ? `Error: ${m[1] === "-32602" ? "InvalidParams" : `MCP${m[1]}`}: ${m[2]}` : `Error: ${message}`;
}

/** The field every tool's structuredContent carries (issue 12 (b)). */
const messageSchema = z.string().describe("status and next step in one line");

/** The first line of a result's text, for a tool that did not set its own `message`. */
function firstLine(result: CallToolResult): string {
  const first = result.content.find((b) => b.type === "text");
  const line = first?.type === "text" ? (first.text.split("\n")[0] ?? "") : "";
  return line.length > 300 ? `${line.slice(0, 299)}…` : line || "done";
}

/**
 * The one shape of every failure: the text, and structuredContent whose `message` is its first line
 * (VS Code sends the model only structuredContent, issue 12 (b)). Used for thrown errors, schema and
 * argument failures and the SDK's own (unknown tool), so no failure lacks it.
 */
export function errorResult(text: string): CallToolResult {
  const result: CallToolResult = { content: [{ type: "text", text }], isError: true };
  return { ...result, structuredContent: { message: firstLine(result) } };
}

/**
 * The output fields optional: a failure carries only `message`, and SDK clients up to 1.32.2 validate
 * structuredContent against outputSchema even when isError is set (typescript-sdk#1943).
 */
function optionalFields(output: z.ZodRawShape): z.ZodRawShape {
  return Object.fromEntries(Object.entries(output).map(([k, v]) => [k, z.optional(v)]));
}

/**
 * The definition as listed: a tool that returns media takes `delivery` (defined once, in
 * delivery.ts), and every output carries `message`.
 */
export function listedTool(def: ToolDef): ToolDef {
  return {
    ...def,
    input: returnsMedia(def.output) ? { ...def.input, delivery: deliverySchema } : def.input,
    output: { ...optionalFields(def.output), message: messageSchema },
  };
}

export function registerTool(server: McpServer, app: AppContext, original: ToolDef): void {
  const def = listedTool(original);
  guardArguments(server, def);
  server.registerTool(
    def.name,
    {
      title: def.title,
      description: def.description,
      inputSchema: def.input,
      outputSchema: def.output,
      annotations: { title: def.title, ...def.annotations },
    },
    async (raw: unknown, extra: Extra): Promise<CallToolResult> => {
      const warnings: string[] = [];
      const { delivery, ...args } = (raw ?? {}) as Record<string, unknown> & { delivery?: DeliveryMode };
      const ctx: ToolContext = {
        app,
        signal: extra.signal,
        progress: progressReporter(extra),
        warn: (w) => void warnings.push(w),
        budget: callBudget(app, Date.now()),
        delivery: delivery ?? app.config.delivery,
      };
      try {
        // A paid call is refused before the vendor bills it when its output could not be saved.
        if (def.annotations.openWorldHint && def.annotations.readOnlyHint === false && def.annotations.idempotentHint === false)
          await app.media.checkWritable();
        const result = withWarnings(await original.run(args, ctx), warnings, def);
        if (result.structuredContent && typeof result.structuredContent.message !== "string")
          result.structuredContent = { message: firstLine(result), ...result.structuredContent };
        return scrub(result);
      } catch (err) {
        const text = describeError(err);
        log.info("tool call failed", { tool: def.name, error: text.split("\n")[0] });
        return scrub(errorResult(text));
      }
    },
  );
  compactListing(server);
}

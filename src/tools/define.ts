/**
 * The per-tool module shape (name, title, description, zod input/output, annotations, run) and the
 * one place where results are made safe: thrown errors become `isError` results with an
 * actionable message, and every text is scrubbed of secrets.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  ElicitResultSchema,
  type CallToolResult,
  type ServerNotification,
  type ServerRequest,
  type ToolAnnotations,
} from "@modelcontextprotocol/sdk/types.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { describeError } from "../errors.js";
import { checkArguments, objectOf } from "./arguments.js";
import { asErrorText } from "./sdk-error-text.js";
import { registerTaskTool, startsJob } from "./task-calls.js";
import { WaitBudget } from "../jobs/budget.js";
import type { CallLimits } from "../net/call-limits.js";
import { LoadRoom } from "../net/loaded-media.js";
import { clip, log, redact, redactDeep } from "../log.js";
import { progressReporter } from "./progress.js";
import type { DeliveryMode } from "../config.js";
import { returnsMedia } from "./delivery.js";
import { compactListing } from "./listing.js";
import type { Elicit } from "./confirm.js";
import { runPaid } from "./cost-guard.js";
import { listedTool } from "./listed-tool.js";
import type { Actual, Currency, Estimate, VendorUsage } from "../vendors/kit/price.js";
import { viewerToolMeta } from "../viewer.js";

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
  /** What the call's input loads keep to: its signal, the end of its wait (Infinity for a task call), the room its loaded media hold. */
  limits: CallLimits;
  /**
   * For a paid tool that answers without a job (gateway chat, embeddings…): what the vendor reported
   * it used, priced at the quote's rate for the result's `cost.actual`. Jobs report theirs through
   * PollResult.usage instead.
   */
  reportUsage(usage: VendorUsage): void;
  /** Like reportUsage, for a cost the tool worked out itself from the vendor's usage (several rates, e.g. input and output tokens). */
  reportActual(actual: Actual): void;
}

/** What a quote is given: the call's `limits` when there is a call (its reads of input files then wait for room as the call's do). */
export type QuoteContext = Pick<ToolContext, "app" | "signal"> & Partial<Pick<ToolContext, "limits">>;

/** What a paid call will cost, worked out before any vendor request. */
export interface Quote {
  vendor: string;
  /** The model the call will use (the default when the caller named none). */
  model?: string;
  estimate: Estimate;
  /** The currency the vendor bills this account in, when the tool knows it (Kling: by region): a price for the model is given in it. */
  billedIn?: Currency;
}

export interface ToolDef<I extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: z.ZodRawShape;
  annotations: ToolAnnotations;
  run(args: z.output<z.ZodObject<I>>, ctx: ToolContext): Promise<CallToolResult>;
  /**
   * Every paid tool's price quote for a call (estimate_cost, max_cost, budgets, confirmation): from
   * the arguments after validation, with no vendor request. May read the call's input files for
   * facts the price depends on (an audio's duration); throws AigcError only for input a call would
   * refuse too.
   */
  quote?(args: z.output<z.ZodObject<I>>, ctx: QuoteContext): Promise<Quote> | Quote;
  /**
   * The capability names (AIGC_MCP_MODELS_FILE) this tool's model check can see, when they are not
   * only its argument names: "any" for a tool that hands the vendor's own request fields to the
   * check (a raw body), so a capability of any name may be one it checks.
   */
  capabilityNames?: "any";
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
  if (result.structuredContent) result.structuredContent = redactDeep(result.structuredContent);
  return result;
}

type Validate = (this: McpServer, tool: unknown, args: unknown, toolName: string) => Promise<unknown>;
const guarded = new WeakMap<McpServer, Map<string, ToolDef>>();

/**
 * Runs `checkArguments` in place of the SDK's validation of a call. McpServer validates inside its
 * own tools/call handler (`validateToolInput`, which parses with the tool's zod object and so drops
 * unknown keys); replacing that one method for our tools keeps everything else of the SDK's handler. If an SDK
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
    errors.createToolError = (message: string) => errorResult(asErrorText(message, [...byName.keys()]));
    hook.validateToolInput = function (this: McpServer, tool, args, toolName) {
      const d = byName.get(toolName);
      if (!d) return validate.call(this, tool, args, toolName);
      // checkArguments parses with the tool's registered input object (objectOf), so the
      // arguments are parsed once, not twice.
      try {
        return Promise.resolve(checkArguments(d, args).parsed);
      } catch (err) {
        return Promise.reject(new Error(describeError(err)));
      }
    };
  }
  defs.set(def.name, def);
}

/** A tool whose result is a job (jobResultShape): the media tools and get_job, wait_for_job, cancel_job. */
function returnsJob(output: z.ZodRawShape): boolean {
  return returnsMedia(output) && "job_id" in output;
}

/** Budgets that run from `startedMs`, the moment the call arrived. */
export function callBudget(app: AppContext, startedMs: number): ToolContext["budget"] {
  return (waitSeconds) => new WaitBudget(startedMs + (waitSeconds ?? app.config.defaultWaitS) * 1000);
}

/** The first line of a result's text, for a tool that did not set its own `message`. */
function firstLine(result: CallToolResult): string {
  const first = result.content.find((b) => b.type === "text");
  const line = first?.type === "text" ? (first.text.split("\n")[0] ?? "") : "";
  return clip(line, 300) || "done";
}

/**
 * The one shape of every failure (thrown errors, schema and argument failures, the SDK's own): the
 * text, and structuredContent whose `message` is its "Error:" line and its "What to do:" line if
 * any, up to 2 000 characters (VS Code sends the model only structuredContent, issue 12 (b)).
 */
export function errorResult(text: string): CallToolResult {
  const [first = "", ...rest] = text.split("\n");
  // The last one: a quoted vendor answer between the two (a chat answer that broke its schema) may hold any line.
  const advice = rest.findLast((line) => line.startsWith("What to do:"));
  const message = advice ? `${first}\n${advice}` : first;
  return { content: [{ type: "text", text }], isError: true, structuredContent: { message: clip(message, 2000) || "done" } };
}

/** The client's elicitation (form mode) for this call, when it declared the capability. */
function elicitFor(server: McpServer, extra: Extra): Elicit | undefined {
  const caps = server.server.getClientCapabilities()?.elicitation;
  if (!caps || (caps.form === undefined && caps.url !== undefined)) return undefined;
  // Sent as part of this call's request (its stream over HTTP); the user may take a while to answer.
  return (params) =>
    extra.sendRequest({ method: "elicitation/create", params }, ElicitResultSchema, { timeout: 600_000, signal: extra.signal });
}

export function registerTool(server: McpServer, app: AppContext, original: ToolDef): void {
  const def = listedTool(original, app.config.cost);
  guardArguments(server, def);
  server.registerTool(
    def.name,
    {
      title: def.title,
      description: def.description,
      inputSchema: objectOf(def.input),
      outputSchema: objectOf(def.output),
      annotations: { title: def.title, ...def.annotations },
      // Every tool that answers with a job shows it in the viewer, in hosts that render MCP Apps.
      ...(app.config.apps && returnsJob(def.output) ? { _meta: viewerToolMeta } : {}),
    },
    (raw: unknown, extra: Extra) => callTool({ server, app, def, original }, raw, extra),
  );
  compactListing(server, app);
  if (app.config.tasks && startsJob(def))
    registerTaskTool(server, def.name, (raw, extra) => {
      // The SDK's validation is not on this path: the arguments are checked here, as it would (guardArguments),
      // and the tool gets them parsed, as there (ids and model ids trimmed).
      const { parsed } = checkArguments(def, raw);
      return callTool({ server, app, def, original, asTask: true }, parsed, extra);
    });
}

interface Call {
  server: McpServer;
  app: AppContext;
  /** The tool as listed (listedTool) and as defined. */
  def: ToolDef;
  original: ToolDef;
  /** A task-augmented call (task-calls.ts): the job starts as with wait_seconds 0, whatever the call asked. */
  asTask?: boolean;
}

/** One call of a tool: its context, the paid-call guard, and the one shape of every result and failure. */
async function callTool({ server, app, def, original, asTask }: Call, raw: unknown, extra: Extra): Promise<CallToolResult> {
  const warnings: string[] = [];
  const { delivery, ...args } = (raw ?? {}) as Record<string, unknown> & { delivery?: DeliveryMode };
  const call = app.calls.start(extra.signal, server);
  const budget = callBudget(app, Date.now());
  const progress = progressReporter(extra);
  // Input downloads made for this call stop with it, and by the end of its wait (a task call has none: their own cap then).
  const deadlineMs = asTask ? Infinity : budget(typeof args.wait_seconds === "number" ? args.wait_seconds : undefined).deadlineMs;
  const loads = new LoadRoom();
  const ctx: ToolContext = {
    app,
    signal: call.signal,
    progress: progress.send,
    warn: (w) => void warnings.push(w),
    budget: asTask ? () => budget(0) : budget,
    delivery: delivery ?? app.config.delivery,
    limits: { signal: call.signal, deadlineMs, loads },
    reportUsage: () => {},
    reportActual: () => {},
  };
  try {
    // A paid call is refused before the vendor bills it when its output could not be saved.
    if (def.annotations.openWorldHint && def.annotations.readOnlyHint === false && def.annotations.idempotentHint === false)
      await app.media.checkWritable();
    const run = original.quote ? runPaid({ def: original, args, ctx, elicit: elicitFor(server, extra) }) : original.run(args, ctx);
    return finishResult(withWarnings(await run, warnings, def));
  } catch (err) {
    const text = describeError(err);
    log.info("tool call failed", { tool: def.name, error: text.split("\n")[0] });
    // A task call answers a refusal as a JSON-RPC error, whose code the error's category decides (task-calls.ts).
    if (asTask) throw err;
    return scrub(errorResult(text));
  } finally {
    progress.stop();
    loads.close();
    call.end();
  }
}

/** A result as every tool answers it: structuredContent's `message` (its first line) and no secret in any text. */
export function finishResult(result: CallToolResult): CallToolResult {
  if (result.structuredContent && typeof result.structuredContent.message !== "string")
    result.structuredContent = { message: firstLine(result), ...result.structuredContent };
  return scrub(result);
}

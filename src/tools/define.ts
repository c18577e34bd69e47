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
import { describeError } from "../errors.js";
import { log, redact } from "../log.js";

export interface ToolContext {
  app: AppContext;
  signal: AbortSignal;
  /** Sends a progress notification when the client asked for them (no-op otherwise). */
  progress(message: string, percent?: number): void;
  /** Adds a line of advice to a successful result (text, and `structuredContent.warnings` where the output declares it). */
  warn(message: string): void;
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

export function registerTool(server: McpServer, app: AppContext, def: ToolDef): void {
  server.registerTool(
    def.name,
    {
      title: def.title,
      description: def.description,
      inputSchema: def.input,
      outputSchema: def.output,
      annotations: { title: def.title, ...def.annotations },
    },
    async (args: unknown, extra: Extra): Promise<CallToolResult> => {
      const warnings: string[] = [];
      const ctx: ToolContext = { app, signal: extra.signal, progress: progressReporter(extra), warn: (w) => void warnings.push(w) };
      try {
        // A paid call is refused before the vendor bills it when its output could not be saved.
        if (def.annotations.openWorldHint && def.annotations.readOnlyHint === false && def.annotations.idempotentHint === false)
          await app.media.checkWritable();
        return scrub(withWarnings(await def.run(args as never, ctx), warnings, def));
      } catch (err) {
        const text = describeError(err);
        log.info("tool call failed", { tool: def.name, error: text.split("\n")[0] });
        return scrub({ content: [{ type: "text", text }], isError: true });
      }
    },
  );
}

/** How the tool list goes out: compact, since every model request carries it (issue 12 item 16). */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";

/**
 * A listed input schema without what every client already knows (issue 12 item 16: the tool list
 * goes with every model request): the `$schema` draft URI, and the ±2^53-1 bounds zod puts on
 * every integer. Validation is unchanged (it runs on the zod schema).
 */
export function compactSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(compactSchema);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "$schema" && typeof v === "string") continue;
    if ((k === "maximum" && v === Number.MAX_SAFE_INTEGER) || (k === "minimum" && v === Number.MIN_SAFE_INTEGER)) continue;
    out[k] = compactSchema(v);
  }
  return out;
}

type ListHandler = (request: unknown, extra: unknown) => Promise<{ tools: { inputSchema: unknown }[] }>;
const compacted = new WeakSet<McpServer>();

/**
 * Lists compact input schemas. McpServer builds tools/list itself (installed with its first
 * tool); wrapping that one handler keeps the rest of it. If an SDK update moves it, the server
 * refuses to start rather than list the long form unnoticed.
 */
export function compactListing(server: McpServer): void {
  if (compacted.has(server)) return;
  const handlers = (server.server as unknown as { _requestHandlers?: Map<string, ListHandler> })._requestHandlers;
  const list = handlers?.get("tools/list");
  if (!handlers || !list) throw new Error("the SDK's tools/list handler is gone (SDK update): adapt compactListing in src/tools/define.ts");
  handlers.set("tools/list", async (request, extra) => {
    const result = await list(request, extra);
    return { ...result, tools: result.tools.map((t) => ({ ...t, inputSchema: compactSchema(t.inputSchema) })) };
  });
  compacted.add(server);
}

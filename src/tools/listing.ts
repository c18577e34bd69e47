/** How the tool list goes out: compact, since every model request carries it (issue 12 item 16). */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { preloadUndici } from "../net/undici.js";

/**
 * Keywords that only validate and do not help a model choose a value: string lengths and patterns,
 * list counts, record key and value rules. The server still enforces every one of them (the zod
 * schema validates each call, and the error names the field and the limit); a count a model needs
 * to know is in the field's description.
 */
const VALIDATION_ONLY = new Set(["minLength", "maxLength", "pattern", "minItems", "maxItems"]);

/**
 * A listed input schema without what every client already knows or only a validator uses
 * (issue 12 item 16: the tool list goes with every model request): the `$schema` draft URI, the
 * ±2^53-1 bounds zod puts on every integer, VALIDATION_ONLY keywords and an `additionalProperties`
 * that allows anything. Types, enums, number ranges, formats and `required` stay.
 */
export function compactSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(compactSchema);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "$schema" && typeof v === "string") continue;
    if ((k === "maximum" && v === Number.MAX_SAFE_INTEGER) || (k === "minimum" && v === Number.MIN_SAFE_INTEGER)) continue;
    if (VALIDATION_ONLY.has(k) && typeof v !== "object") continue;
    if (k === "propertyNames" || (k === "additionalProperties" && (v === true || isEmptyObject(v)))) continue;
    // Property names are the tool's own words, never keywords: keep every one.
    out[k] = k === "properties" && isObject(v) ? mapValues(v, compactSchema) : compactSchema(v);
  }
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const isEmptyObject = (v: unknown): boolean => isObject(v) && Object.keys(v).length === 0;
const mapValues = (o: Record<string, unknown>, f: (v: unknown) => unknown) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));

type ListResult = { tools: { inputSchema: unknown }[] };
type ListHandler = (request: unknown, extra: unknown) => Promise<ListResult>;
const compacted = new WeakSet<McpServer>();
/** Per owner (the AppContext), the answer for one set of registered tools. */
const answers = new WeakMap<object, Map<string, Promise<ListResult>>>();

/**
 * Lists compact input schemas, and converts the schemas once per process: the SDK turns every
 * zod schema into JSON Schema on each tools/list (~50 ms for 29 tools), while the tools of an
 * owner's servers never change after start (HTTP builds a server per request from the same
 * AppContext). McpServer builds tools/list itself (installed with its first tool); wrapping that
 * one handler keeps the rest of it. If an SDK update moves it, the server refuses to start rather
 * than list the long form unnoticed. After the first answer, undici loads in idle time.
 */
export function compactListing(server: McpServer, owner: object): void {
  if (compacted.has(server)) return;
  const handlers = (server.server as unknown as { _requestHandlers?: Map<string, ListHandler> })._requestHandlers;
  const list = handlers?.get("tools/list");
  if (!handlers || !list)
    throw new Error("the SDK's tools/list handler is gone (SDK update): adapt compactListing in src/tools/listing.ts");
  handlers.set("tools/list", (request, extra) => {
    const byTools = answers.get(owner) ?? new Map<string, Promise<ListResult>>();
    answers.set(owner, byTools);
    const key = registeredNames(server);
    let answer = byTools.get(key);
    if (!answer) {
      answer = list(request, extra).then((result) => ({
        ...result,
        tools: result.tools.map((t) => ({ ...t, inputSchema: compactSchema(t.inputSchema) })),
      }));
      byTools.set(key, answer);
      answer.catch(() => byTools.delete(key));
      void answer.then(preloadUndici, () => undefined);
    }
    return answer;
  });
  compacted.add(server);
}

/** The names of the server's enabled tools, in registration order: what its tools/list depends on. */
function registeredNames(server: McpServer): string {
  const tools = (server as unknown as { _registeredTools: Record<string, { enabled: boolean }> })._registeredTools;
  return Object.entries(tools)
    .filter(([, t]) => t.enabled)
    .map(([name]) => name)
    .join(",");
}

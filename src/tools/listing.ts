/** How the tool list goes out: compact, since every model request carries it (issue 12 item 16). */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { afterToolsListed } from "../after-list.js";
import { log } from "../log.js";
import { taskSupportOf } from "./task-calls.js";
import { isObject } from "../is-object.js";
import { touchStoredList, writeToolList, type ListResult, type StoredHandshake, type StoredToolList } from "../stored-tool-list.js";

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

const isEmptyObject = (v: unknown): boolean => isObject(v) && Object.keys(v).length === 0;
const mapValues = (o: Record<string, unknown>, f: (v: unknown) => unknown) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));

type Registered = {
  title?: string;
  description?: string;
  inputSchema?: z.ZodType;
  outputSchema?: z.ZodType;
  annotations?: unknown;
  execution?: unknown;
  _meta?: unknown;
  enabled: boolean;
};
type ListHandler = (request: unknown, extra: unknown) => Promise<ListResult> | ListResult;
const compacted = new WeakSet<McpServer>();
/** Per owner (the AppContext), the answer for one set of registered tools. */
const answers = new WeakMap<object, Map<string, Promise<ListResult>>>();
/** Per owner, the answer a stdio start may list first (src/stored-tool-list.ts), read while it started, and the initialize answer to keep with it. */
const stored = new WeakMap<object, { list: Promise<StoredToolList | undefined>; handshake: () => StoredHandshake | undefined }>();
/** JSON Schema per zod object and direction: tools sharing an output object (every job tool) convert it once. */
const converted = { input: new WeakMap<z.ZodType, unknown>(), output: new WeakMap<z.ZodType, unknown>() };

/** What the SDK lists for a tool without a schema. */
const EMPTY_OBJECT = { type: "object", properties: {} };

function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): unknown {
  let json = converted[io].get(schema);
  if (json === undefined) converted[io].set(schema, (json = z.toJSONSchema(schema, { target: "draft-7", io })));
  return json;
}

/**
 * The tools/list answer the SDK's McpServer gives (same fields, order and conversion: zod's
 * toJSONSchema, draft-7, inputs as input and outputs as output), with compact input schemas and
 * each zod object converted once. test/integration/core/tool-list-cache.test.ts compares it with
 * the SDK's own answer, so an SDK update that lists differently fails there.
 */
export function listTools(server: McpServer): ListResult {
  const tools = (server as unknown as { _registeredTools: Record<string, Registered> })._registeredTools;
  return {
    tools: Object.entries(tools)
      .filter(([, t]) => t.enabled)
      .map(([name, t]) => ({
        name,
        title: t.title,
        description: t.description,
        inputSchema: t.inputSchema ? compactSchema(jsonSchemaOf(t.inputSchema, "input")) : EMPTY_OBJECT,
        annotations: t.annotations,
        execution: taskSupportOf(server, name) ?? t.execution,
        _meta: t._meta,
        ...(t.outputSchema ? { outputSchema: jsonSchemaOf(t.outputSchema, "output") } : {}),
      })),
  };
}

/**
 * Lists compact input schemas (listTools), built once per owner: the tools of an owner's servers
 * never change after start (HTTP builds a server per request from the same AppContext), and the
 * SDK converts every zod schema on each tools/list (~50 ms for 29 tools). McpServer installs its
 * tools/list handler with its first tool; this takes its place. If an SDK update moves it, the
 * server refuses to start rather than list the long form unnoticed. After the first answer,
 * undici loads and the compile cache is written in idle time (src/after-list.ts).
 */
export function compactListing(server: McpServer, owner: object): void {
  if (compacted.has(server)) return;
  const handlers = (server.server as unknown as { _requestHandlers?: Map<string, ListHandler> })._requestHandlers;
  if (!handlers?.get("tools/list"))
    throw new Error("the SDK's tools/list handler is gone (SDK update): adapt compactListing in src/tools/listing.ts");
  handlers.set("tools/list", () => {
    const byTools = answers.get(owner) ?? new Map<string, Promise<ListResult>>();
    answers.set(owner, byTools);
    const names = registeredNames(server);
    let answer = byTools.get(names);
    if (!answer) {
      byTools.set(names, (answer = firstAnswer(server, owner, names, byTools)));
      // a failed listing is tried again at the next tools/list, not kept
      answer.catch(() => byTools.delete(names));
    }
    return answer;
  });
  compacted.add(server);
}

/**
 * Lists `list` (the answer a start with the same build and configuration listed) at the owner's
 * first tools/list, instead of converting every schema first: src/stored-tool-list.ts. `list` is
 * awaited there, so it may still be read when given. Only an answer listing the same tools is used.
 * `handshake` gives the server's initialize answer, kept with the list for src/early-answers.ts.
 */
export function useStoredToolList(
  owner: object,
  list: Promise<StoredToolList | undefined>,
  handshake: () => StoredHandshake | undefined = () => undefined,
): void {
  stored.set(owner, { list, handshake });
}

async function firstAnswer(server: McpServer, owner: object, names: string, byTools: Map<string, Promise<ListResult>>) {
  const use = stored.get(owner);
  stored.delete(owner);
  const kept = await use?.list;
  afterToolsListed();
  if (use && kept?.answer && kept.answer.tools.map((t) => t.name).join(",") === names) {
    log.debug("tools/list answered from the stored list", { file: kept.file });
    setImmediate(() => confirmStored(server, kept, use.handshake(), names, byTools));
    return kept.answer;
  }
  const answer = listTools(server);
  if (use && kept) setImmediate(() => store(kept, answer, use.handshake()));
  return answer;
}

/**
 * Builds the answer the stored one stood in for: when they are the same, the file is marked used;
 * when they differ (something outside the key changed the list), the new one is the answer from now
 * on, the client is told to list again, and the file is rewritten. A changed initialize answer
 * (`handshake`, or none stored yet) is rewritten too.
 */
function confirmStored(
  server: McpServer,
  kept: StoredToolList,
  handshake: StoredHandshake | undefined,
  names: string,
  byTools: Map<string, Promise<ListResult>>,
) {
  const answer = listTools(server);
  byTools.set(names, Promise.resolve(answer));
  const sameList = JSON.stringify(answer) === JSON.stringify(kept.answer);
  if (sameList && (!handshake || JSON.stringify(handshake) === JSON.stringify(kept.initialize))) return void touchStoredList(kept);
  store(kept, answer, handshake ?? kept.initialize);
  if (sameList) return;
  log.info("the stored tool list was out of date: listed again (notifications/tools/list_changed sent)", { file: kept.file });
  server.sendToolListChanged();
}

function store(kept: StoredToolList, answer: ListResult, handshake: StoredHandshake | undefined) {
  try {
    writeToolList(kept, answer, handshake);
    log.debug("tool list stored", { file: kept.file });
  } catch (err) {
    log.debug(`tool list not stored: ${(err as Error).message}`);
  }
}

/** The names of the server's enabled tools, in registration order: what its tools/list depends on. */
function registeredNames(server: McpServer): string {
  const tools = (server as unknown as { _registeredTools: Record<string, Registered> })._registeredTools;
  return Object.entries(tools)
    .filter(([, t]) => t.enabled)
    .map(([name]) => name)
    .join(",");
}

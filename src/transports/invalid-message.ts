/**
 * The answer to JSON that is no valid JSON-RPC message, the same on stdio and HTTP: Invalid Request
 * (-32600) naming the first field at fault, with the request's own id when it has one, so its client
 * is not left waiting. An object with a `method` member is a request (or, without an id, a
 * notification) whatever that member holds; one without is answered with a null id: an invalid
 * response of the client's must not be answered under an id the client may be using itself.
 */
import { JSONRPCNotificationSchema, JSONRPCRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { isObject } from "../is-object.js";

export interface InvalidMessage {
  jsonrpc: "2.0";
  id: string | number | null;
  error: { code: -32600; message: string };
}

/** The id of what looks like a request (an object with a `method` member and a string or number id). */
export function requestIdOf(value: unknown): string | number | undefined {
  if (!isObject(value) || !("method" in value)) return undefined;
  const { id } = value;
  return typeof id === "string" || (typeof id === "number" && Number.isFinite(id)) ? id : undefined;
}

/** An Invalid Request (-32600) answer under `id`, saying `why`. */
const refusal = (id: string | number | null, why: string): InvalidMessage => ({
  jsonrpc: "2.0",
  id,
  error: { code: -32600, message: `Invalid Request: ${why}` },
});

/** The error answering `value`, parsed JSON that the SDK's message schema refused. */
export function invalidMessage(value: unknown): InvalidMessage {
  const id = requestIdOf(value);
  return refusal(id ?? null, invalidWhere(value, id));
}

/**
 * The answers to a batch (a JSON array) that is not run whole: one per request in it, under its own
 * id, saying `why`, so that no request waits for an answer that will not come; a batch with no
 * request in it gets one answer with a null id.
 */
export function batchNotRun(items: readonly unknown[], why: string): InvalidMessage[] {
  const ids = items.map(requestIdOf).filter((id) => id !== undefined);
  return (ids.length ? ids : [null]).map((id) => refusal(id, why));
}

/**
 * The answers to a batch of which some messages are invalid: the batch is not run, so each invalid
 * message gets its own error (invalidMessage) and each valid request one naming the first invalid
 * message (numbered from 1): running the rest would answer some of a batch its client may send again whole.
 */
export function invalidBatch(items: readonly unknown[], valid: (item: unknown) => boolean): InvalidMessage[] {
  const first = items.findIndex((m) => !valid(m));
  const bad = items[first];
  const why = `not run: message ${first + 1} of this batch is invalid (${invalidWhere(bad, requestIdOf(bad))}); send the batch again without it`;
  return items.flatMap((m) => {
    if (!valid(m)) return [invalidMessage(m)];
    const id = requestIdOf(m);
    return id === undefined ? [] : [refusal(id, why)];
  });
}

/** The first field of `value` that its schema refused, in one line. */
function invalidWhere(value: unknown, id: string | number | undefined): string {
  if (!isObject(value) || !("method" in value)) return "not a JSON-RPC message";
  if (id === undefined && "id" in value) return "id: must be a string or a number";
  const schema = id === undefined ? JSONRPCNotificationSchema : JSONRPCRequestSchema;
  const issue = schema.safeParse(value).error?.issues[0];
  return issue ? `${issue.path.map(String).join(".")}: ${issue.message}` : "not a JSON-RPC message";
}

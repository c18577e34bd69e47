/**
 * JSON-RPC errors as the client should read them. The SDK's McpServer refuses some requests itself
 * with an McpError (an unknown resource, prompt or completion reference), whose message already
 * starts "MCP error <code>: "; the client's McpError adds that again ("MCP error -32602: MCP error
 * -32602: Resource file:///x not found"). Outgoing errors lose that first prefix, and the SDK's
 * unknown resource gets MCP's "resource not found" code, as this server's own resources do. Params
 * the SDK's schema refuses are said in one line as invalid params, not as an internal error.
 */
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { ErrorCode, isJSONRPCErrorResponse, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { MEDIA_URI_PREFIX } from "../media/media-uri.js";

/** MCP's error code for resources/read of a resource that does not exist. */
export const RESOURCE_NOT_FOUND = -32002;

/**
 * A request's params that fail the SDK's schema come back as an internal error (-32603) whose message
 * is the zod issues as multi-line JSON; said as one line, with the code for invalid params.
 */
function schemaIssues(text: string): string | undefined {
  if (!text.startsWith("[")) return undefined;
  try {
    const issues = JSON.parse(text) as unknown;
    if (!Array.isArray(issues) || !issues.length) return undefined;
    const lines = issues.map((i: { path?: unknown; message?: unknown }) =>
      Array.isArray(i?.path) && typeof i.message === "string" ? `${i.path.join(".") || "request"}: ${i.message}` : undefined,
    );
    return lines.every(Boolean) ? `Invalid params: ${lines.slice(0, 3).join("; ")}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The SDK parses resources/read's `uri` with `new URL`, and a string that is no URL at all ("notes.png")
 * fails as an internal error "Invalid URL"; no other request of this server takes a URL param.
 */
function notAUri(text: string): string | undefined {
  return /^(MCP error -32603: )?Invalid URL$/.test(text)
    ? `Invalid params: uri is not a URI; this server's resources are ${MEDIA_URI_PREFIX}<name> (resources/list lists them)`
    : undefined;
}

/** `message` with an error's doubled prefix removed and an unknown resource's code set; any other message as it was. */
export function plainError(message: JSONRPCMessage): JSONRPCMessage {
  if (!isJSONRPCErrorResponse(message)) return message;
  const { code, message: text } = message.error;
  const issues = code === (ErrorCode.InternalError as number) ? (schemaIssues(text) ?? notAUri(text)) : undefined;
  if (issues) return { ...message, error: { ...message.error, code: ErrorCode.InvalidParams, message: issues } };
  const plain = text.replace(/^MCP error -?\d+: /, "");
  if (plain === text) return message;
  const unknownResource = code === (ErrorCode.InvalidParams as number) && /^Resource \S+ not found$/.test(plain);
  return { ...message, error: { ...message.error, code: unknownResource ? RESOURCE_NOT_FOUND : code, message: plain } };
}

/** `transport`, its outgoing errors made plain (plainError). */
export function withPlainErrors<T extends Transport>(transport: T): T {
  const send = transport.send.bind(transport);
  transport.send = (message, options) => send(plainError(message), options);
  return transport;
}

/**
 * CORS for browser MCP clients whose page's origin is listed in AIGC_MCP_ALLOWED_ORIGINS. Browsers
 * send a preflight (OPTIONS, with no Authorization) before a JSON POST or any request carrying
 * Authorization or Mcp-Session-Id, and let a page read an answer only when it names the page's
 * origin; the session id must also be exposed for the page to send it back. Loopback origins pass
 * the Origin check without being listed (host.ts) but get no CORS answers: any local page could
 * then drive the server; list one to let it.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** Request headers a page may send: the ones MCP uses, unless the preflight asks for others. */
const ALLOWED_HEADERS = "authorization, content-type, accept, mcp-session-id, mcp-protocol-version, last-event-id";

/** The CORS headers of every answer to `origin`. */
function corsHeaders(origin: string): Record<string, string> {
  return {
    "access-control-allow-origin": origin,
    "access-control-expose-headers": "mcp-session-id, mcp-protocol-version, www-authenticate, retry-after",
    vary: "Origin",
  };
}

/**
 * For a request whose Origin is listed in `allowedOrigins`: sets the CORS headers on `res`, and
 * answers a preflight (OPTIONS) with 204 itself. True when it answered (nothing else to do).
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, allowedOrigins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (!origin || !allowedOrigins.includes(origin)) return false;
  for (const [name, value] of Object.entries(corsHeaders(origin))) res.setHeader(name, value);
  if (req.method !== "OPTIONS") return false;
  const asked = req.headers["access-control-request-headers"];
  const headers = typeof asked === "string" && /^[\w-]+(\s*,\s*[\w-]+)*$/.test(asked.trim()) ? asked.trim() : ALLOWED_HEADERS;
  res.writeHead(204, {
    "access-control-allow-methods": "GET, POST, DELETE",
    "access-control-allow-headers": headers,
    "access-control-max-age": "600",
  });
  res.end();
  return true;
}

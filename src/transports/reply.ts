/** The HTTP transport's plain replies (errors, health, OAuth refusals), shared by /mcp and the media route. */
import type { IncomingMessage, ServerResponse } from "node:http";

/** A plain-text answer, one line with its newline. */
export function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
  res.end(text + "\n");
}

/** A JSON answer. */
export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** The answer to a request that comes while the server shuts down. */
export const SHUTTING_DOWN =
  "the server is shutting down; send the request again (another replica takes it, or this one once restarted). Jobs are not lost: wait_for_job resumes them by job id.";
export const DRAINING = { connection: "close", "retry-after": "1" };

/** Answers 503 SHUTTING_DOWN; `unread`: a request whose body was not read, whose connection then closes. */
export function shuttingDown(res: ServerResponse, unread?: IncomingMessage): void {
  if (unread) res.on("finish", () => unread.destroy());
  json(res, 503, { jsonrpc: "2.0", error: { code: -32000, message: `Error: ${SHUTTING_DOWN}` }, id: null }, DRAINING);
}

/** The HTTP transport's plain replies (errors, health, OAuth refusals), shared by /mcp and the media route. */
import type { IncomingMessage, ServerResponse } from "node:http";

/** A plain-text answer, one line with its newline. */
export function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  send(res, status, "text/plain; charset=utf-8", text + "\n", headers);
}

/** A JSON answer. */
export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(res, status, "application/json", JSON.stringify(body), headers);
}

/** Per request, how long an answer sent before its body has all come waits for more of it (0: not at all). */
const lingerMs = new WeakMap<IncomingMessage, number>();

/** Sets how long an answer to `req` sent before its body has all come waits for more of it (send); 0: it closes at once. */
export function lingerFor(req: IncomingMessage, idleMs: number): void {
  lingerMs.set(req, idleMs);
}

/**
 * Sends a whole answer. One sent before its request's body has all come (a refusal: 401, 413, 503…)
 * goes out at once but is ended only once the rest of the body has come, read and dropped, or
 * paused for the body timeout (lingerFor; then the connection is closed): a connection closed
 * under an upload resets, and a client would see a failed fetch instead of the answer. So does
 * one kept alive, which Node drains itself, except when it is to close (`Connection: close`,
 * HTTP/1.0, or ours), which is why every answer takes this way.
 */
function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string>): void {
  res.writeHead(status, { "content-type": type, "content-length": String(Buffer.byteLength(body)), ...headers });
  const req = res.req as IncomingMessage | undefined;
  const idleMs = req ? (lingerMs.get(req) ?? 10_000) : 0;
  if (!req || req.complete || req.readableEnded || req.destroyed || idleMs === 0) return void res.end(body);
  res.write(body);
  const timer = setTimeout(() => req.destroy(), idleMs);
  req.on("data", () => timer.refresh());
  req.once("end", () => {
    clearTimeout(timer);
    res.end();
  });
  req.once("close", () => clearTimeout(timer));
  req.resume();
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

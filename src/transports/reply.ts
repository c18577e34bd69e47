/** The HTTP transport's plain replies (errors, health, OAuth refusals), shared by /mcp and the media route. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";

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
/** Sockets whose answer is sent and that only wait for the rest of its request's body, oldest first. */
const lingering = new Set<Socket>();
/** What to do once a response's answer is sent, though a lingering one is not ended yet (answered). */
const onAnswered = new WeakMap<ServerResponse, () => void>();

/** Sets how long an answer to `req` sent before its body has all come waits for more of it (send); 0: it closes at once. */
export function lingerFor(req: IncomingMessage, idleMs: number): void {
  lingerMs.set(req, idleMs);
}

/**
 * Calls `fn` once `res` has its answer: when it closes, or when it only waits for the rest of its
 * request's body (send), which serves no one: a shutdown does not wait for it.
 */
export function answered(res: ServerResponse, fn: () => void): void {
  let called = false;
  const once = () => void (called || ((called = true), fn()));
  onAnswered.set(res, once);
  res.once("close", once);
}

/** The socket that has lingered longest after its answer (send), for a cap to close before any serving a request; `which` filters. */
export function oldestLingering(which: (socket: Socket) => boolean = () => true): Socket | undefined {
  for (const socket of lingering) if (which(socket)) return socket;
  return undefined;
}

/**
 * Sends a whole answer. One sent before its request's body has all come (a refusal: 401, 413, 503…)
 * goes out at once but is ended only once the rest of the body has come, read and dropped, or
 * paused for the body timeout (lingerFor; then the connection is closed), and at most Node's
 * requestTimeout from the request's start: a connection closed under an upload resets, and a
 * client would see a failed fetch instead of the answer. So does one kept alive, which Node drains
 * itself, except when it is to close (`Connection: close`, HTTP/1.0, or ours), which is why every
 * answer takes this way. Such a socket serves no one: a connection cap closes it before any other
 * (oldestLingering), and a shutdown does not wait for it (answered).
 */
function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string>): void {
  res.writeHead(status, { "content-type": type, "content-length": String(Buffer.byteLength(body)), ...headers });
  const req = res.req as IncomingMessage | undefined;
  const idleMs = req ? (lingerMs.get(req) ?? 10_000) : 0;
  if (!req || req.complete || req.readableEnded || req.destroyed || idleMs === 0) return void res.end(body);
  // HEAD: Node writes no body, and sends the headers only with one or at the end.
  if (req.method === "HEAD") res.flushHeaders();
  else res.write(body);
  const socket = req.socket;
  lingering.add(socket);
  const timer = setTimeout(() => req.destroy(), idleMs);
  const stop = () => {
    clearTimeout(timer);
    lingering.delete(socket);
    socket.off("close", stop);
  };
  req.on("data", () => timer.refresh());
  req.once("end", () => {
    stop();
    res.end();
  });
  req.once("close", stop);
  socket.once("close", stop);
  onAnswered.get(res)?.();
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

/**
 * AIGC_MCP_MAX_CONNECTIONS for the HTTP server, kept so that connections with no request under way
 * cannot lock clients out. Node's own `server.maxConnections` closes every connection over the cap:
 * a client that opens connections and never finishes a request's headers, reconnecting as soon as
 * the headers timeout closes one, then held every place (a security tryout shut out /healthz and
 * every client for 40 s with 256 such sockets, no token needed). Here a connection over the cap
 * closes the oldest connection that has not sent a request yet, else the oldest one idle between
 * requests (kept alive by its client, which reconnects), and only when every open connection is
 * serving a request is the new one refused. A client sends its request's headers as soon as it
 * connects, so it gets in, and a connection serving a request (a long tool call's SSE answer) is
 * never closed for room.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { log } from "../log.js";

/** How often, at most, the log says connections were closed, or refused, for the cap. */
const LOG_EVERY_MS = 60_000;

export function capConnections(server: Server, max: number): void {
  // Oldest first (a Set keeps insertion order): connections that have sent no request, and those between requests.
  const fresh = new Set<Socket>();
  const idle = new Set<Socket>();
  let open = 0;
  const closed = throttled(
    (n) =>
      `closed ${n} connection(s) that had no request under way to make room: AIGC_MCP_MAX_CONNECTIONS (${max}) were open (many silent or slow connections, or raise it)`,
  );
  const refused = throttled(
    (n) =>
      `refused ${n} connection(s): AIGC_MCP_MAX_CONNECTIONS (${max}) are open, each serving a request; each open call holds one, raise it for more calls at once`,
  );

  server.on("connection", (socket: Socket) => {
    open++;
    socket.once("close", () => {
      open--;
      fresh.delete(socket);
      idle.delete(socket);
    });
    if (open > max) {
      const oldest = first(fresh) ?? first(idle);
      if (!oldest) {
        socket.destroy();
        return refused();
      }
      fresh.delete(oldest);
      idle.delete(oldest);
      oldest.destroy();
      closed();
    }
    fresh.add(socket);
  });

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    fresh.delete(socket);
    idle.delete(socket);
    // Kept alive for a next request: idle, as the newest.
    res.once("close", () => {
      if (!socket.destroyed) idle.add(socket);
    });
  });
}

function first(set: Set<Socket>): Socket | undefined {
  return set.values().next().value;
}

/** Counts events and logs them with `say(count)`, once per LOG_EVERY_MS at most. */
function throttled(say: (count: number) => string): () => void {
  let count = 0;
  let since = 0;
  return () => {
    count++;
    if (Date.now() - since < LOG_EVERY_MS) return;
    log.warn(say(count));
    [count, since] = [0, Date.now()];
  };
}

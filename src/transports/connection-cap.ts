/**
 * AIGC_MCP_MAX_CONNECTIONS for the HTTP server, kept so that connections with no request under way
 * cannot lock clients out. Node's own `server.maxConnections` closes every connection over the cap:
 * a client that opens connections and never finishes a request's headers, reconnecting as soon as
 * the headers timeout closes one, then held every place (a security tryout shut out /healthz and
 * every client for 40 s with 256 such sockets, no token needed). Here a connection over the cap
 * closes the oldest one whose answer is sent and that only waits for its request body's rest
 * (reply.ts), else one that has not sent a request yet, else one idle between requests (kept alive
 * by its client): of those, one from the address that has the most connections open, the oldest of
 * its. So sockets one address keeps busy with quick requests (always the newest idle ones) make room
 * from their own number, not from another client's connection idle between its calls; behind a
 * proxy every connection has its address, and the oldest goes. Only when every open connection is
 * serving a request is the new one refused. A client sends its request's headers as soon as it
 * connects, so it gets in, and a connection serving a request (a long tool call's SSE answer) is
 * never closed for room. A refused connection is let in, 32 at most at once, for one request: a
 * 503 saying why (a reset would leave its client with a bare "fetch failed"), or /healthz's answer,
 * so a health check does not restart a server that is only busy; then it is closed.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { log } from "../log.js";
import { oldestLingering, plain } from "./reply.js";

/** How often, at most, the log says connections were closed, or refused, for the cap. */
const LOG_EVERY_MS = 60_000;
/** Refused connections let in at once to be told so; more are closed at once. */
const REFUSED_LET_IN = 32;
/** Connections over the cap, each let in for one request (see refuseOverCap). */
const overCap = new WeakSet<Socket>();

export function capConnections(server: Server, max: number): void {
  // Oldest first (a Set keeps insertion order): connections that have sent no request, and those between requests.
  const fresh = new Set<Socket>();
  const idle = new Set<Socket>();
  let refusing = 0;
  /** Connections over the cap that have not sent their request yet, oldest first. */
  const overCapSilent = new Set<Socket>();
  let open = 0;
  /** Connections open per remote address. */
  const perAddress = new Map<string, number>();
  const crowdedFirst = (set: Set<Socket>) => mostCrowded(set, perAddress);
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
    const address = socket.remoteAddress ?? "";
    perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
    socket.once("close", () => {
      open--;
      const left = perAddress.get(address)! - 1;
      if (left) perAddress.set(address, left);
      else perAddress.delete(address);
      fresh.delete(socket);
      idle.delete(socket);
    });
    if (open > max) {
      // First one whose answer is sent and that only waits for its body's rest (reply.ts): it serves
      // no one, while a fresh one may be a client's about to send its headers. One let in over the
      // cap holds no place under it, so closing it makes none.
      const oldest = oldestLingering((s) => !overCap.has(s)) ?? crowdedFirst(fresh) ?? crowdedFirst(idle);
      if (!oldest) {
        refused();
        if (refusing >= REFUSED_LET_IN) {
          // A refused one already told so, only waiting for its body's rest, makes way; else one
          // still silent (a health check sends its request at once, silent sockets would hold the
          // places until the headers timeout).
          const told = oldestLingering((s) => overCap.has(s)) ?? first(overCapSilent);
          if (!told) return void socket.destroy();
          told.destroy();
        }
        refusing++;
        overCap.add(socket);
        overCapSilent.add(socket);
        return void socket.once("close", () => {
          refusing--;
          overCapSilent.delete(socket);
        });
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
    overCapSilent.delete(socket);
    if (overCap.has(socket)) {
      const close = () => socket.destroySoon();
      return void (res.writableFinished ? close() : res.once("finish", close));
    }
    fresh.delete(socket);
    idle.delete(socket);
    // Kept alive for a next request: idle, as the newest.
    res.once("close", () => {
      if (!socket.destroyed) idle.add(socket);
    });
  });
}

/**
 * Answers a request on a connection over the cap (after /healthz, which is answered as usual) with
 * 503 saying why; false on any other connection.
 */
export function refuseOverCap(req: IncomingMessage, res: ServerResponse, max: number): boolean {
  if (!overCap.has(req.socket)) return false;
  plain(
    res,
    503,
    `Busy: AIGC_MCP_MAX_CONNECTIONS (${max}) connections are open, each serving a request (a tool call's answer, or a connected client's event stream: each MCP client holds one while connected). Send it again later, or raise AIGC_MCP_MAX_CONNECTIONS.`,
    { connection: "close", "retry-after": "5" },
  );
  return true;
}

function first(set: Set<Socket>): Socket | undefined {
  return set.values().next().value;
}

/** The oldest socket of `set` (oldest first) from the address with the most connections open. */
function mostCrowded(set: Set<Socket>, perAddress: Map<string, number>): Socket | undefined {
  let pick: Socket | undefined;
  let most = 0;
  for (const socket of set) {
    const n = perAddress.get(socket.remoteAddress ?? "") ?? 0;
    if (n > most) [pick, most] = [socket, n];
  }
  return pick;
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

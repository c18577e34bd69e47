/**
 * Streamable HTTP at /mcp. Sessions are supported (so cancellation and progress reach the right
 * request) but carry no application state: jobs and media live in the shared AppContext, so a
 * client that opens a new session per call (Dify) or sends no session at all loses nothing.
 * Security: Host and Origin allow-lists (DNS rebinding), optional Bearer token compared in
 * constant time (token.ts), body size cap, and the whole-message value and depth limits (message-limits.ts).
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest, JSONRPCMessageSchema } from "@modelcontextprotocol/sdk/types.js";
import { ConfigError, isLoopbackHost } from "../config.js";
import { machineAddresses, openHostWarning } from "../config-warnings.js";
import type { AppContext } from "../context.js";
import { log } from "../log.js";
import { BodyBudget, roomForBody } from "./body-budget.js";
import { BodyCancels, CANCELLED_UNREAD, cancelledRequestId } from "./body-cancels.js";
import { applyCors } from "./cors.js";
import { hostAllowed, originAllowed } from "./host.js";
import { serveMedia } from "./media-route.js";
import { capConnections, refuseOverCap } from "./connection-cap.js";
import { health } from "./health.js";
import { invalidBatch, invalidMessage, requestIdOf, type InvalidMessage } from "./invalid-message.js";
import { LARGE_MEDIA, messageRefusal } from "./message-limits.js";
import { readBody, refuseBody } from "./read-body.js";
import { serveTaskCallback } from "./task-callback-route.js";
import { answered, DRAINING, json, lingerFor, plain, shuttingDown } from "./reply.js";
import { OAUTH_PATH, sha256, STATIC_TOKEN_HELP, tokenRefusal } from "./token.js";
import { createMcpServer } from "../server.js";
import { transportClosing } from "../open-calls.js";
import { countProcessMedia } from "../net/outbound-bodies.js";
import { VERSION } from "../version.js";

const SESSION_IDLE_MS = 30 * 60_000;
const MAX_SESSIONS = 500;

interface Session {
  server: McpServer;
  transport: StreamableHTTPServerTransport;
  lastSeen: number;
}

export interface HttpHandle {
  url: string;
  server: Server;
  /**
   * Starts shutting down: takes no new connections and answers new requests 503 (Retry-After,
   * Connection: close); resolves once no request is in flight (a standalone GET stream does not
   * count), or after `graceMs`.
   */
  drain(graceMs: number): Promise<void>;
  close(): Promise<void>;
}

export async function serveHttp(app: AppContext): Promise<HttpHandle> {
  const cfg = app.config;
  if (!isLoopbackHost(cfg.host) && !cfg.authToken) {
    throw new Error(
      `refusing to listen on ${cfg.host} without AIGC_MCP_AUTH_TOKEN: anyone on the network could spend your vendor credits. Set a token or bind 127.0.0.1.`,
    );
  }
  const sessions = new Map<string, Session>();
  const tokenDigest = cfg.authToken ? sha256(cfg.authToken) : undefined;
  const sweep = setInterval(() => {
    const cutoff = Date.now() - SESSION_IDLE_MS;
    for (const [id, s] of sessions) if (s.lastSeen < cutoff) void closeSession(id);
  }, 60_000);
  sweep.unref();

  async function closeSession(id: string): Promise<void> {
    const s = sessions.get(id);
    sessions.delete(id);
    if (s) transportClosing(s.server);
    await s?.transport.close().catch(() => undefined);
    await s?.server.close().catch(() => undefined);
  }

  let draining = false;
  /** Requests being answered, but for standalone GET streams (which last as long as their session). */
  let inFlight = 0;
  let idle: (() => void) | undefined;
  // Within Node's requestTimeout (6 × the body timeout, from the headers on): the upload keeps the rest.
  const bodyWaitMs = cfg.bodyTimeoutMs * 3;
  const bodies = new BodyBudget(cfg.maxBodyBytesInFlight, bodyWaitMs);
  const cancels = new BodyCancels(bodyWaitMs + cfg.bodyTimeoutMs * 6);
  /** Aborted when the server starts shutting down: bodies waiting for room are then answered 503. */
  const stopping = new AbortController();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (draining) {
      if (url.pathname === "/healthz") return json(res, 503, { status: "shutting down", name: "aigc-mcp", version: VERSION }, DRAINING);
      return shuttingDown(res);
    }
    if (!hostAllowed(req.headers.host, cfg))
      return plain(res, 403, `Forbidden: Host "${req.headers.host ?? ""}" is not allowed; add it to AIGC_MCP_ALLOWED_HOSTS.`);
    if (!originAllowed(req.headers.origin, cfg))
      return plain(res, 403, `Forbidden: Origin "${req.headers.origin}" is not allowed; add it to AIGC_MCP_ALLOWED_ORIGINS.`);
    if (applyCors(req, res, cfg.allowedOrigins)) return;
    if (url.pathname === "/healthz" && req.method === "GET") return json(res, 200, health(app, sessions.size, bodies));
    if (refuseOverCap(req, res, cfg.maxConnections)) return;
    // A signed download URL, and a vendor's task callback, carry their own authorisation (the URL's signature): no token.
    const mediaName = app.links?.nameFromPath(url.pathname);
    if (mediaName !== undefined && app.links) return serveMedia(req, res, url, mediaName, app.links, app.media);
    const callbackVendor = app.callbacks?.vendorFromPath(url.pathname);
    if (callbackVendor !== undefined && app.callbacks) return serveTaskCallback(req, res, url, callbackVendor, app, cfg.bodyTimeoutMs);
    // Clients probe OAuth discovery and registration after a 401; their error then quotes our answer, so it says what to do.
    if (OAUTH_PATH.test(url.pathname)) return json(res, 404, { error: "invalid_request", error_description: STATIC_TOKEN_HELP });
    if (url.pathname !== "/mcp") return plain(res, 404, "Not found: the MCP endpoint is /mcp");
    if (tokenDigest) {
      const what = tokenRefusal(req.headers.authorization, tokenDigest);
      if (what) {
        res.setHeader("www-authenticate", 'Bearer realm="aigc-mcp"');
        return plain(res, 401, `Unauthorized: ${what}. ${STATIC_TOKEN_HELP}`);
      }
    }
    const sid = [req.headers["mcp-session-id"]].flat()[0];

    if (req.method === "GET" || req.method === "DELETE") {
      const s = sid ? sessions.get(sid) : undefined;
      if (!s)
        return req.method === "GET"
          ? plain(res, 405, "Method not allowed without a session", { allow: "POST" })
          : plain(res, 404, "Session not found");
      s.lastSeen = Date.now();
      if (req.method === "DELETE") transportClosing(s.server); // the SDK closes it in handleRequest
      await s.transport.handleRequest(req, res);
      if (req.method === "DELETE") await closeSession(sid!);
      return;
    }
    if (req.method !== "POST") return plain(res, 405, "Method not allowed", { allow: "GET, POST, DELETE" });

    // A declared length waits for room before the body is read (the socket holds the rest); any other body once read.
    const declared = Number(req.headers["content-length"]);
    const sized = Number.isFinite(declared) && declared <= cfg.maxBodyBytes;
    let room = sized ? await roomForBody(bodies, declared, bodyWaitMs, req, res, stopping.signal) : undefined;
    if (room === "answered") return;
    if (room === "stopped") return shuttingDown(res, req);
    let body: unknown;
    try {
      const raw = await readBody(req, cfg.maxBodyBytes, cfg.bodyTimeoutMs);
      room ??= await roomForBody(bodies, raw.length, bodyWaitMs, req, res, stopping.signal);
      if (room === "answered") return;
      if (room === "stopped") return shuttingDown(res, req);
      const text = raw.toString("utf8");
      const refusal = messageRefusal(text);
      if (refusal) return json(res, 413, { jsonrpc: "2.0", ...refusal });
      body = JSON.parse(text);
    } catch (err) {
      const tooLarge = `Request body over ${cfg.maxBodyBytes} bytes (AIGC_MCP_MAX_BODY_BYTES). ${LARGE_MEDIA}`;
      if (refuseBody(req, res, err, tooLarge, cfg.bodyTimeoutMs)) return;
      return json(res, 400, { jsonrpc: "2.0", error: { code: -32700, message: "Parse error: the body is not JSON" }, id: null });
    }

    if (Array.isArray(body) && body.length === 0)
      return json(res, 400, { jsonrpc: "2.0", error: { code: -32600, message: "Invalid Request: an empty batch" }, id: null });
    // the SDK answers any invalid message "Parse error" (-32700) with a null id: named here, with the request's own id
    const invalid = invalidMessages(body);
    if (invalid) return json(res, 400, invalid);
    // Read while the server started shutting down (its body waited for room, or came slowly): not run.
    if (draining) return shuttingDown(res);

    if (sid) {
      const s = sessions.get(sid);
      if (!s)
        return json(res, 404, {
          jsonrpc: "2.0",
          error: { code: -32001, message: "Session not found (the server may have restarted); initialize again. Jobs are not lost." },
          id: requestIdOf(body) ?? null, // a request's own id; a notification, response or batch: null
        });
      s.lastSeen = Date.now();
      const cancelOf = cancelledRequestId(body);
      if (cancelOf !== undefined) cancels.cancelled(sid, cancelOf);
      const id = requestIdOf(body);
      if (id !== undefined && !cancels.taken(sid, id, room?.release, res))
        return json(res, 200, { jsonrpc: "2.0", id, error: { code: -32000, message: `Error: ${CANCELLED_UNREAD}` } });
      return s.transport.handleRequest(req, res, body);
    }

    const server = createMcpServer(app);
    if (isInitializeRequest(body) && sessions.size < MAX_SESSIONS) {
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        keepAliveMs: cfg.sseKeepAliveMs,
        onsessioninitialized: (id) => void sessions.set(id, { server, transport, lastSeen: Date.now() }),
      });
      transport.onclose = () => {
        if (transport.sessionId) sessions.delete(transport.sessionId);
      };
      await server.connect(transport);
      return transport.handleRequest(req, res, body);
    }
    // No session: serve this one request statelessly.
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, keepAliveMs: cfg.sseKeepAliveMs });
    res.on("close", () => {
      transportClosing(server);
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  // Slowloris: headers and bodies must arrive in time and connections are capped. Node's
  // requestTimeout covers receiving the request only, so a long SSE answer is not cut by it.
  const server = createServer(
    {
      headersTimeout: cfg.headersTimeoutMs,
      requestTimeout: Math.max(cfg.headersTimeoutMs, cfg.bodyTimeoutMs * 6),
      connectionsCheckingInterval: Math.min(1000, cfg.headersTimeoutMs),
    },
    (req, res) => {
      lingerFor(req, cfg.bodyTimeoutMs);
      if (req.method !== "GET") {
        inFlight++;
        answered(res, () => {
          if (--inFlight === 0) idle?.();
        });
      }
      handle(req, res).catch((err) => {
        log.error("HTTP request failed", { error: String(err) });
        if (!res.headersSent) plain(res, 500, "Internal server error");
        else res.end();
      });
    },
  );
  capConnections(server, cfg.maxConnections);
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => reject(listenError(err, cfg.host, cfg.port)));
    server.listen(cfg.port, cfg.host, resolve);
  });
  countProcessMedia(bodies, server);
  const addr = server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}/mcp`;
  log.info("aigc-mcp listening (Streamable HTTP)", { url, auth: Boolean(cfg.authToken), vendors: app.vendors.map((v) => v.id) });
  const refusing = openHostWarning(cfg.host, addr.port, cfg.allowedHosts, machineAddresses());
  if (refusing) log.warn(refusing);
  return {
    url,
    server,
    async drain(graceMs) {
      draining = true;
      stopping.abort();
      // Also closes the idle keep-alive connections (Node >= 19).
      server.close();
      if (inFlight === 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    },
    async close() {
      clearInterval(sweep);
      await Promise.all([...sessions.keys()].map(closeSession));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A listen failure the configuration can fix, as a ConfigError naming the variable (exit code 2); any other as it is. */
function listenError(err: Error, host: string, port: number): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE")
    return new ConfigError(
      "AIGC_MCP_PORT",
      `port ${port} on ${host} is in use by another process: pick another with --port or AIGC_MCP_PORT (0 = any free port)`,
    );
  if (code === "EACCES")
    return new ConfigError(
      "AIGC_MCP_PORT",
      `this process may not listen on port ${port} (ports below 1024 need privileges): pick a port from 1024 up`,
    );
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EAI_AGAIN")
    return new ConfigError(
      "AIGC_MCP_HOST",
      `${host} is not an address of this machine (${code}): use 127.0.0.1, or 0.0.0.0 for every interface`,
    );
  return err;
}

/** The errors answering a body (one message or a batch) holding a message the SDK's schema refuses (see invalidBatch); undefined when all are valid. */
function invalidMessages(body: unknown): InvalidMessage | InvalidMessage[] | undefined {
  const valid = (m: unknown) => JSONRPCMessageSchema.safeParse(m).success;
  if (!Array.isArray(body)) return valid(body) ? undefined : invalidMessage(body);
  return body.every(valid) ? undefined : invalidBatch(body, valid);
}

/**
 * Base for vendor simulators: a real HTTP server on 127.0.0.1 with a request log, a clock tests
 * can move, expiring media URLs serving real bytes, and fault injection (status codes, delays,
 * hangs, truncated or malformed or oversized bodies, connection resets). Used by the tests and
 * by `--sandbox`.
 */
import { createHmac, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  rawQuery: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json?: unknown;
  /** Set when the client went away before the response was complete. */
  aborted?: boolean;
}

export type FaultKind = "status" | "delay" | "hang" | "truncate" | "malformed" | "oversize" | "reset" | "slow-body";

export interface Fault {
  kind: FaultKind;
  /** Which requests it applies to (default: all but media downloads). */
  match?: (req: SimRequest) => boolean;
  /** How many requests it hits (default 1). */
  times?: number;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** For delay: wait before handling; for slow-body: pause between 64 KiB chunks of the answer. */
  delayMs?: number;
  /** For oversize: how many bytes to send. */
  bytes?: number;
}

export interface SimReply {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer | string | object;
  /** Stream the body in chunks with a pause between them. */
  chunkDelayMs?: number;
  /** A body produced chunk by chunk (sent as is, with backpressure; no Content-Length unless given). */
  stream?: AsyncIterable<Buffer> | Iterable<Buffer>;
}

export type SimHandler = (req: SimRequest) => Promise<SimReply> | SimReply;

interface MediaEntry {
  bytes: () => Buffer;
  mime: string;
  expiresAtMs: number;
}

export class SimServer {
  readonly requests: SimRequest[] = [];
  private readonly faults: Fault[] = [];
  private readonly media = new Map<string, MediaEntry>();
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  private offsetMs = 0;
  private readonly mediaKey = randomBytes(16);
  url = "";
  /** Pause between chunks when serving media (slow downloads). */
  mediaChunkDelayMs = 0;

  constructor(
    readonly name: string,
    private readonly handler: SimHandler,
  ) {}

  now(): number {
    return Date.now() + this.offsetMs;
  }
  /** Moves the simulator's clock forward (task progress, URL expiry, token validity). */
  advance(ms: number): void {
    this.offsetMs += ms;
  }

  inject(fault: Fault): void {
    this.faults.push({ times: 1, ...fault });
  }
  clearFaults(): void {
    this.faults.length = 0;
  }

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.dispatch(req, res));
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Publishes media bytes at a TOS-style signed URL that stops working after `ttlS`. */
  publish(bytes: Buffer | (() => Buffer), mime: string, ttlS: number, ext = "bin"): string {
    const id = randomBytes(8).toString("hex");
    this.media.set(id, { bytes: typeof bytes === "function" ? bytes : () => bytes, mime, expiresAtMs: this.now() + ttlS * 1000 });
    const date = new Date(this.now())
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d+Z$/, "Z");
    const sig = createHmac("sha256", this.mediaKey).update(id).digest("hex");
    return `${this.url}/media/${id}.${ext}?X-Tos-Algorithm=TOS4-HMAC-SHA256&X-Tos-Date=${date}&X-Tos-Expires=${ttlS}&X-Tos-Signature=${sig}`;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", "http://sim");
    const sreq: SimRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      rawQuery: url.search.slice(1),
      headers: req.headers,
      body,
    };
    if (body.length && String(req.headers["content-type"] ?? "").includes("json")) {
      try {
        sreq.json = JSON.parse(body.toString("utf8"));
      } catch {
        sreq.json = undefined;
      }
    }
    this.requests.push(sreq);
    res.on("close", () => {
      if (!res.writableFinished) sreq.aborted = true;
    });
    const isMedia = sreq.path.startsWith("/media/");
    const fault = this.takeFault(sreq, isMedia);
    try {
      if (fault && fault.kind !== "slow-body" && (await this.applyFault(fault, res))) return;
      const reply = isMedia ? this.serveMedia(sreq) : await this.handler(sreq);
      if (fault?.kind === "slow-body") reply.chunkDelayMs = fault.delayMs ?? 200;
      await send(res, reply);
    } catch (err) {
      if (!res.headersSent) await send(res, { status: 500, body: { error: { code: "SimulatorError", message: String(err) } } });
    }
  }

  private takeFault(req: SimRequest, isMedia: boolean): Fault | undefined {
    const i = this.faults.findIndex((f) => (f.match ? f.match(req) : !isMedia));
    if (i < 0) return undefined;
    const f = this.faults[i]!;
    if (--f.times! <= 0) this.faults.splice(i, 1);
    return f;
  }

  /** Returns true when the fault produced the whole response. */
  private async applyFault(f: Fault, res: ServerResponse): Promise<boolean> {
    switch (f.kind) {
      case "delay":
        await new Promise((r) => setTimeout(r, f.delayMs ?? 1000));
        return false;
      case "slow-body":
        return false; // applied to the reply in dispatch
      case "status":
        await send(res, {
          status: f.status ?? 500,
          headers: f.headers,
          body: f.body ?? { error: { code: "InternalServiceError", message: "injected failure" } },
        });
        return true;
      case "hang":
        return true; // never answer; the client must time out or abort
      case "reset":
        res.socket?.destroy();
        return true;
      case "truncate":
        res.writeHead(200, { "content-type": "application/json", "content-length": "400" });
        res.write('{"id":"cgt-trunc');
        res.socket?.destroy();
        return true;
      case "malformed":
        await send(res, { status: 200, headers: { "content-type": "application/json" }, body: '{"id": "cgt-, malformed' });
        return true;
      case "oversize": {
        const total = f.bytes ?? 80 * 1024 * 1024;
        res.writeHead(200, { "content-type": "application/json" });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        for (let sent = 0; sent < total && !res.destroyed; sent += chunk.length) {
          if (!res.write(chunk)) await new Promise((r) => res.once("drain", r));
        }
        res.end();
        return true;
      }
    }
  }

  private serveMedia(req: SimRequest): SimReply {
    const id = req.path.slice("/media/".length).split(".")[0]!;
    const entry = this.media.get(id);
    const sig = createHmac("sha256", this.mediaKey).update(id).digest("hex");
    if (!entry || req.query.get("X-Tos-Signature") !== sig)
      return { status: 404, headers: { "content-type": "application/xml" }, body: "<Error><Code>NoSuchKey</Code></Error>" };
    if (this.now() > entry.expiresAtMs) {
      return {
        status: 403,
        headers: { "content-type": "application/xml" },
        body: "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
      };
    }
    return { status: 200, headers: { "content-type": entry.mime }, body: entry.bytes(), chunkDelayMs: this.mediaChunkDelayMs };
  }
}

async function send(res: ServerResponse, reply: SimReply): Promise<void> {
  if (reply.stream) return sendStream(res, reply, reply.stream);
  let body: Buffer;
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  if (Buffer.isBuffer(reply.body)) body = reply.body;
  else if (typeof reply.body === "string") body = Buffer.from(reply.body);
  else if (reply.body === undefined) body = Buffer.alloc(0);
  else {
    body = Buffer.from(JSON.stringify(reply.body));
    headers["content-type"] ??= "application/json";
  }
  headers["content-length"] = String(body.length);
  res.writeHead(reply.status, headers);
  if (!reply.chunkDelayMs) {
    res.end(body);
    return;
  }
  const step = 64 * 1024;
  for (let i = 0; i < body.length && !res.destroyed; i += step) {
    res.write(body.subarray(i, i + step));
    await new Promise((r) => setTimeout(r, reply.chunkDelayMs));
  }
  res.end();
}

async function sendStream(res: ServerResponse, reply: SimReply, stream: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<void> {
  res.writeHead(reply.status, reply.headers ?? {});
  for await (const chunk of stream) {
    if (res.destroyed) return;
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off("drain", done);
          res.off("close", done);
          resolve();
        };
        res.on("drain", done);
        res.on("close", done);
      });
    }
    if (reply.chunkDelayMs) await new Promise((r) => setTimeout(r, reply.chunkDelayMs));
  }
  if (!res.destroyed) res.end();
}

export function header(req: SimRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** A task whose status follows the simulator clock: queued, then running, then its outcome. */
export interface SimTask<T> {
  id: string;
  createdMs: number;
  queuedMs: number;
  runningMs: number;
  outcome: "succeeded" | "failed" | "expired";
  cancelled?: boolean;
  deleted?: boolean;
  data: T;
}

export function taskPhase<T>(task: SimTask<T>, now: number): "queued" | "running" | "succeeded" | "failed" | "expired" | "cancelled" {
  if (task.cancelled) return "cancelled";
  const t = now - task.createdMs;
  if (task.outcome === "expired") return t < task.queuedMs ? "queued" : "expired";
  if (t < task.queuedMs) return "queued";
  if (t < task.queuedMs + task.runningMs) return "running";
  return task.outcome;
}

/** What every vendor simulator shares: its SimServer, start and close. Subclasses answer requests in `handle`. */
export abstract class VendorSimulator {
  readonly sim: SimServer;

  constructor(name: string) {
    this.sim = new SimServer(name, (req) => this.handle(req));
  }

  protected abstract handle(req: SimRequest): Promise<SimReply> | SimReply;

  async start(port = 0): Promise<this> {
    await this.sim.start(port);
    return this;
  }

  close(): Promise<void> {
    return this.sim.close();
  }
}

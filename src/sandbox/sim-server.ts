/**
 * Base for vendor simulators: a real HTTP server on 127.0.0.1 with a request log, a clock tests
 * can move, expiring media URLs serving real bytes, and fault injection (status codes, delays,
 * hangs, truncated or malformed or oversized bodies, connection resets). Used by the tests and
 * by `--sandbox`.
 */
import { createHmac, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { isLoopbackHost } from "../config.js";
import { isInternalHost } from "../net/fetch-policy.js";
import { applyFault, send, type Fault, type SimReply } from "./sim-reply.js";

export type { Fault, FaultKind, SimReply } from "./sim-reply.js";

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
  /**
   * Origins on this machine that count as the public internet: this simulator's own (the vendor's
   * CDN) and, in a sandbox, every simulator's (startSandbox adds them), as real vendors' media
   * URLs are public. Every other loopback, private or single-label host is unreachable.
   */
  readonly publicOrigins = new Set<string>();

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

  /** The client sockets open now (tests read how many connections a server holds at once). */
  get openSockets(): number {
    return this.sockets.size;
  }

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.dispatch(req, res));
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.publicOrigins.add(this.url);
    return this.url;
  }

  /** Callbacks sent, in order: where to and what (for tests). */
  readonly callbacks: Array<{ url: string; body: unknown; status?: number; skipped?: boolean }> = [];
  private readonly callbackTimers = new Set<NodeJS.Timeout>();

  /**
   * POSTs `body()` as JSON to `url` at each of `at` (simulator-clock ms), as a vendor calls a task's
   * `callback_url` at its status changes. Sent from this process like any client request (5 s
   * timeout); a failure is only recorded. Only to a loopback host: a simulator sends nothing off this
   * machine (a sandbox whose public URL names another host gets no callbacks; recorded as `skipped`).
   */
  callBack(url: string, at: number[], body: () => unknown): void {
    for (const when of at) {
      const timer = setTimeout(
        () => {
          this.callbackTimers.delete(timer);
          const entry: (typeof this.callbacks)[number] = { url, body: body() };
          this.callbacks.push(entry);
          if (!loopbackUrl(url)) return void (entry.skipped = true);
          fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(entry.body),
            signal: AbortSignal.timeout(5000),
          }).then(
            async (res) => ((entry.status = res.status), await res.arrayBuffer()),
            () => undefined,
          );
        },
        Math.max(0, when - this.now()),
      );
      timer.unref();
      this.callbackTimers.add(timer);
    }
  }

  async close(): Promise<void> {
    for (const t of this.callbackTimers) clearTimeout(t);
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

  /**
   * The first http(s) URL anywhere in a request body that a cloud vendor could not fetch from the
   * internet (a loopback, private, link-local or single-label host outside `publicOrigins`), or
   * undefined. Callback URLs are the vendor's calls out, not inputs, and are skipped. Simulators
   * fail the task (or the synchronous call) with it, as the vendor does after its download fails.
   */
  unreachableUrl(value: unknown, key = ""): string | undefined {
    if (/callback/i.test(key)) return undefined;
    if (typeof value === "string") {
      if (!/^https?:\/\//i.test(value)) return undefined;
      try {
        const u = new URL(value);
        return !this.publicOrigins.has(u.origin) && isInternalHost(u.hostname) ? value : undefined;
      } catch {
        return undefined;
      }
    }
    if (Array.isArray(value)) {
      for (const v of value) {
        const found = this.unreachableUrl(v, key);
        if (found) return found;
      }
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) {
        const found = this.unreachableUrl(v, k);
        if (found) return found;
      }
    }
    return undefined;
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
      if (fault && (await applyFault(fault, res))) return;
      const reply = isMedia ? this.serveMedia(sreq) : await this.handler(sreq);
      if (fault?.kind === "slow-body") reply.chunkDelayMs = fault.delayMs ?? 200;
      if (fault?.kind === "drop-answer") {
        res.socket?.destroy();
        return;
      }
      if (fault?.kind === "hang-answer") {
        if (fault.delayMs === undefined) return;
        await new Promise((r) => setTimeout(r, fault.delayMs));
        if (res.destroyed) return;
      }
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

/**
 * A task id from `make` that no task of the simulator holds (`taken`): a vendor never issues one
 * twice, and ids with a few random bits (Ark's `cgt-<time>-<5 chars>`) repeat within a second under
 * a burst, which gave two calls one task.
 */
export function freshTaskId(make: () => string, taken: (id: string) => boolean): string {
  for (;;) {
    const id = make();
    if (!taken(id)) return id;
  }
}

export function header(req: SimRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
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

function loopbackUrl(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}

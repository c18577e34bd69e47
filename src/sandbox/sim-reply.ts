/** How a simulator writes its answers: whole or chunked bodies, streams with backpressure, and injected faults. */
import type { ServerResponse } from "node:http";
import type { SimRequest } from "./sim-server.js";

/**
 * `drop-answer`: the request is handled (a task is created and billed) and then the connection is
 * cut before the answer is sent, as when the answer is lost in transit. `hang-answer`: handled,
 * and the answer is held for `delayMs` (default: never sent).
 */
export type FaultKind =
  "status" | "delay" | "hang" | "truncate" | "malformed" | "oversize" | "reset" | "slow-body" | "drop-answer" | "hang-answer";

export interface Fault {
  kind: FaultKind;
  /** Which requests it applies to (default: all but media downloads). */
  match?: (req: SimRequest) => boolean;
  /** How many requests it hits (default 1). */
  times?: number;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * For delay: wait before handling; for slow-body: pause between chunks of the answer (64 KiB, or
   * two halves of a smaller one, so that a small JSON answer arrives slowly too).
   */
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

/** Returns true when the fault produced the whole response. */
export async function applyFault(f: Fault, res: ServerResponse): Promise<boolean> {
  switch (f.kind) {
    case "delay":
      await new Promise((r) => setTimeout(r, f.delayMs ?? 1000));
      return false;
    case "slow-body":
    case "drop-answer":
    case "hang-answer":
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

export async function send(res: ServerResponse, reply: SimReply): Promise<void> {
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
  const step = Math.max(1, Math.min(64 * 1024, Math.ceil(body.length / 2)));
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

import type { IncomingMessage, ServerResponse } from "node:http";
import { lingerFor, plain } from "./reply.js";

/** Reads the body up to `max` bytes; rejects "too large", or "stalled" when no bytes come for `idleMs`. */
export function readBody(req: IncomingMessage, max: number, idleMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > max) {
      req.resume();
      return reject(new Error("too large"));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let timer = setTimeout(stalled, idleMs);
    function stalled() {
      req.off("data", onData);
      req.pause();
      reject(new Error("stalled"));
    }
    const done = () => clearTimeout(timer);
    const onData = (c: Buffer) => {
      clearTimeout(timer);
      size += c.length;
      if (size > max) {
        // What comes after is refuseBody's to drop (or the connection's to close).
        req.off("data", onData);
        req.pause();
        reject(new Error("too large"));
      } else {
        chunks.push(c);
        timer = setTimeout(stalled, idleMs);
      }
    };
    req.on("data", onData);
    req.on("end", () => {
      done();
      resolve(Buffer.concat(chunks));
    });
    req.on("error", (err) => {
      done();
      reject(err);
    });
    req.on("close", done);
  });
}

/**
 * Answers a body `readBody` refused: 408 when it stalled, closing the connection at once; 413
 * (`tooLarge` says the limit) when it was too large, the rest of the body read and dropped (never
 * kept) until it ends or pauses for the body timeout (reply.ts's send). False for any other error
 * (nothing answered).
 */
export function refuseBody(req: IncomingMessage, res: ServerResponse, err: unknown, tooLarge: string, idleMs: number): boolean {
  const why = err instanceof Error ? err.message : "";
  if (why !== "stalled" && why !== "too large") return false;
  if (why === "stalled") {
    lingerFor(req, 0);
    res.on("finish", () => req.destroy());
    plain(res, 408, `Request body stalled for over ${idleMs / 1000} s (AIGC_MCP_BODY_TIMEOUT_S)`, { connection: "close" });
    return true;
  }
  plain(res, 413, tooLarge);
  return true;
}

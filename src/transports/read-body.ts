import type { IncomingMessage } from "node:http";

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
      req.pause();
      reject(new Error("stalled"));
    }
    const done = () => clearTimeout(timer);
    req.on("data", (c: Buffer) => {
      clearTimeout(timer);
      size += c.length;
      if (size > max) {
        req.pause();
        reject(new Error("too large"));
      } else {
        chunks.push(c);
        timer = setTimeout(stalled, idleMs);
      }
    });
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

/**
 * `GET|HEAD <public>/media/<name>?exp=…&sig=…`: a generated file for whoever holds its signed URL
 * (Dify's containers, a browser, curl), with Content-Type, Content-Length, Content-Disposition and
 * single byte ranges (RFC 9110 §14). Only files this server generated are served; a bad or expired
 * signature is 403 and says which; a file removed or changed since it was saved (other bytes than the
 * ones generated) is 404, and nothing tells whether some other file exists; a job store or bucket
 * that did not answer is 503.
 */
import type { FileHandle } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import type { MediaStore } from "../media/store.js";
import { isMediaElsewhere, isMediaNotFound, openGenerated, type OpenedFile } from "../media/open-file.js";
import { describeError } from "../errors.js";
import { ELSEWHERE } from "../media/media-uri.js";
import { log } from "../log.js";
import { mimeForExt } from "../media/sniff.js";
import type { SignedMediaUrls } from "../media/signed-url.js";
import { plain } from "./reply.js";
import { counting, largeStream } from "../net/v8-flags.js";

export async function serveMedia(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  name: string,
  signer: SignedMediaUrls,
  media: MediaStore,
) {
  if (req.method !== "GET" && req.method !== "HEAD") return plain(res, 405, "Method not allowed", { allow: "GET, HEAD" });
  const check = signer.verify(name, url.searchParams.get("exp"), url.searchParams.get("sig"));
  if (check === "expired") return plain(res, 403, "Forbidden: this download URL has expired; call get_job for a fresh one.");
  if (check === "bad") return plain(res, 403, "Forbidden: the download URL's signature is missing or does not match.");
  let file: OpenedFile;
  try {
    // Opened once and checked as opened (open-file.ts): a link swapped in after a check is not followed outside.
    file = await openGenerated(media, name);
  } catch (err) {
    if (!isMediaNotFound(err)) {
      // The job store (Redis) or the bucket did not answer: not the file's fault, so not a 404. The details go to the log only.
      log.warn("a /media/ download could not be served", { name, error: describeError(err) });
      // Within the bucket's quiet time after a request it left unanswered, every read fails at once: retry after it.
      const wait = Math.max(10, Math.ceil((media.bucket?.quietForMs() ?? 0) / 1000));
      return plain(res, 503, "Service unavailable: the output could not be looked up or read just now; try again shortly.", {
        "retry-after": String(wait),
      });
    }
    if (isMediaElsewhere(err)) return plain(res, 404, `Not found here: ${ELSEWHERE}.`);
    // Only this server signs, so the name is most likely an output of its own: say what can have become of it.
    return plain(
      res,
      404,
      "Not found: this server has no output by this name as it was saved (removed from the output folder, or changed since it was saved); if it is a job's output, that job's get_job result (list_jobs finds it) says where it can still be had.",
    );
  }
  const { fh, size } = file;
  let streaming = false;
  try {
    streaming = await respond(req, res, name, fh, size);
  } finally {
    if (!streaming) await fh.close().catch(() => undefined);
  }
}

/** Answers with the opened file; true when a stream took the handle (and closed it). */
async function respond(req: IncomingMessage, res: ServerResponse, name: string, fh: FileHandle, size: number): Promise<boolean> {
  const range = parseRange(req.headers.range, size);
  const headers: Record<string, string> = {
    "content-type": mimeForExt(name.split(".").pop() ?? "") ?? "application/octet-stream",
    "content-disposition": `inline; filename="${name}"`,
    "accept-ranges": "bytes",
    "cache-control": "private, max-age=3600",
    "x-content-type-options": "nosniff",
  };
  if (range === "unsatisfiable") return (plain(res, 416, "Range not satisfiable", { "content-range": `bytes */${size}` }), false);
  const [start, end] = range ?? [0, size - 1];
  const length = end - start + 1; // never 0: no generated file is empty (openGenerated)
  res.writeHead(range ? 206 : 200, {
    ...headers,
    "content-length": String(length),
    ...(range ? { "content-range": `bytes ${start}-${end}/${size}` } : {}),
  });
  if (req.method === "HEAD") return (res.end(), false);
  const large = largeStream(); // frequent scavenges while a large file streams (net/v8-flags.ts)
  const stream = fh.createReadStream({ start, end });
  await pipeline(stream, counting(large), res)
    .catch(() => res.destroy())
    .finally(large.end);
  return true;
}

/**
 * One `bytes=` range as inclusive offsets; undefined for no (or an ignorable, e.g. multi-part)
 * Range header, which gets the whole file.
 */
export function parseRange(header: string | undefined, size: number): [number, number] | "unsatisfiable" | undefined {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  let start: number;
  let end: number;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0) return "unsatisfiable";
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    if (m[2] !== "" && Number(m[2]) < start) return undefined; // an invalid range is ignored (RFC 9110 §14.2)
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size) return "unsatisfiable";
  return [start, end];
}

/**
 * `POST <public>/callbacks/<vendor>?sig=…`: a vendor's news that a task changed (src/net/task-callbacks.ts).
 * The job this process follows for the task polls it at once; the body is read (up to 64 KiB) only
 * for the task id and is otherwise ignored. Answers 200 whether or not a job here follows the task
 * (a vendor that gets errors may retry or give up on the URL); a bad signature is 403.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AppContext } from "../context.js";
import { log } from "../log.js";
import { callbackTaskId } from "../net/task-callbacks.js";
import { readBody, refuseBody } from "./read-body.js";
import { json, plain } from "./reply.js";

const MAX_CALLBACK_BYTES = 64 * 1024;

export async function serveTaskCallback(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  vendor: string,
  app: Pick<AppContext, "callbacks" | "jobs">,
  bodyTimeoutMs: number,
): Promise<void> {
  // The signature first: without it, nothing tells whether the route exists.
  if (!app.callbacks?.verify(vendor, url.searchParams.get("sig")))
    return plain(res, 403, "Forbidden: the callback URL's signature is missing or does not match.", { connection: "close" });
  if (req.method !== "POST") return plain(res, 405, "Method not allowed", { allow: "POST", connection: "close" });
  let text: string;
  try {
    text = (await readBody(req, MAX_CALLBACK_BYTES, bodyTimeoutMs)).toString("utf8");
  } catch (err) {
    if (!refuseBody(req, res, err, `Payload too large: a task callback is at most ${MAX_CALLBACK_BYTES} bytes.`, bodyTimeoutMs))
      res.destroy();
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return plain(res, 400, "Bad request: a task callback's body is a JSON object naming its task.");
  }
  const task = callbackTaskId(body);
  const followed = task ? app.jobs.nudgeTask(vendor, task) : 0;
  log.debug("task callback", { vendor, task, followed });
  json(res, 200, { received: true });
}

/**
 * What `notifications/cancelled` does to request bodies over HTTP (BodyBudget). The SDK sends no
 * answer to a cancelled request, so its SSE stream stays open while its client keeps the connection:
 * its room is given back at the cancel instead. And a cancel can come before the body it cancels is
 * read (the body waiting for room): that request is then not run when it is read.
 */
import type { ServerResponse } from "node:http";
import { isObject } from "../is-object.js";

/** The answer to a request its client cancelled before its body was read (it waited for room). */
export const CANCELLED_UNREAD = "the client cancelled this request (notifications/cancelled) before its body was read; it was not run";

/** Most early cancels remembered at once (each for `keepMs`): a client cannot grow this without bound. */
const MAX_EARLY = 10_000;

const keyOf = (sid: string, id: string | number) => `${sid}\n${typeof id}:${id}`;

export class BodyCancels {
  private readonly held = new Map<string, () => void>();
  private readonly early = new Map<string, NodeJS.Timeout>();

  /** `keepMs`: how long a cancel of a request not read yet is remembered (its body's longest wait and upload). */
  constructor(private readonly keepMs: number) {}

  /**
   * Request `id` of session `sid` was read, its body holding room that `release` gives back (a
   * no-op for a small body, which holds none).
   * False when its client cancelled it before: it must not run.
   */
  taken(sid: string, id: string | number, release: (() => void) | undefined, res: ServerResponse): boolean {
    const key = keyOf(sid, id);
    const timer = this.early.get(key);
    if (timer) {
      clearTimeout(timer);
      this.early.delete(key);
      release?.();
      return false;
    }
    if (release) {
      this.held.set(key, release);
      res.once("close", () => {
        if (this.held.get(key) === release) this.held.delete(key);
      });
    }
    return true;
  }

  /** Session `sid` cancelled its request `id`: the room its body holds is given back, or the request, when read, is not run. */
  cancelled(sid: string, id: string | number): void {
    const key = keyOf(sid, id);
    const release = this.held.get(key);
    if (release) {
      this.held.delete(key);
      return release();
    }
    if (this.early.has(key) || this.early.size >= MAX_EARLY) return;
    const timer = setTimeout(() => this.early.delete(key), this.keepMs);
    timer.unref();
    this.early.set(key, timer);
  }
}

/** The `requestId` a `notifications/cancelled` message names, else undefined. */
export function cancelledRequestId(message: unknown): string | number | undefined {
  if (!isObject(message) || message.method !== "notifications/cancelled" || !isObject(message.params)) return undefined;
  const id = message.params.requestId;
  return typeof id === "string" || typeof id === "number" ? id : undefined;
}

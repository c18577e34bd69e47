/** A tool call's progress notifications: elapsed seconds, strictly increasing, and a heartbeat while nothing else is said. */
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import { redact } from "../log.js";

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** How long a call that has said something stays silent before its last message is sent again (as a job's wait does: engine.ts). */
export const PROGRESS_HEARTBEAT_MS = 2500;

export interface ProgressReporter {
  /** Sends a progress notification when the client asked for them (no-op otherwise). */
  send: (message: string, percent?: number) => void;
  /** Ends the heartbeat: the call answered. */
  stop: () => void;
}

/**
 * The reporter of one call. After its first message, a call silent for PROGRESS_HEARTBEAT_MS (a
 * chat waiting for its first token, a slow upload) sends its last message again with the time it
 * has waited, so clients that reset their timeout on progress (Claude Code) keep waiting.
 */
export function progressReporter(extra: Extra, heartbeatMs = PROGRESS_HEARTBEAT_MS): ProgressReporter {
  const token = extra._meta?.progressToken;
  if (token === undefined) return { send: () => {}, stop: () => {} };
  const started = Date.now();
  let last = 0;
  let said: { message: string; at: number } | undefined;
  let timer: NodeJS.Timeout | undefined;
  const notify = (message: string) => {
    // `progress` must strictly increase: seconds elapsed, nudged forward if two land together.
    const progress = Math.max(Math.round((Date.now() - started) / 100) / 10, Math.round((last + 0.1) * 10) / 10);
    last = progress;
    void extra
      .sendNotification({ method: "notifications/progress", params: { progressToken: token, progress, message: redact(message) } })
      .catch(() => undefined);
  };
  const beat = () => {
    if (!said || Date.now() - said.at < heartbeatMs) return;
    notify(`${said.message} (still waiting: ${Math.round((Date.now() - said.at) / 1000)} s)`);
  };
  return {
    send: (message, percent) => {
      const text = percent !== undefined ? `${message} (${Math.round(percent)}%)` : message;
      said = { message: text, at: Date.now() };
      notify(text);
      timer ??= setInterval(beat, heartbeatMs).unref();
    },
    stop: () => {
      clearInterval(timer);
      said = undefined;
    },
  };
}

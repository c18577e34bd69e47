/**
 * The limits of the tool call this code runs for: its AbortSignal (the client's cancel, a shutdown)
 * and the end of its wait budget. Set once per call (src/tools/define.ts) and read by the input
 * downloads made for it (src/media/inputs.ts), so every media argument of every tool is bounded
 * without threading both through each tool. AsyncLocalStorage is Node's own way to do this.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export interface CallLimits {
  signal: AbortSignal;
  /** When the call's wait budget ends (epoch ms). */
  deadlineMs: number;
}

const limits = new AsyncLocalStorage<CallLimits>();

export function withCallLimits<T>(call: CallLimits, run: () => Promise<T>): Promise<T> {
  return limits.run(call, run);
}

/** The limits of the call this code runs for; undefined outside a tool call (a job resumed later). */
export function callLimits(): CallLimits | undefined {
  return limits.getStore();
}

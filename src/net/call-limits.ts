/**
 * The limits of one tool call that the input downloads made for it keep to: its AbortSignal (the
 * client's cancel, a shutdown) and the end of its wait budget. Built once per call (src/tools/define.ts)
 * and handed down in the tool's context (`ToolContext.limits`, src/tools/media-inputs.ts).
 *
 * Passed, not carried in an AsyncLocalStorage as from 80c6948: with that second store entered for
 * every call, a 500 MB video streamed to disk and the bucket left 19-24 MiB of RSS growth instead of
 * 11-13 (issue 16, goal 3; bisected and measured side by side on 2026-12-04). Each store is copied
 * onto every promise the call creates, and the extra allocation per streamed chunk seems to change
 * which spent chunks get promoted to the old generation (our reading, not measured).
 */
import type { LoadRoom } from "./loaded-media.js";

export interface CallLimits {
  signal: AbortSignal;
  /** When the call's wait budget ends (epoch ms); Infinity for a task-augmented call, which has none. */
  deadlineMs: number;
  /** Room for the media the call loads itself (net/loaded-media.ts); none: its loads do not wait (a test's direct call). */
  loads?: LoadRoom;
}

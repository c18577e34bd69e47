/**
 * Large request bodies this process is sending to vendors, and media it loads itself for calls
 * (net/loaded-media.ts), counted against the HTTP transport's body budget
 * (transports/body-budget.ts). A call with inline media that answers at once (`wait_seconds: 0`,
 * a job id) ends its own HTTP request while its create, which carries the same media, is still
 * being sent or rendered: without this its inbound room was given back then, and a burst of such
 * calls held their media in memory without bound. The count is the process's, as its memory is:
 * every HTTP server in one process counts every request to a vendor and every load.
 */

/** How a load waits for room (ProcessCount.acquireLoaded). */
export interface LoadWait {
  /** Stops the wait: the load gets no room. */
  signal?: AbortSignal;
  /** The call's own wait, when longer than the budget's. */
  waitMs?: number;
  /** The call the load is for (its LoadRoom): what that call holds already never keeps it waiting. */
  room?: object;
}

/** What a budget counts for the whole process. */
export interface ProcessCount {
  /** A request body to a vendor, in memory already: counted at once (never waits); returns its release. */
  holdSending(bytes: number): () => void;
  /** Waits for room to load `bytes` of media: its release, or undefined when none came in time or the wait was stopped. */
  acquireLoaded(bytes: number, wait: LoadWait): Promise<(() => void) | undefined>;
  /** Why a load found no room after waiting (`waitMs` as given to acquireLoaded): one sentence naming the counts and the setting. */
  busyReason(bytes: number, waitMs?: number): string;
}

const counts = new Set<ProcessCount>();

/** Counts this process's outbound bodies and loads in `count` until `until` emits "close" (the HTTP server that owns it). */
export function countProcessMedia(count: ProcessCount, until: { once(event: "close", fn: () => void): unknown }): void {
  counts.add(count);
  until.once("close", () => counts.delete(count));
}

/** The counts now registered (none over stdio: nothing then waits). */
export function processCounts(): ProcessCount[] {
  return [...counts];
}

/** Runs `send` with an outbound body of `chars` characters counted in every count until it settles. */
export async function whileSending<T>(chars: number, send: () => Promise<T>): Promise<T> {
  const releases = [...counts].map((count) => count.holdSending(chars));
  try {
    return await send();
  } finally {
    for (const release of releases) release();
  }
}

/**
 * Large request bodies this process is sending to vendors, counted against the HTTP transport's
 * body budget (transports/body-budget.ts) until the vendor answers. A call with inline media that
 * answers at once (`wait_seconds: 0`, a job id) ends its own HTTP request while its create, which
 * carries the same media, is still being sent or rendered: without this its inbound room was given
 * back then, and a burst of such calls held their media in memory without bound. The count is the
 * process's, as its memory is: every HTTP server in one process counts every request to a vendor.
 */

/** Takes room for `bytes` at once (never waits: the body is in memory already); returns its release. */
export type HoldRoom = (bytes: number) => () => void;

const counters = new Set<HoldRoom>();

/** Counts every large outbound body in `hold` until `until` emits "close" (the HTTP server that owns the budget). */
export function countOutboundBodies(hold: HoldRoom, until: { once(event: "close", fn: () => void): unknown }): void {
  counters.add(hold);
  until.once("close", () => counters.delete(hold));
}

/** Runs `send` with an outbound body of `chars` characters counted in every counting budget until it settles. */
export async function whileSending<T>(chars: number, send: () => Promise<T>): Promise<T> {
  const releases = [...counters].map((hold) => hold(chars));
  try {
    return await send();
  } finally {
    for (const release of releases) release();
  }
}

/**
 * An outbound request's overall deadline (totalTimeoutMs) fires whatever the garbage collector does:
 * Node's AbortSignal.timeout inside AbortSignal.any could be collected and never fire
 * (nodejs/node#57736), and a dripping download then outlived its limit by minutes.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpOpen } from "../../src/net/http.js";
import { withDeadline } from "../../src/net/deadline.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

let server: Server;
let url: string;
beforeAll(async () => {
  // Headers at once, then one byte a second for ever.
  server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "image/jpeg" });
    const t = setInterval(() => res.write("x"), 1000);
    res.on("close", () => clearInterval(t));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/drip`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

async function readAll(body: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of body);
}

describe("the overall deadline of a request", () => {
  it("aborts a dripping body on time, with the caller's signal beside it, after garbage collections", async () => {
    const caller = new AbortController();
    const started = Date.now();
    const res = await httpOpen(url, { vendor: "test", signal: caller.signal, timeoutMs: 5_000, totalTimeoutMs: 1_500 });
    const collect = setInterval(gc, 50);
    try {
      await expect(readAll(res.body)).rejects.toThrow();
    } finally {
      clearInterval(collect);
    }
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("withDeadline combines a signal and a deadline that both fire, and clear() stops the timer", async () => {
    const caller = new AbortController();
    const d = withDeadline(caller.signal, 100);
    for (let i = 0; i < 5; i++) gc();
    await new Promise((r) => setTimeout(r, 300));
    expect(d.signal.aborted).toBe(true);
    expect((d.signal.reason as DOMException).name).toBe("TimeoutError");
    const cancelled = withDeadline(caller.signal, 100);
    cancelled.clear();
    caller.abort();
    expect(cancelled.signal.aborted).toBe(true);
    const cleared = withDeadline(undefined, 50);
    cleared.clear();
    await new Promise((r) => setTimeout(r, 150));
    expect(cleared.signal.aborted).toBe(false);
  });
});

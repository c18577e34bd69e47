/**
 * A media argument the server downloads itself (an allow-listed host, gateway_transcribe's audio)
 * stops with the call: when the client cancels it, and by the end of its wait budget (given at least
 * MIN_DOWNLOAD_MS). A host that drips its body used to hold the call, and its socket, for minutes.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIN_DOWNLOAD_MS } from "../../../src/media/inputs.js";
import { startHarness, text, type Harness } from "../../helpers/harness.js";
import { mark } from "../../helpers/results.js";

let drip: Server;
let port: number;
let open = 0;
let h: Harness;
beforeAll(async () => {
  drip = createServer((_req, res) => {
    open++;
    res.writeHead(200, { "content-type": "image/jpeg" });
    const t = setInterval(() => res.write("x"), 500);
    res.on("close", () => {
      clearInterval(t);
      open--;
    });
  });
  await new Promise<void>((r) => drip.listen(0, "127.0.0.1", r));
  port = (drip.address() as AddressInfo).port;
  h = await startHarness({ env: { AIGC_MCP_FETCH_ALLOW_HOSTS: `127.0.0.1:${port}` } });
});
afterAll(async () => {
  await h.close();
  drip.closeAllConnections();
  drip.close();
});

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("input downloads within the call", () => {
  it("stop when the client cancels the call: the socket to the host closes, nothing reaches the vendor", async () => {
    const ark = mark(h.sandbox.ark);
    const ac = new AbortController();
    const call = h.call("seedream_generate_image", { prompt: "x", images: [`http://127.0.0.1:${port}/a.jpg`] }, { signal: ac.signal });
    call.catch(() => undefined);
    await until(() => open === 1, 5_000);
    ac.abort();
    await until(() => open === 0, 3_000);
    expect(ark.since()).toHaveLength(0);
  });

  it("end by the call's wait budget (at least MIN_DOWNLOAD_MS), with the one download error", async () => {
    const ark = mark(h.sandbox.ark);
    const started = Date.now();
    const r = await h.call("seedream_generate_image", { prompt: "x", images: [`http://127.0.0.1:${port}/b.jpg`], wait_seconds: 1 });
    const took = Date.now() - started;
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/^Error: DownloadFailed.*images\[0\]: could not download/);
    expect(took).toBeGreaterThanOrEqual(MIN_DOWNLOAD_MS - 500);
    expect(took).toBeLessThan(MIN_DOWNLOAD_MS + 5_000);
    // The socket is destroyed before the answer; the host sees it close a moment later.
    await until(() => open === 0, 2_000);
    expect(ark.since()).toHaveLength(0);
  }, 30_000);
});

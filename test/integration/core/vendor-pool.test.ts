/**
 * Issue 16, goal 4: the sockets kept per vendor origin follow AIGC_MCP_MAX_CONNECTIONS (the calls
 * the server holds at once), so synchronous calls the server accepted do not queue for a socket
 * behind a smaller fixed pool, and a small setting still bounds them (the rest wait, none fails).
 */
import { afterEach, describe, expect, it } from "vitest";
import { startHarness, structured, type Harness } from "../../helpers/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Sends `n` Seedream calls at once while sampling the simulator's open sockets; the peak and the results. */
async function burst(n: number, maxConnections: string) {
  h = await startHarness({ ark: { imageDelayMs: 1_500, maxRenderEdge: 64 }, env: { AIGC_MCP_MAX_CONNECTIONS: maxConnections } });
  const sim = h.ark.sim;
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, sim.openSockets)), 5);
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      h!.call("seedream_generate_image", { prompt: `pool ${i}`, size: "1K", watermark: false, wait_seconds: 120 }, { timeout: 120_000 }),
    ),
  );
  clearInterval(sampler);
  return { peak, results };
}

describe("outbound sockets per vendor origin", () => {
  it("opens as many as the calls in flight, past the fixed 64 it once had", async () => {
    const { peak, results } = await burst(80, "100");
    expect(results.filter((r) => r.isError)).toEqual([]);
    expect(new Set(results.map((r) => structured<{ assets: Array<{ path: string }> }>(r).assets[0]?.path)).size).toBe(80);
    expect(peak).toBeGreaterThanOrEqual(80);
  }, 60_000);

  it("keeps at most AIGC_MCP_MAX_CONNECTIONS, and the calls beyond them wait instead of failing", async () => {
    const { peak, results } = await burst(8, "3");
    expect(results.filter((r) => r.isError)).toEqual([]);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(3);
  }, 60_000);
});

/**
 * A vendor that takes the request and never answers (tryout finding): the call keeps its client
 * waiting with progress while it waits, and its timeout names the variable that sets it.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Progress } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, text, type Harness } from "../../helpers/harness.js";

describe("a gateway that never answers", () => {
  let h: Harness;
  let silent: Server;
  beforeAll(async () => {
    silent = createServer(() => undefined); // reads the request, answers nothing
    await new Promise<void>((ok) => silent.listen(0, "127.0.0.1", ok));
    h = await startHarness({
      env: { AI_GATEWAY_BASE_URL: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/v1`, AI_GATEWAY_TIMEOUT_S: "4" },
    });
  });
  afterAll(async () => {
    await h.close();
    silent.closeAllConnections();
    silent.close();
  });

  it("sends its last progress again while it waits, and its timeout names AI_GATEWAY_TIMEOUT_S", async () => {
    const seen: Progress[] = [];
    const r = await h.call("gateway_chat", { prompt: "hi", max_tokens: 10 }, { onprogress: (p) => seen.push(p) });
    expect(r.isError).toBe(true);
    const [first, advice] = text(r).split("\n");
    expect(first).toMatch(/^Error: Timeout \(AI Gateway\): .* did not answer within 4 s \(UND_ERR_HEADERS_TIMEOUT\)/);
    expect(advice).toBe("What to do: Try again; if AI Gateway needs longer for such requests, raise AI_GATEWAY_TIMEOUT_S (now 4).");
    expect(seen[0]!.message).toMatch(/^asking /);
    expect(seen.some((p) => /^asking .* \(still waiting: [23] s\)$/.test(p.message ?? ""))).toBe(true);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.progress).toBeGreaterThan(seen[i - 1]!.progress);
  });
});

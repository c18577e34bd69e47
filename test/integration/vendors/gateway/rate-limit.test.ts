/** The gateway's 429s, through two of the tools. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, text, type Harness } from "../../../helpers/harness.js";
import { itNeverShowsTheKey } from "./helpers.js";

describe("gateway tools (key auth, in-process)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  const gw = () => h.sandbox.gateway;

  it("a 429 from the gateway is retried; three in a row are reported as a rate limit", async () => {
    gw().sim.inject({
      kind: "status",
      status: 429,
      body: "Too many requests",
      headers: { "content-type": "text/plain", "retry-after": "0" },
    });
    const ok = await h.call("gateway_embed", { texts: ["once"] });
    expect(ok.isError).toBeFalsy();
    gw().sim.inject({
      kind: "status",
      status: 429,
      body: "Too many requests",
      headers: { "content-type": "text/plain", "retry-after": "0" },
      times: 3,
    });
    const r = await h.call("gateway_chat", { prompt: "hi" });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/^Error: HTTP429 \(AI Gateway, HTTP 429[^)]*\): Too many requests\nWhat to do: .*rate limit/);
  });

  itNeverShowsTheKey(() => h);
});

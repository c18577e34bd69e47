/** The Volcengine Visual plugin's key check. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VisualSimulator } from "../../../../src/vendors/visual/simulator.js";
import { startHarness, type Harness } from "../../../helpers/harness.js";
import { lastRequest } from "../../../helpers/results.js";

describe("Jimeng tools through the MCP server", () => {
  let h: Harness;
  let v: VisualSimulator;
  beforeAll(async () => {
    h = await startHarness();
    v = h.sandbox.visual;
  });
  afterAll(() => h.close());

  it("check validates the keys with a free lookup", async () => {
    const vendor = h.app.vendors.find((x) => x.id === "visual")!;
    expect(await vendor.check(AbortSignal.timeout(5000))).toMatch(/keys accepted.*nothing was created/);
    expect(lastRequest(v).query.get("Action")).toBe("CVSync2AsyncGetResult");
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, structured, text, type Harness } from "../../../helpers/harness.js";
import { mark } from "../../../helpers/results.js";

describe("gateway tools (key auth, in-process)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  const gw = () => h.sandbox.gateway;
  it("embed: vectors in structuredContent, a one-line text", async () => {
    const before = mark(gw());
    const r = await h.call("gateway_embed", { texts: ["tide tables", "moon phases", "tide tables"], dimensions: 256 });
    expect(r.isError).toBeFalsy();
    const s = structured<{ model: string; dimensions: number; count: number; vectors: number[][] }>(r);
    expect(s).toMatchObject({ model: "text-embedding-v4", dimensions: 256, count: 3 });
    expect(s.vectors[0]).toEqual(s.vectors[2]);
    expect(s.vectors[0]).not.toEqual(s.vectors[1]);
    expect(text(r).length).toBeLessThan(400);
    expect(before.since()[0]!.json).toMatchObject({
      model: "text-embedding-v4",
      input: ["tide tables", "moon phases", "tide tables"],
      dimensions: 256,
      encoding_format: "float",
    });
    const empty = await h.call("gateway_embed", { texts: ["ok", ""] });
    expect(empty.isError).toBe(true);
    expect(text(empty)).toMatch(/texts/);
  });
});

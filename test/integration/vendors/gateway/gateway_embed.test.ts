import { readFile } from "node:fs/promises";
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
  it("embed: vectors in a JSON file, never in the result (LangChain and VS Code put structuredContent in the context)", async () => {
    const before = mark(gw());
    const r = await h.call("gateway_embed", { texts: ["tide tables", "moon phases", "tide tables"], dimensions: 256 });
    expect(r.isError).toBeFalsy();
    const s = structured<{ model: string; dimensions: number; count: number; vectors_path: string; message: string }>(r);
    expect(s).toMatchObject({ model: "text-embedding-v4", dimensions: 256, count: 3 });
    expect(s.message).toMatch(/^3 vector\(s\) of 256 dimensions/);
    const vectors = JSON.parse(await readFile(s.vectors_path, "utf8")) as number[][];
    expect(vectors).toHaveLength(3);
    expect(vectors[0]).toHaveLength(256);
    expect(vectors[0]).toEqual(vectors[2]);
    expect(vectors[0]).not.toEqual(vectors[1]);
    expect(text(r).length).toBeLessThan(600);
    // The whole result, as any client could pass it on, is small: no vector anywhere in it.
    expect(JSON.stringify({ content: r.content, structuredContent: r.structuredContent }).length).toBeLessThan(1500);
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

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, structured, text, type Harness } from "../../../helpers/harness.js";
import { itNeverShowsTheKey } from "./helpers.js";

describe("gateway tools (key auth, in-process)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("rerank: best first with index, score and document; top_n checked", async () => {
    const docs = ["The capital of France is Paris.", "Bananas are yellow.", "Paris is the capital and largest city of France."];
    const r = await h.call("gateway_rerank", { query: "capital of France", documents: docs, top_n: 2 });
    const s = structured<{ results: Array<{ index: number; score: number; document: string }> }>(r);
    expect(s.results).toHaveLength(2);
    expect(s.results.map((x) => x.index)).not.toContain(1);
    expect(s.results[0]!.score).toBeGreaterThanOrEqual(s.results[1]!.score);
    expect(s.results[0]!.document).toBe(docs[s.results[0]!.index]);
    const tooMany = await h.call("gateway_rerank", { query: "q", documents: ["a"], top_n: 2 });
    expect(text(tooMany)).toMatch(/top_n: at most the number of documents \(1\)/);
  });

  itNeverShowsTheKey(() => h);
});

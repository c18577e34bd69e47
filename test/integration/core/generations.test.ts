/**
 * generations.ts: the lock-free shared values under the spend ledger, the download leases and the
 * idempotency keys. A burst of changes to one value in one process is written in a few batches,
 * not one generation per change with every other writer losing and reading again (issue 16:
 * 1 000 concurrent calls spent minutes in the spend ledger's retries).
 */
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { Generations } from "../../../src/jobs/generations.js";
import { tempDir } from "../../helpers/harness.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const open = () => {
  const dir = tempDir("aigc-gen-");
  dirs.push(dir);
  return new Generations<{ n: number }>(dir);
};
const add = (g: Generations<{ n: number }>) => g.update("count", (v) => ({ value: { n: (v?.n ?? 0) + 1 }, result: (v?.n ?? 0) + 1 }));

describe("Generations.update", () => {
  it("applies 300 concurrent changes of one value once each, in order, in a few writes", async () => {
    const g = open();
    const results = await Promise.all(Array.from({ length: 300 }, () => add(g)));
    expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    const now = await g.read("count");
    expect(now.value).toEqual({ n: 300 });
    // one generation per batch: the first change alone, then what queued behind each write
    expect(now.gen).toBeLessThanOrEqual(10);
  });

  it("keeps two stores on one folder (as two processes) exact", async () => {
    const a = open();
    const b = new Generations<{ n: number }>(a.dir);
    await Promise.all(Array.from({ length: 100 }, (_, i) => add(i % 2 ? a : b)));
    expect((await a.read("count")).value).toEqual({ n: 100 });
  });

  it("rejects only the change that threw; the others of its batch land", async () => {
    const g = open();
    const calls = Array.from({ length: 20 }, (_, i) =>
      i === 7
        ? g.update("count", () => {
            throw new Error("refused");
          })
        : add(g),
    );
    const settled = await Promise.allSettled(calls);
    expect(settled.filter((s) => s.status === "rejected")).toHaveLength(1);
    expect((await g.read("count")).value).toEqual({ n: 19 });
  });
});

/**
 * generations.ts: the lock-free shared values under the spend ledger, the download leases and the
 * idempotency keys. A burst of changes to one value in one process is written in a few batches,
 * not one generation per change with every other writer losing and reading again (issue 16:
 * 1 000 concurrent calls spent minutes in the spend ledger's retries).
 */
import { existsSync, readdirSync, rmSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
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

const addWithin = (g: Generations<{ n: number }>, ms: number) =>
  g.gather("count", ms, (v) => ({ value: { n: (v?.n ?? 0) + 1 }, result: (v?.n ?? 0) + 1 }));

describe("Generations.gather", () => {
  it("writes the changes made within the window in one generation, once the window ends", async () => {
    const g = open();
    const t0 = Date.now();
    const first = addWithin(g, 150);
    await new Promise((r) => setTimeout(r, 50));
    const later = Array.from({ length: 5 }, () => addWithin(g, 150));
    expect((await g.read("count")).gen).toBe(0);
    expect(await Promise.all([first, ...later])).toEqual([1, 2, 3, 4, 5, 6]);
    // the first change's window set the write's start, not the later ones'
    expect(Date.now() - t0).toBeGreaterThanOrEqual(145);
    expect(await g.read("count")).toEqual({ gen: 1, value: { n: 6 } });
  });

  it("a change that may not wait writes at once, with the gathered ones before it", async () => {
    const g = open();
    const gathered = Array.from({ length: 3 }, () => addWithin(g, 60_000));
    expect(await add(g)).toBe(4);
    expect(await Promise.all(gathered)).toEqual([1, 2, 3]);
    expect((await g.read("count")).gen).toBe(1);
  });

  it("writeNow starts the held-back writes of its folder at once, not another folder's", async () => {
    const [g, other] = [open(), open()];
    const held = [addWithin(g, 60_000), addWithin(g, 60_000)];
    const elsewhere = addWithin(other, 300);
    g.writeNow();
    expect(await Promise.all(held)).toEqual([1, 2]);
    expect((await other.read("count")).gen).toBe(0);
    expect(await elsewhere).toBe(1);
  });

  it("writeNow also starts at once the held-back changes queued behind a write under way", async () => {
    const g = open();
    const first = add(g);
    const behind = addWithin(g, 60_000);
    g.writeNow();
    expect(await first).toBe(1);
    expect(await behind).toBe(2);
  });

  it("changes made while a write is under way wait for their own window, then go in one write", async () => {
    const g = open();
    const first = addWithin(g, 0);
    const during = Array.from({ length: 4 }, () => addWithin(g, 100));
    expect(await first).toBe(1);
    expect((await g.read("count")).gen).toBe(1);
    expect(await Promise.all(during)).toEqual([2, 3, 4, 5]);
    expect(await g.read("count")).toEqual({ gen: 2, value: { n: 5 } });
  });
});

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

  it("with a draft, copies the value once per write, not once per change, and changes it in place", async () => {
    const draft = vi.fn((v: { n: number } | undefined) => ({ n: v?.n ?? 0 }));
    const g = new Generations<{ n: number }>(open().dir, { keepLast: true, draft });
    const bump = () =>
      g.update("count", (v) => {
        v!.n++;
        return { value: v, result: v!.n };
      });
    const results = await Promise.all(Array.from({ length: 300 }, bump));
    expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    const now = await g.read("count");
    expect(now.value).toEqual({ n: 300 });
    // One copy per attempt: as many as generations written (plus a re-read or two), never 300.
    expect(draft.mock.calls.length).toBeLessThanOrEqual(now.gen + 2);
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

  it("with keepLast, builds on the value it wrote last without reading it back, and reads again once another process moved it on", async () => {
    const dir = open().dir;
    const a = new Generations<{ n: number }>(dir, { keepLast: true });
    expect(await add(a)).toBe(1);
    const reads = vi.spyOn(a, "read");
    expect(await add(a)).toBe(2);
    expect(reads).not.toHaveBeenCalled();
    // Another process (writing directly, not through this process's queue) moves the value on.
    const other = new Generations<{ n: number }>(dir);
    expect(await other.write("count", 2, { n: 10 })).toBe(true);
    expect(await add(a)).toBe(11);
    expect(reads).toHaveBeenCalled();
    expect((await other.read("count")).value).toEqual({ n: 11 });
    // An answer that writes nothing is given from the value on disk, not the one in memory.
    expect(await other.write("count", 4, { n: 20 })).toBe(true);
    expect(await a.update("count", (v) => ({ result: v?.n }))).toBe(20);
  });
});

describe("Generations in folders (a name per call: leases, idempotency keys)", () => {
  const folders = (layout: "folders" | "folders-after-flat" = "folders") => new Generations<{ n: number }>(open().dir, { layout });

  it("keeps each name's generations in its own folder, exact under two stores on one folder", async () => {
    const a = folders();
    const b = new Generations<{ n: number }>(a.dir, { layout: "folders" });
    await Promise.all(Array.from({ length: 100 }, (_, i) => add(i % 2 ? a : b)));
    await a.update("other", () => ({ value: { n: 1 }, result: 1 }));
    expect((await b.read("count")).value).toEqual({ n: 100 });
    expect(
      readdirSync(a.dir)
        .filter((n) => !n.startsWith("."))
        .sort(),
    ).toEqual(["count", "other"]);
    expect(readdirSync(join(a.dir, "count"))).toEqual([`${(await a.read("count")).gen}.json`]);
    expect((await a.names()).sort()).toEqual(["count", "other"]);
  });

  it("a write makes the name's folder again when a sweep removed it under it, and exactly one of two racing writers wins", async () => {
    const g = folders();
    expect(await g.write("lease", 0, { n: 1 })).toBe(true);
    await g.remove("lease");
    expect(existsSync(join(g.dir, "lease"))).toBe(false);
    const results = await Promise.all([g.write("lease", 0, { n: 2 }), g.write("lease", 0, { n: 3 })]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect([2, 3]).toContain((await g.read("lease")).value?.n);
  });

  it("removes the names not written since a time, and keeps the others", async () => {
    const g = folders();
    await g.write("old", 0, { n: 1 });
    await g.write("new", 0, { n: 1 });
    const hourAgo = new Date(Date.now() - 3600_000);
    utimesSync(g.file("old", 1), hourAgo, hourAgo);
    expect(await g.removeUnwrittenSince(Date.now() - 60_000)).toBe(1);
    expect(await g.names()).toEqual(["new"]);
  });

  it("a sweep keeps a generation written after it looked (a lease taken meanwhile)", async () => {
    const sweeper = folders();
    const writer = new Generations<{ n: number }>(sweeper.dir, { layout: "folders" });
    await writer.write("lease", 0, { n: 1 });
    const hourAgo = new Date(Date.now() - 3600_000);
    utimesSync(writer.file("lease", 1), hourAgo, hourAgo);
    const remove = sweeper.remove.bind(sweeper);
    vi.spyOn(sweeper, "remove").mockImplementationOnce(async (name, upTo) => {
      expect(await writer.write("lease", 1, { n: 2 })).toBe(true); // taken between the sweep's look and its removal
      return remove(name, upTo);
    });
    await sweeper.removeUnwrittenSince(Date.now() - 60_000);
    expect(await writer.read("lease")).toEqual({ gen: 2, value: { n: 2 } });
  });

  it("folders-after-flat reads a value an earlier release wrote flat, moves it on into a folder, and removes both", async () => {
    const dir = open().dir;
    const earlier = new Generations<{ n: number }>(dir); // the flat layout earlier releases wrote
    expect(await earlier.write("key", 0, { n: 1 })).toBe(true);
    expect(await earlier.write("key", 1, { n: 2 })).toBe(true);
    const g = new Generations<{ n: number }>(dir, { layout: "folders-after-flat" });
    expect(await g.read("key")).toEqual({ gen: 0, value: { n: 2 } });
    expect(await g.names()).toEqual(["key"]);
    expect(await g.update("key", (v) => ({ value: { n: (v?.n ?? 0) + 1 }, result: (v?.n ?? 0) + 1 }))).toBe(3);
    expect(await g.read("key")).toEqual({ gen: 1, value: { n: 3 } });
    // a flat value untouched for long is swept with the rest
    const hourAgo = new Date(Date.now() - 3600_000);
    await earlier.write("stale", 0, { n: 9 });
    utimesSync(earlier.file("stale", 1), hourAgo, hourAgo);
    const h = new Generations<{ n: number }>(dir, { layout: "folders-after-flat" });
    expect((await h.read("stale")).value).toEqual({ n: 9 });
    expect(await h.removeUnwrittenSince(Date.now() - 60_000)).toBe(1);
    expect(readdirSync(dir).filter((n) => n.startsWith("stale"))).toEqual([]);
    expect((await h.read("stale")).value).toBeUndefined();
    await h.remove("key");
    expect(readdirSync(dir).filter((n) => !n.startsWith("."))).toEqual([]);
  });
});

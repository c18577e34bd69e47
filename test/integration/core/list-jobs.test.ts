/** Issue 11 item 8 (list_jobs part): paged with limit and cursor, every result under 1 MiB even with huge old records. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { FileJobStore } from "../../../src/jobs/file-store.js";
import { jobTools } from "../../../src/tools/jobs.js";
import { listModels } from "../../../src/tools/list-models.js";
import type { JobRecord } from "../../../src/jobs/types.js";
import { startHarness, structured, text, type Harness } from "../../helpers/harness.js";

type Page = { jobs: Array<{ job_id: string; model?: string; label?: string }>; next_cursor?: string };

function record(i: number, extra: Partial<JobRecord> = {}): JobRecord {
  const t = new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
  return {
    job_id: `job_${Buffer.from(JSON.stringify({ v: 1, vd: "ark", op: "image", t: i })).toString("base64url")}`,
    status: "succeeded",
    vendor: "ark",
    op: "image",
    assets: [],
    created_at: t,
    updated_at: t,
    ...extra,
  };
}

const size = (r: unknown) => Buffer.byteLength(JSON.stringify(r));

describe("list_jobs paging", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    const store = new FileJobStore(h.dir);
    for (let i = 0; i < 45; i++)
      await store.save(record(i, i % 5 === 0 ? { model: "m".repeat(4_000_000), label: "l".repeat(300_000) } : {}));
    // a record from before ids were bounded: its id alone is 1.5 MB
    await store.save(record(99, { job_id: `job_${"A".repeat(1_500_000)}` }));
  });
  afterAll(() => h.close());

  it("pages through every job once, each result under 1 MiB", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await h.call("list_jobs", { limit: 20, ...(cursor ? { cursor } : {}) });
      expect(r.isError).toBeFalsy();
      expect(size(r)).toBeLessThan(1024 * 1024);
      const page = structured<Page>(r);
      expect(page.jobs.length).toBeLessThanOrEqual(20);
      seen.push(...page.jobs.map((j) => j.job_id));
      cursor = page.next_cursor;
      if (cursor) expect(text(r)).toContain(cursor);
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(45);
    expect(new Set(seen).size).toBe(45);
    const first = structured<Page>(await h.call("list_jobs", { limit: 100 }));
    expect(first.jobs.find((j) => j.model)!.model!.length).toBeLessThan(1100);
  });

  it("a job started between two pages is listed neither twice nor in place of another (the cursor is a place, not a count)", async () => {
    const first = structured<Page>(await h.call("list_jobs", { limit: 10 }));
    await new FileJobStore(h.dir).save(record(150));
    const second = structured<Page>(await h.call("list_jobs", { limit: 10, cursor: first.next_cursor! }));
    const ids = [...first.jobs, ...second.jobs].map((j) => j.job_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).not.toContain(record(150).job_id);
    expect(first.next_cursor!.length).toBeLessThan(400);
  });

  it("says a status filter matched nothing, not that there are no jobs", async () => {
    const r = await h.call("list_jobs", { status: "queued" });
    expect(r.isError).toBeFalsy();
    expect(structured<Page>(r).jobs).toEqual([]);
    expect(text(r)).toMatch(/^No jobs with status "queued" among the \d+ newest \(call list_jobs without status to see them\)\.$/);
    expect(text(r)).not.toMatch(/yet/);
  });

  it("refuses a cursor it did not make, naming the field", async () => {
    const r = await h.call("list_jobs", { cursor: "nonsense" });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/^Error.*cursor: is not a cursor from list_jobs/);
    const c = structured<Page>(await h.call("list_jobs", { limit: 1 })).next_cursor!;
    expect(text(await h.call("list_jobs", { cursor: c, status: "failed" }))).toMatch(/cursor: was made for another status filter/);
  });

  it("bounds the core tools' strings in the schemas the server validates with (the listed ones leave lengths out)", () => {
    for (const def of [...jobTools(h.app), listModels(h.app)]) {
      const props = z.toJSONSchema(z.object(def.input), { io: "input" }).properties as Record<
        string,
        { type?: string; maxLength?: number; enum?: unknown }
      >;
      for (const [k, p] of Object.entries(props))
        if (p.type === "string" && !p.enum) expect(p.maxLength, `${def.name}.${k}`).toBeGreaterThan(0);
    }
  });
});

describe("list_jobs order", () => {
  it("lists jobs started within one second newest first, as started", async () => {
    const h = await startHarness({ ark: { queuedMs: 60_000 } });
    try {
      const started: string[] = [];
      for (let i = 0; i < 6; i++) {
        const r = await h.call("seedance_generate_video", { prompt: `kite ${i}`, wait_seconds: 0 });
        started.push(structured<{ job_id: string }>(r).job_id);
      }
      const listed = structured<Page>(await h.call("list_jobs", { limit: 6 })).jobs.map((j) => j.job_id);
      expect(listed).toEqual(started.reverse());
    } finally {
      await h.close();
    }
  });
});

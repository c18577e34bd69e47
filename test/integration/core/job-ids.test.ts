/**
 * Job ids (issue 13 item 4): every new id is at most 64 URL-safe characters and resumes in a
 * freshly started server with the same credentials and the same store (output folder, or Redis);
 * a forged id leaves no record behind.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeLegacyJobId } from "../../../src/jobs/handle.js";
import type { JobHandle } from "../../../src/jobs/types.js";
import { startHarness, structured, text, type Harness } from "../../helpers/harness.js";
import { jobOf, requestsTo, type JobResult } from "../../helpers/results.js";
import { startRedis, type TestRedis } from "../../helpers/redis.js";

/** One call per vendor and kind of job (task, keyed task, synchronous), as release 0.1.0's fixtures made them. */
const CALLS = JSON.parse(readFileSync(new URL("../../fixtures/job-ids-0.1.0.json", import.meta.url), "utf8")) as Array<{
  tool: string;
  args: Record<string, unknown>;
  env?: Record<string, string>;
  vendor_task_id?: string;
}>;

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.close();
});

describe.each([
  ["the output folder", () => ({})],
  ["Redis", () => ({ AIGC_MCP_REDIS_URL: redis.url, AIGC_MCP_REDIS_PREFIX: "ids:" })],
])("new job ids, stored in %s", (_name, storeEnv) => {
  it.each([false, true])("are at most 64 URL-safe characters and resume in a fresh server (animo async: %s)", async (asyncAnimo) => {
    const calls = CALLS.filter((c) => !!c.env === asyncAnimo);
    const first = await startHarness({ env: { ...storeEnv(), ...(asyncAnimo ? { ANIMO_MODE: "async" } : {}) } });
    let later: Harness | undefined;
    try {
      const started: Array<{ tool: string; id: string; task: boolean }> = [];
      for (const c of calls) {
        const r = await first.call(c.tool, { ...c.args, wait_seconds: c.vendor_task_id ? 0 : 20 });
        expect(r.isError, `${c.tool}: ${text(r)}`).toBeFalsy();
        const id = jobOf(r).job_id;
        expect(id.length, `${c.tool}: ${id}`).toBeLessThanOrEqual(64);
        expect(id, c.tool).toMatch(/^[A-Za-z0-9._-]+$/);
        started.push({ tool: c.tool, id, task: !!c.vendor_task_id });
      }
      await first.app.close(); // the first server goes away; vendor tasks are still running
      later = await first.restart();
      for (const s of started) {
        const r = await later.call("wait_for_job", { job_id: s.id, wait_seconds: 30 });
        expect(jobOf(r), `${s.tool}: ${text(r)}`).toMatchObject({ job_id: s.id, status: "succeeded" });
      }
    } finally {
      await later?.close();
      await first.close();
    }
  });
});

describe("a forged but well-formed job id", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("leaves no record and never sorts into list_jobs", async () => {
    const real = jobOf(await h.call("seedance_generate_video", { prompt: "real", wait_seconds: 0 }));
    const forged = [
      // A vendor task that does not exist, in both id forms, dated 1970.
      encodeLegacyJobId({ v: 1, vd: "ark", op: "video", task: "cgt-19700101000000-forge", t: 0 }),
      "t.ark.video.0.cgt-19700101000000-forge",
      // A synchronous job and a keyed id no store has heard of.
      encodeLegacyJobId({ v: 1, vd: "ark", op: "image", lid: "0123456789ab", t: 0 }),
      "k.ark.image.0.AAAAAAAAAAAAAAAA",
    ];
    for (const id of forged) {
      const r = await h.call("get_job", { job_id: id });
      expect(r.isError, `${id}: ${text(r).slice(0, 400)}`).toBe(true);
      expect(text(r)).toMatch(/^Error: /);
      expect(await h.app.jobs.store.load(id), id).toBeUndefined();
    }
    const listed = structured<{ jobs: JobResult[] }>(await h.call("list_jobs", { limit: 100 })).jobs.map((j) => j.job_id);
    expect(listed).toEqual([real.job_id]);
    expect((await h.app.jobs.store.list(100)).map((r) => r.job_id)).toEqual([real.job_id]);
  });
});

/**
 * The same for the other vendors with tasks: a forged id in the short forms never reaches the
 * vendor (their real ids are keyed, the record holds the facts), and one that carries every fact
 * (an old-form id) is polled once, the vendor answers "no such task" as it documents (Kling 404
 * 1203, Jimeng status not_found with code 10000, Animo 404), and the job ends `expired` without
 * a record.
 */
const forgedCases: Array<{ vendor: string; handle: JobHandle; code: string; polled: (h: Harness) => number }> = [
  {
    vendor: "kling",
    handle: { v: 1, vd: "kling", op: "video", task: "860000000000000000", x: { f: "videos/text2video" }, t: 0 },
    code: "1203",
    polled: (h: Harness) => requestsTo(h.sandbox.kling, "/v1/videos/text2video/860000000000000000").length,
  },
  {
    vendor: "visual",
    handle: { v: 1, vd: "visual", op: "image", task: "7392616336519610409", x: { rk: "jimeng_t2i_v40" }, t: 0 },
    code: "TaskNotFound",
    polled: (h: Harness) => requestsTo(h.sandbox.visual, (r) => r.query.get("Action") === "CVSync2AsyncGetResult").length,
  },
  {
    vendor: "animo",
    handle: { v: 1, vd: "animo", op: "video", task: "0123456789abcdef01234567", x: { m: "async", e: "" }, t: 0 },
    code: "NOT_FOUND",
    polled: (h: Harness) => requestsTo(h.sandbox.animo, "/status/0123456789abcdef01234567").length,
  },
];
describe.each(forgedCases)("a forged $vendor job id", ({ vendor, handle, code, polled }) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { ANIMO_MODE: "async" } });
    if (vendor === "animo") handle.x = { ...handle.x, e: h.sandbox.animo.endpoint };
  });
  afterAll(() => h.close());

  it("leaves no record, is not listed, and one the vendor does not know ends expired", async () => {
    const op = handle.op;
    const forged = [`t.${vendor}.${op}.0.${handle.task}`, `k.${vendor}.${op}.0.AAAAAAAAAAAAAAAA`, encodeLegacyJobId(handle)];
    for (const id of forged) {
      const r = await h.call("get_job", { job_id: id });
      expect(r.isError, `${id}: ${text(r).slice(0, 400)}`).toBe(true);
      expect(text(r), id).toMatch(/^Error: /);
      expect(await h.app.jobs.store.load(id), id).toBeUndefined();
    }
    // Only the id with every fact reached the vendor, which does not know the task.
    expect(polled(h)).toBeGreaterThan(0);
    const r = await h.call("wait_for_job", { job_id: forged[2]!, wait_seconds: 5 });
    expect(jobOf(r), text(r)).toMatchObject({ status: "expired", error: { code } });
    expect(await h.app.jobs.store.load(forged[2]!)).toBeUndefined();
    expect(structured<{ jobs: JobResult[] }>(await h.call("list_jobs", { limit: 100 })).jobs).toEqual([]);
    expect(await h.app.jobs.store.list(100)).toEqual([]);
  });
});

describe("a t. job id without the facts its vendor's polls need", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { ANIMO_MODE: "async" } });
  });
  afterAll(() => h.close());

  it("is refused as InvalidJobId before any vendor request, not made a failed job", async () => {
    const before = h.sandbox.kling.sim.requests.length + h.sandbox.visual.sim.requests.length + h.sandbox.animo.sim.requests.length;
    for (const [id, words] of [
      ["t.kling.video.tpj4ql.860000000000000000", /^Error: InvalidJobId \(Kling\): this Kling job id names no endpoint family/],
      ["t.visual.image.tpj4ql.7392616336519610409", /^Error: InvalidJobId \(Volcengine Visual\): this job id carries no req_key/],
      ["t.animo.video.tpj4ql.0123456789abcdef01234567", /^Error: InvalidJobId \(Animo\): this Animo job id does not describe/],
    ] as const) {
      for (const tool of ["get_job", "wait_for_job", "cancel_job"]) {
        const r = await h.call(tool, { job_id: id, ...(tool === "wait_for_job" ? { wait_seconds: 1 } : {}) });
        expect(r.isError, `${tool} ${id}`).toBe(true);
        expect(text(r), `${tool} ${id}`).toMatch(words);
        expect(text(r)).toMatch(/\nWhat to do: Pass a job_id exactly as a generation tool or list_jobs returned it/);
        expect(structured(r)).not.toHaveProperty("status");
      }
      expect(await h.app.jobs.store.load(id)).toBeUndefined();
    }
    expect(h.sandbox.kling.sim.requests.length + h.sandbox.visual.sim.requests.length + h.sandbox.animo.sim.requests.length).toBe(before);
  });
});

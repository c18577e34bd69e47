/** The job id encoding (src/jobs/handle.ts): short forms, bounded length, old ids still decoded. */
import { describe, expect, it } from "vitest";
import { encodeLegacyJobId, mintJobId, parseJobId } from "../../src/jobs/handle.js";

describe("job ids", () => {
  it("carry a plain vendor task in the id itself (task form), dated in base 36", () => {
    const { jobId, keyed } = mintJobId({ v: 1, vd: "ark", op: "video", task: "cgt-20261130115151-77d59", model: "m", t: 1796004778 });
    expect(keyed).toBe(false);
    expect(jobId).toBe(`t.ark.video.${(1796004778).toString(36)}.cgt-20261130115151-77d59`);
    expect(parseJobId(jobId)).toEqual({
      form: "task",
      handle: { v: 1, vd: "ark", op: "video", task: "cgt-20261130115151-77d59", t: 1796004778 },
    });
  });

  it("key everything else, and stay within 64 URL-safe characters however long the parts", () => {
    const cases = [
      { v: 1 as const, vd: "kling", op: "video", task: "179600477867500100", x: { f: "videos/text2video" }, t: 1796004778 },
      { v: 1 as const, vd: "ark", op: "image", lid: "a8e43a4cbc5b", t: 1796004777 },
      { v: 1 as const, vd: "v".repeat(32), op: "o".repeat(48), task: "x".repeat(256), t: 4102444800 },
      { v: 1 as const, vd: "visual", op: "call.image", task: "with.dots", t: 1796004778 },
    ];
    for (const handle of cases) {
      const { jobId, keyed } = mintJobId(handle);
      expect(keyed).toBe(true);
      expect(jobId.length).toBeLessThanOrEqual(64);
      expect(jobId).toMatch(/^k\.[a-z0-9_-]+\.[a-z0-9_-]+\.[0-9a-z]+\.[A-Za-z0-9_-]{16}$/);
      expect(parseJobId(jobId)).toMatchObject({ form: "keyed", t: handle.t });
    }
  });

  it("decode release 0.1.0's ids, and refuse anything else naming the field", () => {
    const handle = { v: 1 as const, vd: "ark", op: "video", task: "cgt-1", model: "m", t: 1 };
    expect(parseJobId(encodeLegacyJobId(handle))).toEqual({ form: "legacy", handle });
    for (const bad of ["cgt-123", "job_bm90IGpzb24", "t.ark.video.1.", "k.ark.video.1.short", "x.ark.video.1.cgt-1", "t.ARK.video.1.cgt"])
      expect(() => parseJobId(bad), bad).toThrow(/job_id: .*not a job id/);
  });
});

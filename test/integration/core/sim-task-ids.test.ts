/**
 * The simulators never issue a task id twice: Ark's `cgt-<time>-<5 hex>` and Jimeng's numeric ids
 * carry few random bits, so under a burst the same id came up for two creates, the second task
 * replaced the first and two calls shared one job (the bench's 1 000 calls in flight found one
 * duplicated output). The simulator's random source is made to repeat once, as it does by chance.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startHarness, type Harness } from "../../helpers/harness.js";
import { jobOf } from "../../helpers/results.js";

/** Bytes the simulators' next random ids of a given size get (then the real source again). */
const forced = vi.hoisted(() => new Map<number, Buffer[]>());

vi.mock("node:crypto", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:crypto")>();
  const randomBytes = ((size: number, ...rest: unknown[]) => {
    const next = /simulator/.test(new Error().stack ?? "") ? forced.get(size)?.shift() : undefined;
    return next ?? (real.randomBytes as (n: number, ...r: unknown[]) => Buffer)(size, ...rest);
  }) as typeof real.randomBytes;
  return { ...real, default: { ...real, randomBytes }, randomBytes };
});

describe("simulator task ids", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ ark: { queuedMs: 60_000 }, visual: { queuedMs: 60_000 } });
  });
  afterAll(() => h.close());

  it("Ark's Seedance ids stay unique when the random part repeats", async () => {
    forced.set(3, [Buffer.from("a1b2c3", "hex"), Buffer.from("a1b2c3", "hex")]);
    const a = jobOf(await h.call("seedance_generate_video", { prompt: "first", wait_seconds: 0 }));
    const b = jobOf(await h.call("seedance_generate_video", { prompt: "second", wait_seconds: 0 }));
    expect(forced.get(3)).toEqual([]);
    expect(a.vendor_task_id).toMatch(/^cgt-\d{14}-[0-9a-f]{5}$/);
    expect(b.vendor_task_id).not.toBe(a.vendor_task_id);
    expect(b.job_id).not.toBe(a.job_id);
  });

  it("Jimeng's ids stay unique when a later task's random part lands on an earlier one's id", async () => {
    // id = base + (tasks + 1) × 7919 + random: 7919 + 10000 = 2 × 7919 + 2081
    forced.set(2, [Buffer.from([0x27, 0x10]), Buffer.from([0x08, 0x21])]);
    const a = jobOf(await h.call("jimeng_generate_video", { prompt: "first", wait_seconds: 0 }));
    const b = jobOf(await h.call("jimeng_generate_video", { prompt: "second", wait_seconds: 0 }));
    expect(forced.get(2)).toEqual([]);
    expect(b.vendor_task_id).not.toBe(a.vendor_task_id);
    expect(b.job_id).not.toBe(a.job_id);
  });
});

/**
 * src/net/v8-flags.ts: the frequent scavenge schedule and the periodic full GC that bound streaming
 * memory (issue 16, goal 3) are on only while some output has streamed more than LARGE_STREAM_BYTES,
 * and back to V8's default when none does (goal 4: for the whole process it cost every small call CPU).
 */
import { beforeEach, describe, expect, it, vi } from "vitest";

const set = vi.hoisted(() => [] as string[]);
vi.mock("node:v8", () => ({ setFlagsFromString: (flag: string) => void set.push(flag) }));
/** V8's gc, as a new vm context gets it with --expose-gc. */
const gc = vi.hoisted(() => vi.fn());
vi.mock("node:vm", () => ({ runInNewContext: () => gc }));

const { DEFAULT_TRIGGER, FULL_GC_INTERVAL_MS, LARGE_STREAM_BYTES, STREAMING_TRIGGER, V8_FLAGS, largeStream } =
  await import("../../src/net/v8-flags.js");
const on = `--minor-gc-task-trigger=${STREAMING_TRIGGER}`;
const off = `--minor-gc-task-trigger=${DEFAULT_TRIGGER}`;

describe("V8 settings", () => {
  beforeEach(() => void set.splice(0));

  it("sets the young generation's growth, the WebAssembly tier and gc for new contexts for the whole process", async () => {
    vi.resetModules();
    await import("../../src/net/v8-flags.js");
    expect(set).toEqual([...V8_FLAGS]);
    expect(set.some((f) => f.startsWith("--minor-gc-task-trigger"))).toBe(false);
  });

  it("leaves V8's scavenge schedule alone for an output up to LARGE_STREAM_BYTES", () => {
    const s = largeStream();
    s.carried(65536);
    s.carried(LARGE_STREAM_BYTES);
    s.end();
    expect(set).toEqual([]);
  });

  it("schedules frequent scavenges once one output streams more, until the last large one ends", () => {
    const a = largeStream();
    const b = largeStream();
    a.carried(LARGE_STREAM_BYTES + 1);
    a.carried(2 * LARGE_STREAM_BYTES);
    expect(set).toEqual([on]);
    b.carried(LARGE_STREAM_BYTES + 1);
    a.end();
    a.end();
    expect(set).toEqual([on]);
    b.end();
    expect(set).toEqual([on, off]);
  });

  it("runs a full GC every FULL_GC_INTERVAL_MS while a large stream runs, and none after", () => {
    vi.useFakeTimers();
    try {
      gc.mockClear();
      const a = largeStream();
      a.carried(LARGE_STREAM_BYTES);
      vi.advanceTimersByTime(3 * FULL_GC_INTERVAL_MS);
      expect(gc).not.toHaveBeenCalled();
      a.carried(LARGE_STREAM_BYTES + 1);
      vi.advanceTimersByTime(3 * FULL_GC_INTERVAL_MS);
      expect(gc).toHaveBeenCalledTimes(3);
      a.end();
      vi.advanceTimersByTime(3 * FULL_GC_INTERVAL_MS);
      expect(gc).toHaveBeenCalledTimes(3);
    } finally {
      vi.useRealTimers();
    }
  });
});

/**
 * src/net/v8-flags.ts: the frequent scavenge schedule and the periodic full GC that bound streaming
 * memory (issue 16, goal 3) are on only while some output has streamed more than LARGE_STREAM_BYTES,
 * and back to V8's default when none does (goal 4: for the whole process it cost every small call CPU);
 * the young generation may grow only while many calls are open and no large stream runs.
 */
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { beforeEach, describe, expect, it, vi } from "vitest";

const set = vi.hoisted(() => [] as string[]);
vi.mock("node:v8", () => ({ setFlagsFromString: (flag: string) => void set.push(flag) }));
/** V8's gc, as a new vm context gets it with --expose-gc. */
const gc = vi.hoisted(() => vi.fn());
vi.mock("node:vm", () => ({ runInNewContext: () => gc }));

const {
  BUSY_CALLS,
  DEFAULT_TRIGGER,
  FULL_GC_BYTES,
  FULL_GC_INTERVAL_MS,
  LARGE_STREAM_BYTES,
  STREAMING_TRIGGER,
  V8_FLAGS,
  callsOpen,
  counting,
  largeStream,
  withStartFlags,
} = await import("../../src/net/v8-flags.js");
const on = `--minor-gc-task-trigger=${STREAMING_TRIGGER} --semi-space-growth-factor=1`;
const off = `--minor-gc-task-trigger=${DEFAULT_TRIGGER} --semi-space-growth-factor=1`;
/** Many calls open, no large stream: V8's default trigger and growth. */
const growing = `--minor-gc-task-trigger=${DEFAULT_TRIGGER} --semi-space-growth-factor=2`;

describe("V8 settings", () => {
  beforeEach(() => void set.splice(0));

  it("sets only the young generation's growth and the WebAssembly tier for the whole process", async () => {
    vi.resetModules();
    await import("../../src/net/v8-flags.js");
    expect(set).toEqual([...V8_FLAGS]);
    expect(set.some((f) => f.startsWith("--minor-gc-task-trigger"))).toBe(false);
  });

  it("leaves V8's scavenge schedule alone for an output up to LARGE_STREAM_BYTES", () => {
    const s = largeStream();
    s.passed(65536);
    s.passed(LARGE_STREAM_BYTES - 65536);
    s.end();
    expect(set).toEqual([]);
  });

  it("schedules frequent scavenges once one output streams more, until the last large one ends", () => {
    const a = largeStream();
    const b = largeStream();
    a.passed(LARGE_STREAM_BYTES + 1);
    a.passed(LARGE_STREAM_BYTES - 1);
    expect(set).toEqual([on]);
    b.passed(LARGE_STREAM_BYTES + 1);
    a.end();
    a.end();
    expect(set).toEqual([on]);
    b.end();
    expect(set).toEqual([on, off]);
  });

  it("runs a full GC every FULL_GC_INTERVAL_MS while large streams move FULL_GC_BYTES, none while they stall or after", () => {
    vi.useFakeTimers();
    try {
      gc.mockClear();
      const a = largeStream();
      a.passed(LARGE_STREAM_BYTES);
      vi.advanceTimersByTime(3 * FULL_GC_INTERVAL_MS);
      expect(gc).not.toHaveBeenCalled();
      a.passed(1); // large from here: the schedule starts, counting from now
      vi.advanceTimersByTime(3 * FULL_GC_INTERVAL_MS);
      expect(gc).not.toHaveBeenCalled();
      for (let tick = 0; tick < 3; tick++) {
        a.passed(FULL_GC_BYTES);
        vi.advanceTimersByTime(FULL_GC_INTERVAL_MS);
      }
      expect(gc).toHaveBeenCalledTimes(3);
      // a reader that stopped (a paused player): the stream is open, nothing moves, no GC
      vi.advanceTimersByTime(10 * FULL_GC_INTERVAL_MS);
      expect(gc).toHaveBeenCalledTimes(3);
      // gc is taken with --expose-gc set for that moment only
      expect(set.filter((f) => f.includes("expose-gc"))).toEqual(["--expose-gc", "--no-expose-gc"]);
      a.end();
      a.passed(FULL_GC_BYTES);
      vi.advanceTimersByTime(3 * FULL_GC_INTERVAL_MS);
      expect(gc).toHaveBeenCalledTimes(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it("adds up the chunks of every counter feeding one large stream (a multipart upload's parts)", async () => {
    // only the GC timer is faked: the streams run on real ticks
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const a = largeStream();
    try {
      gc.mockClear();
      const chunk = Buffer.alloc(LARGE_STREAM_BYTES + 1);
      const part = () =>
        pipeline(Readable.from(Array.from({ length: FULL_GC_BYTES / chunk.length + 1 }, () => chunk)), counting(a), sink());
      await part(); // large from here: the schedule counts from now
      for (let n = 0; n < 3; n++) {
        await part();
        vi.advanceTimersByTime(FULL_GC_INTERVAL_MS);
      }
      expect(gc).toHaveBeenCalledTimes(3);
    } finally {
      a.end();
      vi.useRealTimers();
    }
  });

  it("gives the code cache the scavenge trigger every start has, even while a large stream runs", () => {
    expect(withStartFlags(() => "saved")).toBe("saved");
    expect(set).toEqual([]);
    const a = largeStream();
    a.passed(LARGE_STREAM_BYTES + 1);
    set.splice(0);
    let during: string[] = [];
    withStartFlags(() => void (during = [...set]));
    expect(during).toEqual([off]);
    expect(set).toEqual([off, on]);
    a.end();
  });

  it("lets the young generation grow from BUSY_CALLS open calls until none is open, never while a large stream runs", () => {
    callsOpen(BUSY_CALLS - 1);
    expect(set).toEqual([]);
    callsOpen(BUSY_CALLS);
    expect(set).toEqual([growing]);
    callsOpen(1);
    expect(set).toEqual([growing]);
    // a large stream pins it while it runs; its end lets it grow again while the calls stay open
    const a = largeStream();
    a.passed(LARGE_STREAM_BYTES + 1);
    expect(set).toEqual([growing, on]);
    callsOpen(BUSY_CALLS + 5);
    expect(set).toEqual([growing, on]);
    a.end();
    expect(set).toEqual([growing, on, growing]);
    // the code cache gets the flags every start has
    set.splice(0);
    let during: string[] = [];
    withStartFlags(() => void (during = [...set]));
    expect(during).toEqual([off]);
    expect(set).toEqual([off, growing]);
    set.splice(0);
    callsOpen(0);
    expect(set).toEqual([off]);
    callsOpen(3);
    expect(set).toEqual([off]);
  });
});

/** A writable that takes every chunk and keeps none. */
const sink = () => new Writable({ write: (_chunk, _enc, cb) => cb() });

import { afterEach, describe, expect, it, vi } from "vitest";
import { BucketPresence } from "../../src/media/presence.js";

afterEach(() => vi.useRealTimers());

describe("whether the bucket still holds an output (BucketPresence)", () => {
  it("asks the store once per name per 10 minutes, whatever it answered", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const asked: string[] = [];
    const there = new Set(["a.png"]);
    const presence = new BucketPresence((name) => {
      asked.push(name);
      return Promise.resolve(there.has(name));
    });
    expect(await Promise.all([presence.holds("a.png"), presence.holds("a.png"), presence.holds("b.png")])).toEqual([true, true, false]);
    expect(asked).toEqual(["a.png", "b.png"]); // callers at once share one HEAD
    there.delete("a.png"); // a lifecycle rule deletes it
    vi.advanceTimersByTime(9 * 60_000);
    expect(await presence.holds("a.png")).toBe(true);
    vi.advanceTimersByTime(2 * 60_000);
    expect(await presence.holds("a.png")).toBe(false);
    there.add("b.png"); // restored (a versioned bucket)
    vi.advanceTimersByTime(5 * 60_000);
    expect(await presence.holds("b.png")).toBe(true);
    expect(asked).toEqual(["a.png", "b.png", "a.png", "b.png"]);
  });

  it("an answer that cannot tell (AWS's 403 to a key that may not list the bucket) counts as there, for 10 minutes", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    let asked = 0;
    const presence = new BucketPresence(() => Promise.resolve((asked++, undefined)));
    expect(await presence.holds("x.png")).toBe(true);
    vi.advanceTimersByTime(9 * 60_000);
    expect(await presence.holds("x.png")).toBe(true);
    expect(asked).toBe(1);
  });

  it("an upload or read-back counts as a sighting; a read that found nothing as gone", async () => {
    const presence = new BucketPresence(() => Promise.reject(new Error("must not be asked")));
    presence.saw("up.mp4");
    presence.gone("deleted.mp4");
    expect(await presence.holds("up.mp4")).toBe(true);
    expect(await presence.holds("deleted.mp4")).toBe(false);
  });

  it("a store that fails or does not answer within 2 s counts as holding it, and is asked again after 30 s", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    let calls = 0;
    const presence = new BucketPresence(
      (_name, signal) =>
        new Promise((_resolve, reject) => {
          calls++;
          signal.addEventListener("abort", () => reject(signal.reason as Error));
        }),
    );
    const started = performance.now();
    expect(await presence.holds("x.png")).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1900);
    expect(performance.now() - started).toBeLessThan(4000);
    expect(await presence.holds("x.png")).toBe(true);
    expect(calls).toBe(1);
    vi.advanceTimersByTime(31_000);
    const failing = new BucketPresence(() => Promise.reject(new Error("503 SlowDown")));
    expect(await failing.holds("y.png")).toBe(true);
    void presence.holds("x.png");
    expect(calls).toBe(2);
  }, 10_000);
});

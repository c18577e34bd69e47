/** The bytes of just-saved outputs held for the answer that embeds them (src/media/fresh-bytes.ts). */
import { afterEach, describe, expect, it, vi } from "vitest";
import { FreshBytes } from "../../src/media/fresh-bytes.js";

const MiB = 1024 * 1024;

function save(fresh: FreshBytes, uri: string, sha256: string, ...chunks: Buffer[]): void {
  const c = fresh.collector();
  for (const chunk of chunks) c.add(chunk);
  c.hold(uri, sha256);
}

describe("FreshBytes", () => {
  afterEach(() => vi.useRealTimers());

  it("hands a saved file's bytes to one answer, then reads go back to the file", () => {
    const fresh = new FreshBytes(1000);
    save(fresh, "media://files/a.png", "aa", Buffer.from("hello "), Buffer.from("world"));
    expect(fresh.take({ uri: "media://files/a.png", sha256: "aa", bytes: 11 })?.toString()).toBe("hello world");
    expect(fresh.take({ uri: "media://files/a.png", sha256: "aa", bytes: 11 })).toBeUndefined();
  });

  it("gives nothing for an asset saved with other bytes, or over the limit, or with holding off", () => {
    const fresh = new FreshBytes(10);
    save(fresh, "media://files/a.png", "aa", Buffer.from("12345"));
    expect(fresh.take({ uri: "media://files/a.png", sha256: "bb", bytes: 5 })).toBeUndefined();
    save(fresh, "media://files/b.png", "bb", Buffer.from("12345"));
    expect(fresh.take({ uri: "media://files/b.png", sha256: "bb", bytes: 6 })).toBeUndefined();
    save(fresh, "media://files/c.png", "cc", Buffer.from("123456"), Buffer.from("78901"));
    expect(fresh.take({ uri: "media://files/c.png", sha256: "cc", bytes: 11 })).toBeUndefined();
    const off = new FreshBytes(0);
    save(off, "media://files/d.png", "dd", Buffer.from("1"));
    expect(off.take({ uri: "media://files/d.png", sha256: "dd", bytes: 1 })).toBeUndefined();
  });

  it("holds at most 16 MiB, dropping the oldest first, and nothing past 15 s", () => {
    vi.useFakeTimers();
    const fresh = new FreshBytes(4 * MiB);
    for (let i = 0; i < 5; i++) save(fresh, `media://files/${i}.mp4`, `s${i}`, Buffer.alloc(4 * MiB, i));
    expect(fresh.take({ uri: "media://files/0.mp4" })).toBeUndefined();
    expect(fresh.take({ uri: "media://files/1.mp4" })?.[0]).toBe(1);
    vi.advanceTimersByTime(16_000);
    expect(fresh.take({ uri: "media://files/4.mp4" })).toBeUndefined();
  });
});

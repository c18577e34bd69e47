/** Room for the media a call loads itself (net/loaded-media.ts), against the process's counts. */
import { EventEmitter } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { AigcError } from "../../src/errors.js";
import { LoadRoom } from "../../src/net/loaded-media.js";
import { countProcessMedia } from "../../src/net/outbound-bodies.js";
import { BodyBudget } from "../../src/transports/body-budget.js";

const MB = 1 << 20;
const owner = new EventEmitter();
afterEach(() => owner.emit("close"));

describe("LoadRoom", () => {
  it("never waits when no budget counts the process (stdio)", async () => {
    const room = new LoadRoom();
    await room.take(100 * MB, "image");
    room.release();
  });

  it("waits once per call: its later loads are counted at once, all given back by release", async () => {
    const budget = new BodyBudget(4 * MB, 5000);
    countProcessMedia(budget, owner);
    const other = (await budget.acquireLoaded(3 * MB))!;
    const room = new LoadRoom();
    let first = false;
    const loads = [
      room.take(2 * MB, "images[0]").then(() => (first = true)),
      room.take(3 * MB, "images[1]"),
      room.take(3 * MB, "images[2]"),
    ];
    await new Promise((r) => setTimeout(r, 30));
    expect([first, budget.inLoading]).toEqual([false, 3 * MB]);
    other();
    await Promise.all(loads);
    // The second and third went past the capacity rather than wait on the room their own call holds.
    expect(budget.inLoading).toBe(8 * MB);
    room.release();
    room.release();
    expect(budget.inLoading).toBe(0);
    // Released, the room waits again for the next load.
    await room.take(1 * MB, "again");
    expect(budget.inLoading).toBe(1 * MB);
    room.release();
  });

  it("fails with Busy, naming the field and the counts, when no room came in the budget's wait; nothing is left held", async () => {
    const budget = new BodyBudget(4 * MB, 100);
    countProcessMedia(budget, owner);
    const create = budget.holdSending(4 * MB);
    const room = new LoadRoom();
    const err = (await room.take(2 * MB, "first_frame").catch((e: unknown) => e)) as AigcError;
    expect(err).toBeInstanceOf(AigcError);
    expect(err.info).toMatchObject({ category: "rate_limit", code: "Busy" });
    expect(err.message).toMatch(
      /^first_frame \(2097152 bytes\) was not read: the server already holds 0 bytes of media loaded for calls and 4194304 of its own requests to vendors/,
    );
    expect(err.info.hint).toMatch(/Nothing was sent to the vendor/);
    expect(budget.inLoading).toBe(0);
    create();
  });

  it("stops waiting when the call is cancelled", async () => {
    const budget = new BodyBudget(4 * MB, 5000);
    countProcessMedia(budget, owner);
    const held = (await budget.acquireLoaded(4 * MB))!;
    const ac = new AbortController();
    const waiting = new LoadRoom().take(2 * MB, "video", ac.signal).catch((e: AigcError) => e.info.category);
    ac.abort();
    expect(await waiting).toBe("cancelled");
    expect(budget.waiting).toBe(0);
    held();
  });
});

describe("LoadRoom released while a read waits (its call ended: a sibling input was refused)", () => {
  it("drops the read from the queue, and room granted later is not kept", async () => {
    const budget = new BodyBudget(4 * MB, 5000);
    countProcessMedia(budget, owner);
    const held = (await budget.acquireLoaded(4 * MB))!;
    const room = new LoadRoom();
    const waiting = room.take(2 * MB, "reference_videos[0]").catch((e: AigcError) => e.info.category);
    const behind = room.take(1 * MB, "reference_videos[1]").catch((e: AigcError) => e.info.category);
    await new Promise((r) => setTimeout(r, 20));
    expect(budget.waiting).toBe(1);
    room.release();
    expect(await waiting).toBe("cancelled");
    expect(await behind).toBe("cancelled");
    expect(budget.waiting).toBe(0);
    held();
    expect(budget.inLoading).toBe(0);
  });
});

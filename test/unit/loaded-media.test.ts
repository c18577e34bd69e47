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
const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

describe("LoadRoom", () => {
  it("never waits when no budget counts the process (stdio)", async () => {
    const room = new LoadRoom();
    await room.take(100 * MB, "image");
    room.close();
  });

  it("every load waits for room, but never on its own call's: one call alone gets in, past the capacity", async () => {
    const budget = new BodyBudget(4 * MB, 5000);
    countProcessMedia(budget, owner);
    const other = (await budget.acquireLoaded(3 * MB, { room: {} }))!;
    const room = new LoadRoom();
    const loads = [room.take(2 * MB, "images[0]"), room.take(3 * MB, "images[1]"), room.take(3 * MB, "images[2]")];
    await tick();
    expect(budget.inLoading).toBe(3 * MB);
    other();
    await Promise.all(loads);
    expect(budget.inLoading).toBe(8 * MB);
    room.release();
    room.release();
    expect(budget.inLoading).toBe(0);
    // Released (not closed), the room waits again for the call's next load.
    await room.take(1 * MB, "again");
    expect(budget.inLoading).toBe(1 * MB);
    room.close();
    expect(budget.inLoading).toBe(0);
  });

  it("a small load is counted and waits too, so small files cannot pass other calls", async () => {
    const budget = new BodyBudget(4 * MB, 5000);
    countProcessMedia(budget, owner);
    const other = (await budget.acquireLoaded(4 * MB, { room: {} }))!;
    const room = new LoadRoom();
    let done = false;
    const small = room.take(30_000, "images[0]").then(() => (done = true));
    await tick();
    expect(done).toBe(false);
    other();
    await small;
    expect(budget.inLoading).toBe(30_000);
    room.close();
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
      /^first_frame \(2097152 bytes\) was not read: other calls and reads hold 0 bytes of media loaded and the server 4194304 of its own requests to vendors/,
    );
    expect(err.info.hint).toMatch(/Nothing was sent to the vendor/);
    expect(budget.inLoading).toBe(0);
    create();
  });

  it("stops waiting when the call is cancelled", async () => {
    const budget = new BodyBudget(4 * MB, 5000);
    countProcessMedia(budget, owner);
    const held = (await budget.acquireLoaded(4 * MB, { room: {} }))!;
    const ac = new AbortController();
    const waiting = new LoadRoom().take(2 * MB, "video", ac.signal).catch((e: AigcError) => e.info.category);
    ac.abort();
    expect(await waiting).toBe("cancelled");
    expect(budget.waiting).toBe(0);
    held();
  });
});

describe("LoadRoom of a call that ended (a sibling input was refused)", () => {
  it("drops the loads still waiting, and room granted later is not kept", async () => {
    const budget = new BodyBudget(4 * MB, 5000);
    countProcessMedia(budget, owner);
    const held = (await budget.acquireLoaded(4 * MB, { room: {} }))!;
    const room = new LoadRoom();
    const waiting = room.take(2 * MB, "reference_videos[0]").catch((e: AigcError) => e.info.category);
    const behind = room.take(1 * MB, "reference_videos[1]").catch((e: AigcError) => e.info.category);
    await tick();
    expect(budget.waiting).toBe(2);
    room.close();
    expect([await waiting, await behind]).toEqual(["cancelled", "cancelled"]);
    expect(budget.waiting).toBe(0);
    held();
    expect(budget.inLoading).toBe(0);
  });

  it("gives a load that reaches it after the end no room: it is cancelled, nothing is held", async () => {
    const budget = new BodyBudget(4 * MB, 5000);
    countProcessMedia(budget, owner);
    const room = new LoadRoom();
    await room.take(3 * MB, "image");
    room.close();
    const late = await room.take(3 * MB, "image_tail").catch((e: AigcError) => e.info.category);
    expect(late).toBe("cancelled");
    expect(budget.inLoading).toBe(0);
  });
});

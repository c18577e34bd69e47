import { describe, expect, it } from "vitest";
import { BodyBudget, SMALL_BODY_BYTES } from "../../src/transports/body-budget.js";

const MB = 1 << 20;

describe("BodyBudget", () => {
  it("takes small bodies at once, large ones in order as room frees, and one over the capacity alone", async () => {
    const b = new BodyBudget(4 * MB);
    const order: string[] = [];
    const small = await b.acquire(SMALL_BODY_BYTES, 1000);
    expect(small).toBeTypeOf("function");
    const first = (await b.acquire(3 * MB, 1000))!;
    const second = b.acquire(2 * MB, 1000).then((r) => (order.push("second"), r));
    const third = b.acquire(1 * MB, 1000).then((r) => (order.push("third"), r));
    // The third would fit now, but waits behind the second: no large body is passed over for ever.
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual([]);
    expect(b.waiting).toBe(2);
    first();
    first(); // a second release changes nothing
    const [r2, r3] = await Promise.all([second, third]);
    expect(order).toEqual(["second", "third"]);
    expect(b.inUse).toBe(3 * MB);
    r2!();
    r3!();
    const huge = (await b.acquire(10 * MB, 1000))!;
    expect(b.inUse).toBe(4 * MB);
    huge();
    expect(b.inUse).toBe(0);
  });

  it("gives up after its wait or when its signal aborts, and then lets those behind it in", async () => {
    const b = new BodyBudget(4 * MB);
    const held = (await b.acquire(3 * MB, 1000))!;
    const t0 = Date.now();
    expect(await b.acquire(2 * MB, 100)).toBeUndefined();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
    const ac = new AbortController();
    const big = b.acquire(4 * MB, 5000, ac.signal);
    const behind = b.acquire(1 * MB, 5000);
    ac.abort();
    expect(await big).toBeUndefined();
    expect(await behind).toBeTypeOf("function");
    expect(b.waiting).toBe(0);
    held();
  });

  it("counts the server's own requests to vendors apart: a body waits until it fits in both counts", async () => {
    const b = new BodyBudget(4 * MB);
    expect(b.holdSending(SMALL_BODY_BYTES)).toBeTypeOf("function");
    // A call that answered at once: its body's room is back, its create still being sent.
    const create = b.holdSending(3 * MB);
    const more = b.holdSending(3 * MB); // never waits, even past the capacity
    expect(b.inSending).toBe(6 * MB);
    let letIn = false;
    const next = b.acquire(1 * MB, 1000).then((r) => ((letIn = true), r));
    await new Promise((r) => setTimeout(r, 20));
    expect(letIn).toBe(false);
    create();
    create(); // a second release changes nothing
    const room = (await next)!; // 3 + 1 MB fit now
    expect(b.inUse).toBe(1 * MB);
    expect(b.inSending).toBe(3 * MB);
    more();
    // A call waiting for its answer holds its media once in each count: both fill alike.
    const sent = b.holdSending(1 * MB);
    expect(await b.acquire(3 * MB, 1000)).toBeTypeOf("function");
    expect(b.inSending).toBe(1 * MB);
    sent();
    room();
  });

  it("counts media loaded for calls apart from bodies: a load waits for other calls' loads, never for its own call's nor for bodies", async () => {
    const b = new BodyBudget(4 * MB, 100);
    const body = (await b.acquire(4 * MB, 1000))!; // bodies full: a load still gets in
    const call = {};
    const first = (await b.acquireLoaded(3 * MB, { room: call }))!;
    expect(b.inLoading).toBe(3 * MB);
    // Another call waits its 100 ms, then gives up, saying why (the counts as it gave up); a small load is counted too.
    expect(await b.acquireLoaded(2 * MB, { room: {} })).toBeUndefined();
    const tiny = (await b.acquireLoaded(1000, { room: {} }))!;
    expect(b.inLoading).toBe(3 * MB + 1000);
    tiny();
    expect(b.busyReason(2 * MB)).toMatch(
      /^other calls and reads hold 3145728 bytes of media loaded and the server 0 of its own requests to vendors \(each up to AIGC_MCP_MAX_BODY_BYTES_IN_FLIGHT, 4194304\), and no room for 2097152 more came within 0\.1 s$/,
    );
    expect(b.busyReason(5 * MB)).toMatch(/no room for 5242880 more, counted as 4194304 \(the whole limit: .*\) came within/);
    // The same call's next load does not wait on what the call holds, even past the capacity.
    const more = (await b.acquireLoaded(3 * MB, { room: call }))!;
    expect(b.inLoading).toBe(6 * MB);
    first();
    more();
    // A load waits while the requests to vendors fill the limit, and is let in when one is answered.
    const create = b.holdSending(4 * MB);
    let letIn = false;
    const next = b.acquireLoaded(2 * MB, {}).then((r) => ((letIn = true), r));
    await new Promise((r) => setTimeout(r, 20));
    expect([letIn, b.waiting]).toEqual([false, 1]);
    create();
    (await next)!();
    expect([b.inLoading, b.inUse, b.waiting]).toEqual([0, 4 * MB, 0]);
    body();
  });

  it("a load over the capacity goes in while requests to vendors are under way below the limit, and bodies never wait behind loads", async () => {
    const b = new BodyBudget(4 * MB, 5000);
    const create = b.holdSending(3 * MB); // steady inline traffic: some request to a vendor is always under way
    const big = (await b.acquireLoaded(10 * MB, {}))!;
    expect(b.inLoading).toBe(4 * MB);
    const waitingLoad = b.acquireLoaded(1 * MB, { room: {} });
    const body = (await b.acquire(1 * MB, 5000))!; // not behind the waiting load
    big();
    (await waitingLoad)!();
    body();
    create();
  });

  it("a load of a call that holds room goes ahead of calls that hold none, so the first call finishes", async () => {
    const b = new BodyBudget(8 * MB, 5000);
    const a = {};
    const aFirst = (await b.acquireLoaded(3 * MB, { room: a }))!;
    const bigWaits = b.acquireLoaded(7 * MB, { room: {} }); // needs a's room: waits at the head
    const aSecond = await b.acquireLoaded(3 * MB, { room: a }); // fits beside the others: goes ahead
    expect(aSecond).toBeTypeOf("function");
    aFirst();
    aSecond!();
    (await bigWaits)!();
  });

  it("when every call that holds room waits for more, the oldest such load goes in past the limit, one call at a time", async () => {
    const b = new BodyBudget(4 * MB, 5000);
    const [x, y] = [{}, {}];
    const xHeld = (await b.acquireLoaded(2 * MB, { room: x }))!;
    const yHeld = (await b.acquireLoaded(2 * MB, { room: y }))!;
    let xMore: (() => void) | undefined;
    let yMore: (() => void) | undefined;
    void b.acquireLoaded(3 * MB, { room: x }).then((r) => (xMore = r));
    await new Promise((r) => setTimeout(r, 10));
    expect(xMore).toBeUndefined(); // y holds room and is not waiting: it will give it back
    void b.acquireLoaded(3 * MB, { room: y }).then((r) => (yMore = r));
    await new Promise((r) => setTimeout(r, 10));
    // Both wait on each other: x, the older, goes in; y waits until x gives its room back.
    expect([typeof xMore, typeof yMore]).toEqual(["function", "undefined"]);
    expect(b.inLoading).toBe(7 * MB);
    xHeld();
    xMore!();
    await new Promise((r) => setTimeout(r, 10));
    expect(typeof yMore).toBe("function");
    yHeld();
    yMore!();
    expect([b.inLoading, b.waiting]).toEqual([0, 0]);
  });

  it("does not let a call past the limit while requests to vendors fill it: they end by themselves", async () => {
    const b = new BodyBudget(4 * MB, 5000);
    const [x, y] = [{}, {}];
    const xHeld = (await b.acquireLoaded(2 * MB, { room: x }))!;
    const yHeld = (await b.acquireLoaded(2 * MB, { room: y }))!;
    const create = b.holdSending(4 * MB);
    let xMore: (() => void) | undefined;
    void b.acquireLoaded(3 * MB, { room: x }).then((r) => (xMore = r));
    void b.acquireLoaded(3 * MB, { room: y });
    await new Promise((r) => setTimeout(r, 10));
    expect(xMore).toBeUndefined();
    expect(b.inLoading).toBe(4 * MB);
    create(); // now only the calls' own waits remain: the older goes past the limit
    await new Promise((r) => setTimeout(r, 10));
    expect(typeof xMore).toBe("function");
    xHeld();
    xMore!();
    yHeld();
  });
});

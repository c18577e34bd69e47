/** Room a request keeps until its answer is sent (transports/answer-rooms.ts): what resources/read holds its file's copies under. */
import { EventEmitter } from "node:events";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { LoadRoom } from "../../src/net/loaded-media.js";
import { countProcessMedia } from "../../src/net/outbound-bodies.js";
import { AnswerRooms } from "../../src/transports/answer-rooms.js";
import { BodyBudget } from "../../src/transports/body-budget.js";

const MB = 1 << 20;
const owner = new EventEmitter();
afterEach(() => owner.emit("close"));

/** A transport whose sends wait until `flush()`. */
function slowTransport() {
  const sent: JSONRPCMessage[] = [];
  let flush = () => {};
  const transport = {
    start: () => Promise.resolve(),
    close: () => Promise.resolve(),
    send: (m: JSONRPCMessage) => new Promise<void>((r) => (flush = () => (sent.push(m), r()))),
  } as unknown as Transport;
  return { transport, sent, flush: () => flush() };
}

/** A 4 MiB budget counting the process's loaded media, and the rooms under test. */
function setup() {
  const budget = new BodyBudget(4 * MB, 300);
  countProcessMedia(budget, owner);
  return { budget, rooms: new AnswerRooms() };
}

/** A room holding `bytes` of `budget`. */
async function heldRoom(budget: BodyBudget, bytes: number): Promise<LoadRoom> {
  const before = budget.inLoading;
  const room = new LoadRoom();
  await room.take(bytes, "media://files/a.mp4");
  expect(budget.inLoading - before).toBe(bytes);
  return room;
}

describe("room held until an answer is sent", () => {
  it("is given back once the request's answer has been handed to the transport, not before", async () => {
    const { budget, rooms } = setup();
    const t = slowTransport();
    const transport = rooms.wrap(t.transport);
    rooms.holdUntilAnswered(7, await heldRoom(budget, 3 * MB), new AbortController().signal);
    // Another request's answer, and a notification, leave it held.
    void transport.send({ jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: 1, progress: 1 } });
    t.flush();
    void transport.send({ jsonrpc: "2.0", id: 8, result: {} });
    t.flush();
    await Promise.resolve();
    expect(budget.inLoading).toBe(3 * MB);
    const sending = transport.send({ jsonrpc: "2.0", id: 7, result: { contents: [] } });
    expect(budget.inLoading).toBe(3 * MB);
    t.flush();
    await sending;
    expect(budget.inLoading).toBe(0);
  });

  it("is given back when the request is cancelled or its connection closes (no answer is sent then)", async () => {
    const { budget, rooms } = setup();
    const call = new AbortController();
    rooms.holdUntilAnswered(1, await heldRoom(budget, MB), call.signal);
    call.abort();
    expect(budget.inLoading).toBe(0);
    const gone = new AbortController();
    gone.abort();
    rooms.holdUntilAnswered(2, await heldRoom(budget, MB), gone.signal);
    expect(budget.inLoading).toBe(0);
  });

  it("is given back for a request whose id the client reuses before it is answered (nothing is held for good)", async () => {
    const { budget, rooms } = setup();
    const t = slowTransport();
    const transport = rooms.wrap(t.transport);
    rooms.holdUntilAnswered(21, await heldRoom(budget, MB), new AbortController().signal);
    rooms.holdUntilAnswered(21, await heldRoom(budget, MB), new AbortController().signal);
    expect(budget.inLoading).toBe(MB);
    const sending = transport.send({ jsonrpc: "2.0", id: 21, result: { contents: [] } });
    t.flush();
    await sending;
    expect(budget.inLoading).toBe(0);
  });

  it("is given back when sending the answer fails", async () => {
    const { budget, rooms } = setup();
    const transport = rooms.wrap({ send: () => Promise.reject(new Error("closed")) } as unknown as Transport);
    rooms.holdUntilAnswered(3, await heldRoom(budget, MB), new AbortController().signal);
    await expect(transport.send({ jsonrpc: "2.0", id: 3, result: {} })).rejects.toThrow("closed");
    expect(budget.inLoading).toBe(0);
  });
});

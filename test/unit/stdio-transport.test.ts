/** The stdio line reader: messages split anywhere across chunks, the per-message cap, and finding the id of a refused request. */
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { LineStdioTransport, requestId } from "../../src/transports/stdio.js";

function setup(max = 1024 * 1024) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const t = new LineStdioTransport(max, stdin, stdout);
  const got: unknown[] = [];
  const sent: unknown[] = [];
  t.onmessage = (m) => void got.push(m);
  stdout.on("data", (d: Buffer) =>
    d
      .toString()
      .split("\n")
      .filter(Boolean)
      .forEach((l) => sent.push(JSON.parse(l))),
  );
  return { stdin, stdout, t, got, sent };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("LineStdioTransport", () => {
  it("reassembles messages split at any byte and several per chunk", async () => {
    const { stdin, t, got } = setup();
    await t.start();
    const a = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" });
    const b = JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" });
    const all = Buffer.from(`${a}\r\n${b}\n\n${a}\n`);
    for (let i = 0; i < all.length; i += 7) stdin.write(all.subarray(i, i + 7));
    await tick();
    expect(got).toHaveLength(3);
  });

  it("refuses a message over the cap with an error to its id, then reads the next one", async () => {
    const { stdin, t, got, sent } = setup(1024 * 1024);
    await t.start();
    const big = JSON.stringify({ method: "tools/call", params: { arguments: { x: "a".repeat(2 * 1024 * 1024) } }, jsonrpc: "2.0", id: 42 });
    for (let i = 0; i < big.length; i += 65536) stdin.write(big.slice(i, i + 65536));
    stdin.write("\n" + JSON.stringify({ jsonrpc: "2.0", id: 43, method: "ping" }) + "\n");
    await tick();
    expect(sent).toEqual([
      expect.objectContaining({
        id: 42,
        error: expect.objectContaining({ code: -32600, message: expect.stringMatching(/over the stdio limit of 1048576 bytes/) }),
      }),
    ]);
    expect(got).toEqual([expect.objectContaining({ id: 43 })]);
  });

  it("answers a line that is not JSON with a parse error and keeps going", async () => {
    const { stdin, t, got, sent } = setup();
    await t.start();
    stdin.write("not json\n" + JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }) + "\n");
    await tick();
    expect(sent).toEqual([expect.objectContaining({ id: null, error: expect.objectContaining({ code: -32700 }) })]);
    expect(got).toHaveLength(1);
  });

  it("closes with a reason when stdin ends", async () => {
    const { stdin, t } = setup();
    let closed = false;
    t.onclose = () => void (closed = true);
    await t.start();
    stdin.end();
    await tick();
    expect(closed).toBe(true);
    expect(t.closeReason).toMatch(/stdin ended/);
  });

  it("finds the request id at either end", () => {
    expect(requestId('{"jsonrpc":"2.0","id":7,"method":"x","params":{', "")).toBe(7);
    expect(requestId('{"id":"abc","jsonrpc":"2.0",', "")).toBe("abc");
    expect(requestId('{"method":"tools/call","params":{"id":5,', 'aaaa"}},"jsonrpc":"2.0","id":9}')).toBe(9);
    expect(requestId('{"method":"x","params":{"id":5,', 'aaaa"}}}')).toBeUndefined();
  });
});

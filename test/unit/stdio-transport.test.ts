/**
 * The stdio line reader: messages split anywhere across chunks, the per-message cap, finding the id
 * of a refused request, and taking over from the entry's early answers (src/early-answers.ts).
 */
import { PassThrough } from "node:stream";
import { SUPPORTED_PROTOCOL_VERSIONS } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import type { EarlyAnswers } from "../../src/early-answers.js";
import { requestId } from "../../src/transports/message-limits.js";
import { LineStdioTransport } from "../../src/transports/stdio.js";

function setup(max = 1024 * 1024, early?: EarlyAnswers) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const t = new LineStdioTransport(max, stdin, stdout, early);
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

  it("refuses a message over the key, value or depth limit before parsing it, answering requests only, and reads the next one", async () => {
    const { stdin, t, got, sent } = setup(8 * 1024 * 1024);
    await t.start();
    const meta = Object.fromEntries(Array.from({ length: 350_000 }, (_, i) => [`k${i}`, 0]));
    stdin.write(JSON.stringify({ jsonrpc: "2.0", id: 5, method: "ping", params: { _meta: meta } }) + "\n");
    stdin.write(JSON.stringify({ jsonrpc: "2.0", method: "notifications/progress", params: { _meta: meta } }) + "\n");
    stdin.write(`{"jsonrpc":"2.0","method":"ping","params":{"x":${"[".repeat(100_000)}${"]".repeat(100_000)}},"id":"d"}\n`);
    stdin.write(JSON.stringify({ jsonrpc: "2.0", id: 6, method: "ping" }) + "\n");
    await tick();
    expect(sent).toEqual([
      { jsonrpc: "2.0", id: 5, error: expect.objectContaining({ code: -32600, message: expect.stringMatching(/more than 1000 members/) }) },
      { jsonrpc: "2.0", id: "d", error: expect.objectContaining({ message: expect.stringMatching(/nested more than 72 levels/) }) },
    ]);
    expect(got).toEqual([expect.objectContaining({ id: 6 })]);
  });

  it("answers a line that is not JSON with a parse error and keeps going", async () => {
    const { stdin, t, got, sent } = setup();
    await t.start();
    stdin.write("not json\n" + JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }) + "\n");
    await tick();
    expect(sent).toEqual([expect.objectContaining({ id: null, error: expect.objectContaining({ code: -32700 }) })]);
    expect(got).toHaveLength(1);
  });

  it("answers JSON that is no valid message with the request's own id and the field at fault, and a notification not at all", async () => {
    const { stdin, t, got, sent } = setup();
    await t.start();
    const call = { jsonrpc: "2.0", id: 10, method: "tools/call", params: { name: "x", _meta: { progressToken: { a: 1 } } } };
    stdin.write(JSON.stringify(call) + "\n");
    stdin.write(JSON.stringify({ jsonrpc: "2.0", method: "notifications/progress", params: 5 }) + "\n");
    stdin.write("[1,2]\n" + JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }) + "\n");
    await tick();
    expect(sent).toEqual([
      { jsonrpc: "2.0", id: 10, error: { code: -32600, message: "Invalid Request: params._meta.progressToken: Invalid input" } },
      { jsonrpc: "2.0", id: null, error: { code: -32600, message: expect.stringMatching(/^Invalid Request: a JSON-RPC batch/) } },
    ]);
    expect(got).toHaveLength(1);
  });

  it("answers each request of a batch under its own id, naming the batch, and runs none of it", async () => {
    const { stdin, t, got, sent } = setup();
    await t.start();
    const ping = (id: number) => ({ jsonrpc: "2.0", id, method: "ping" });
    stdin.write(JSON.stringify([ping(2), { jsonrpc: "2.0", method: "notifications/initialized" }, ping(3)]) + "\n");
    await tick();
    const batch = expect.stringMatching(/^Invalid Request: a JSON-RPC batch .*line of its own/);
    expect(sent).toEqual([
      { jsonrpc: "2.0", id: 2, error: { code: -32600, message: batch } },
      { jsonrpc: "2.0", id: 3, error: { code: -32600, message: batch } },
    ]);
    expect(got).toHaveLength(0);
  });

  it("answers a request whose method is not a string with its own id, naming method", async () => {
    const { stdin, t, got, sent } = setup();
    await t.start();
    stdin.write('{"jsonrpc":"2.0","id":7,"method":42}\n{"jsonrpc":"2.0","id":"s","method":{}}\n{"jsonrpc":"2.0","method":42}\n');
    stdin.write('{"jsonrpc":"2.0","id":true,"method":"ping"}\n{"jsonrpc":"2.0","id":9}\n');
    await tick();
    const invalid = (id: unknown, message: string) => ({
      jsonrpc: "2.0",
      id,
      error: { code: -32600, message: `Invalid Request: ${message}` },
    });
    expect(sent).toEqual([
      invalid(7, "method: Invalid input: expected string, received number"),
      invalid("s", "method: Invalid input: expected string, received object"),
      invalid(null, "method: Invalid input: expected string, received number"),
      invalid(null, "id: must be a string or a number"),
      // no method: perhaps a response of the client's, so its id is not answered
      invalid(null, "not a JSON-RPC message"),
    ]);
    expect(got).toHaveLength(0);
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

  it("sends many answers to a slow reader in order, each settled once the reader drains, without Node's 'possible memory leak' warning", async () => {
    const stdin = new PassThrough();
    // A reader that is not reading: every write past the first 64 bytes waits for 'drain'.
    const stdout = new PassThrough({ highWaterMark: 64 });
    const t = new LineStdioTransport(1024, stdin, stdout);
    await t.start();
    const warnings: Error[] = [];
    const onWarning = (w: Error) => void warnings.push(w);
    process.on("warning", onWarning);
    try {
      let settled = 0;
      const sends = Array.from({ length: 20 }, (_, i) =>
        t.send({ jsonrpc: "2.0", method: "notifications/message", params: { i } }).then(() => settled++),
      );
      await tick();
      expect(settled).toBeLessThan(20);
      const lines: number[] = [];
      stdout.on("data", (d: Buffer) =>
        d
          .toString()
          .split("\n")
          .filter(Boolean)
          .forEach((l) => lines.push((JSON.parse(l) as { params: { i: number } }).params.i)),
      );
      await Promise.all(sends);
      await tick();
      expect(lines).toEqual(Array.from({ length: 20 }, (_, i) => i));
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
  });

  it("finds the request id at either end", () => {
    expect(requestId('{"jsonrpc":"2.0","id":7,"method":"x","params":{', "")).toBe(7);
    expect(requestId('{"id":"abc","jsonrpc":"2.0",', "")).toBe("abc");
    expect(requestId('{"method":"tools/call","params":{"id":5,', 'aaaa"}},"jsonrpc":"2.0","id":9}')).toBe(9);
    expect(requestId('{"method":"x","params":{"id":5,', 'aaaa"}}}')).toBeUndefined();
  });
});

describe("the stdio transport, taking over from early answers", () => {
  const takeOver = (answers: EarlyAnswers) => setup(1024 * 1024, answers);
  const LIST = { tools: [{ name: "seedream_generate_image", inputSchema: { type: "object" } }] };
  const HELLO = { capabilities: { tools: { listChanged: true } }, serverInfo: { name: "aigc-mcp", version: "0.1.0" } };
  const lines = (...msgs: object[]) => msgs.map((m) => `${JSON.stringify(m)}\n`).join("");
  const initialize = {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
  };
  const initialized = { jsonrpc: "2.0", method: "notifications/initialized" };
  const listTools = { jsonrpc: "2.0", id: 2, method: "tools/list" };
  const answered = (list: object) =>
    new Map<string, { method: string; result: unknown }>([
      ["1", { method: "initialize", result: { protocolVersion: "2025-06-18", ...HELLO } }],
      ["2", { method: "tools/list", result: list }],
    ]);

  it("handles the input read so far first, drops its second answers, and keeps the initialize answer", async () => {
    const { stdin, t, got, sent } = takeOver({
      chunks: [Buffer.from(lines(initialize, initialized)), Buffer.from(lines(listTools))],
      answered: answered(LIST),
      file: "f",
    });
    await t.start();
    stdin.write(lines({ jsonrpc: "2.0", id: 3, method: "ping" }));
    await tick();
    expect(got.map((m) => (m as { method: string }).method)).toEqual(["initialize", "notifications/initialized", "tools/list", "ping"]);
    await t.send({ jsonrpc: "2.0", id: 1, result: { protocolVersion: "2025-06-18", ...HELLO } });
    await t.send({ jsonrpc: "2.0", id: 2, result: LIST });
    await t.send({ jsonrpc: "2.0", id: 3, result: {} });
    await tick();
    expect(sent).toEqual([{ jsonrpc: "2.0", id: 3, result: {} }]);
    // kept for the stored list without the client's version, with the SDK's versions
    expect(t.handshake?.result).toEqual(HELLO);
    expect(t.handshake?.supported).toEqual(SUPPORTED_PROTOCOL_VERSIONS);
    // an id answered once is answered normally the next time
    await t.send({ jsonrpc: "2.0", id: 2, result: {} });
    await tick();
    expect(sent).toHaveLength(2);
  });

  it("tells the client to list again when the list it sent early differs from the server's", async () => {
    const { t, sent } = takeOver({
      chunks: [Buffer.from(lines(initialize, listTools))],
      answered: answered({ tools: [] }),
      file: "f",
    });
    await t.start();
    await t.send({ jsonrpc: "2.0", id: 2, result: LIST });
    await tick();
    expect(sent).toEqual([{ jsonrpc: "2.0", method: "notifications/tools/list_changed" }]);
  });

  it("keeps the initialize answer only, whatever else is answered to the same id", async () => {
    const { stdin, t } = setup();
    await t.start();
    stdin.write(lines(initialize));
    await tick();
    await t.send({ jsonrpc: "2.0", id: 1, result: { protocolVersion: "2025-06-18", ...HELLO } });
    await t.send({ jsonrpc: "2.0", id: 1, result: LIST });
    expect(t.handshake?.result).toEqual(HELLO);
  });

  it("at the end of stdin, waits for neither a cancelled request nor an answered one, and counts an id used twice", async () => {
    const { stdin, t } = setup();
    let closed = false;
    t.onclose = () => void (closed = true);
    await t.start();
    const call = (id: number) => ({ jsonrpc: "2.0", id, method: "tools/call" });
    stdin.end(lines(call(1), call(1), call(2), { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 2 } }));
    await tick();
    await t.send({ jsonrpc: "2.0", id: 1, result: {} });
    expect(closed).toBe(false);
    await t.send({ jsonrpc: "2.0", id: 1, result: {} });
    expect(closed).toBe(true);
  });

  it("at the end of stdin, answers the requests it read before it closes, 1 s at most", async () => {
    const { stdin, t, sent } = setup();
    let closed = false;
    t.onclose = () => void (closed = true);
    await t.start();
    stdin.end(lines({ jsonrpc: "2.0", id: 7, method: "ping" }, { jsonrpc: "2.0", id: 8, method: "tools/call" }));
    await tick();
    expect(closed).toBe(false);
    await t.send({ jsonrpc: "2.0", id: 7, result: {} });
    expect(closed).toBe(false);
    const started = Date.now();
    await new Promise<void>((resolve) => (t.onclose = resolve));
    expect(Date.now() - started).toBeGreaterThan(700);
    expect(sent).toEqual([{ jsonrpc: "2.0", id: 7, result: {} }]);
  });

  it("closes when stdin ended before it took over, once the requests it read are answered", async () => {
    const { t, sent } = takeOver({
      chunks: [Buffer.from(lines({ jsonrpc: "2.0", id: 5, method: "ping" }))],
      answered: new Map(),
      ended: "stdin ended (the client closed the connection)",
    });
    let closed = false;
    t.onclose = () => void (closed = true);
    await t.start();
    expect(closed).toBe(false);
    await t.send({ jsonrpc: "2.0", id: 5, result: {} });
    await tick();
    expect(sent).toEqual([{ jsonrpc: "2.0", id: 5, result: {} }]);
    expect(closed).toBe(true);
  });

  it("closes when stdin ended before it took over", async () => {
    const { t } = takeOver({ chunks: [], answered: new Map(), ended: "stdin ended (the client closed the connection)" });
    let closed = false;
    t.onclose = () => void (closed = true);
    await t.start();
    expect(closed).toBe(true);
    expect(t.closeReason).toMatch(/stdin ended/);
  });
});

/** The whole-message scan both transports run before parsing (src/transports/message-limits.ts). */
import { describe, expect, it } from "vitest";
import { MAX_MESSAGE_DEPTH, MAX_MESSAGE_VALUES, MAX_OBJECT_KEYS, messageRefusal } from "../../src/transports/message-limits.js";

const what = (value: unknown) => messageRefusal(typeof value === "string" ? value : JSON.stringify(value))?.error.data.what;
const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
const nested = (levels: number) => `{"id":1,"x":${"[".repeat(levels - 1)}${"]".repeat(levels - 1)}}`;

describe("messageRefusal", () => {
  it("counts object members per object, at every level", () => {
    expect(what({ params: { _meta: keys(MAX_OBJECT_KEYS) } })).toBeUndefined();
    expect(what({ params: { _meta: keys(MAX_OBJECT_KEYS + 1) } })).toBe("keys");
    expect(what({ a: [[{ b: keys(MAX_OBJECT_KEYS + 1) }]] })).toBe("keys");
    // an array is bounded by the count of values only
    expect(what({ a: Array(MAX_OBJECT_KEYS * 10).fill({}) })).toBeUndefined();
  });

  it("counts every member and element of the message, a batch as a whole", () => {
    const spread = (n: number) => ({ a: Array.from({ length: n / 1000 }, () => Array<number>(1000).fill(0)) });
    expect(what(spread(MAX_MESSAGE_VALUES - 1000))).toBeUndefined();
    expect(what(spread(MAX_MESSAGE_VALUES + 1000))).toBe("values");
    expect(what([spread(60_000), spread(60_000)])).toBe("values");
    expect(what(Array(MAX_MESSAGE_VALUES + 1).fill(1))).toBe("values");
  });

  it("measures depth from the message, also in a batch", () => {
    expect(what(nested(MAX_MESSAGE_DEPTH))).toBeUndefined();
    expect(what(nested(MAX_MESSAGE_DEPTH + 1))).toBe("depth");
    expect(what(`[${nested(MAX_MESSAGE_DEPTH)}]`)).toBeUndefined();
    expect(what(`[${nested(MAX_MESSAGE_DEPTH + 1)}]`)).toBe("depth");
  });

  it("skips strings, with their escapes, brackets and commas: a large one is one value", () => {
    const tricky = `a"b\\\\"[{,,,}]\\"`.repeat(200_000);
    expect((JSON.parse(JSON.stringify({ s: tricky })) as { s: string }).s).toBe(tricky);
    expect(what({ s: tricky, t: "\\", u: ["[", "{", ","] })).toBeUndefined();
    expect(what({ s: "A".repeat(8_000_000) })).toBeUndefined();
  });

  it("finds the request id at either end, names the limit, and leaves text that is not JSON to the parser", () => {
    const first = messageRefusal(JSON.stringify({ jsonrpc: "2.0", id: "x-1", method: "ping", params: { _meta: keys(2000) } }));
    expect(first).toEqual({
      id: "x-1",
      error: {
        code: -32600,
        message: expect.stringMatching(/^Invalid Request: .*more than 1000 members/),
        data: { limit: 1000, what: "keys" },
      },
    });
    expect(messageRefusal(JSON.stringify({ method: "ping", params: { _meta: keys(2000) }, jsonrpc: "2.0", id: 9 }))?.id).toBe(9);
    expect(messageRefusal(JSON.stringify([{ jsonrpc: "2.0", id: 1, params: keys(2000) }]))?.id).toBeNull();
    expect(messageRefusal('{"a": "unterminated')).toBeUndefined();
    expect(messageRefusal("not json at all")).toBeUndefined();
  });
});

import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { chatBody, parseJsonAnswer, readChatStream } from "../../src/vendors/gateway/chat.js";
import { failure } from "../helpers/failure.js";

const ev = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
const delta = (d: Record<string, unknown>, finish: string | null = null) =>
  ev({ model: "qwen3-8b", choices: [{ index: 0, delta: d, finish_reason: finish }] });

/** Splits the text into chunks of `size` bytes, so events and multi-byte characters straddle chunks. */
function body(text: string, size = 7): Readable {
  const buf = Buffer.from(text, "utf8");
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

describe("chat SSE reader", () => {
  it("joins content and reasoning across split chunks and multi-byte characters, and reads usage after the last choice", async () => {
    const sse =
      delta({ role: "assistant", content: "" }) +
      delta({ reasoning_content: "想一想…" }) +
      delta({ content: "你好，" }) +
      ": keep-alive comment\n\n" +
      delta({ content: "world" }, "stop") +
      ev({ model: "qwen3-8b", choices: [], usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 } }) +
      "data: [DONE]\n\n";
    const seen: string[] = [];
    const a = await readChatStream(body(sse), { model: "fallback", requestId: "r1", onDelta: (text) => seen.push(text) });
    expect(a).toEqual({
      model: "qwen3-8b",
      text: "你好，world",
      reasoning: "想一想…",
      finish_reason: "stop",
      usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
      request_id: "r1",
    });
    expect(seen.at(-1)).toBe("你好，world");
  });

  it("accepts CRLF framing and a stream that ends after finish_reason without [DONE]", async () => {
    const sse = `data: ${JSON.stringify({ choices: [{ delta: { content: "ok" }, finish_reason: "length" }] })}\r\n\r\n`;
    expect(await readChatStream(body(sse, 3), { model: "m" })).toMatchObject({ model: "m", text: "ok", finish_reason: "length" });
  });

  it("fails clearly on a cut stream, an error event and a malformed event", async () => {
    expect((await failure(readChatStream(body(delta({ content: "half" })), { model: "m" }))).info).toMatchObject({
      category: "network",
      code: "StreamIncomplete",
    });
    const errored = await failure(
      readChatStream(body(delta({ content: "a" }) + ev({ error: { code: "InternalError", message: "upstream died" } })), {
        model: "m",
        requestId: "r2",
      }),
    );
    expect(errored.info).toMatchObject({ code: "InternalError", requestId: "r2" });
    expect(errored.message).toMatch(/upstream died/);
    expect((await failure(readChatStream(body("data: {nope\n\n"), { model: "m" }))).info.code).toBe("MalformedStream");
  });
});

describe("chat SSE framing", () => {
  const chunk = (content: string, finish: string | null = null) =>
    JSON.stringify({ model: "m1", choices: [{ index: 0, delta: { content }, finish_reason: finish }] });

  it("reads CR-only line ends, multi-line data, other fields and a BOM, and ignores everything after [DONE]", async () => {
    const sse =
      "\ufeffretry: 3000\r" +
      `event: message\rid: 1\rdata: ${chunk("a")}\r\r` +
      `x-unknown: field\ndata: {"choices":\ndata: [{"delta":{"content":"b"},"finish_reason":"stop"}]}\n\n` +
      "data: [DONE]\n\n" +
      `data: ${chunk("after the end")}\n\n`;
    expect(await readChatStream(body(sse, 5), { model: "m" })).toMatchObject({ model: "m1", text: "ab", finish_reason: "stop" });
  });

  it("still counts a last event the server did not close with a blank line", async () => {
    expect(await readChatStream(body(`data: ${chunk("x", "stop")}\n`), { model: "m" })).toMatchObject({ text: "x", finish_reason: "stop" });
    expect(await readChatStream(body(`data: ${chunk("y", "stop")}`), { model: "m" })).toMatchObject({ text: "y", finish_reason: "stop" });
  });

  it("stops an event that never ends instead of buffering it", async () => {
    const endless = Readable.from(
      (function* () {
        yield Buffer.from("data: ");
        for (let i = 0; i < 5; i++) yield Buffer.alloc(1024 * 1024, "a");
      })(),
    );
    const err = await failure(readChatStream(endless, { model: "m" }));
    expect(err.info).toMatchObject({ category: "bad_response", code: "MalformedStream" });
    expect(err.message).toMatch(/huge event with no separator/);
  });
});

describe("chat request body", () => {
  it("builds prompt+system, the JSON note, response_format and both thinking switches", () => {
    const b = chatBody({
      model: "qwen-plus",
      prompt: "hi",
      system: "be brief",
      temperature: 0.2,
      max_tokens: 50,
      response_format: { schema: { type: "object" }, name: "out" },
      enable_thinking: false,
    });
    expect(b).toMatchObject({
      model: "qwen-plus",
      stream: true,
      temperature: 0.2,
      max_tokens: 50,
      response_format: { type: "json_schema", json_schema: { name: "out", schema: { type: "object" } } },
      enable_thinking: false,
      chat_template_kwargs: { enable_thinking: false },
    });
    const msgs = b.messages as Array<{ role: string; content: string }>;
    expect(msgs[0]!.role).toBe("system");
    expect(msgs[0]!.content).toMatch(/^be brief\n\nAnswer with JSON only, matching this JSON Schema:\n\{"type":"object"\}$/);
    expect(msgs[1]).toEqual({ role: "user", content: "hi" });
    expect(chatBody({ model: "m", prompt: "x" })).not.toHaveProperty("response_format");
  });

  it("refuses prompt together with messages, and messages with no user turn", () => {
    expect(() => chatBody({ model: "m", prompt: "x", messages: [{ role: "user", content: "y" }] })).toThrow(
      /prompt: pass either messages or prompt/,
    );
    expect(() => chatBody({ model: "m", messages: [{ role: "assistant", content: "y" }] })).toThrow(
      /messages: needs at least one message with role user/,
    );
    expect(() => chatBody({ model: "m" })).toThrow(/messages: pass messages/);
  });

  it("parses JSON answers with or without a code fence", () => {
    expect(parseJsonAnswer('```json\n{"a":1}\n```')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseJsonAnswer(' {"a":2} ')).toEqual({ ok: true, value: { a: 2 } });
    expect(parseJsonAnswer("sure! {a}").ok).toBe(false);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Progress } from "@modelcontextprotocol/sdk/types.js";
import { header } from "../../../../src/sandbox/sim-server.js";
import { startHarness, structured, text, type Harness } from "../../../helpers/harness.js";
import { itNeverShowsTheKey } from "./helpers.js";
import { mark } from "../../../helpers/results.js";

type Chat = {
  message: string;
  model: string;
  text: string;
  json?: unknown;
  reasoning?: string;
  finish_reason?: string;
  usage?: { total_tokens?: number };
  request_id?: string;
};

const SCHEMA = {
  type: "object",
  properties: {
    title: { type: "string" },
    tags: { type: "array", items: { type: "string" }, minItems: 1 },
    score: { type: "number", minimum: 0, maximum: 1 },
  },
  required: ["title", "tags", "score"],
  additionalProperties: false,
};

describe("gateway tools (key auth, in-process)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  const gw = () => h.sandbox.gateway;
  it("chat: streams the answer with progress, sends the key as a header and nothing auth-like in the body", async () => {
    const before = mark(gw());
    const progress: Progress[] = [];
    const r = await h.call(
      "gateway_chat",
      { prompt: "[slow] describe a lighthouse in a storm", system: "be vivid", temperature: 0.3 },
      { onprogress: (p) => progress.push(p) },
    );
    expect(r.isError).toBeFalsy();
    const s = structured<Chat>(r);
    expect(s.model).toBe("qwen-plus");
    expect(s.text).toMatch(/lighthouse/);
    expect(s.finish_reason).toBe("stop");
    expect(s.usage?.total_tokens).toBeGreaterThan(0);
    expect(text(r)).toContain(s.text);
    expect(s.message).toBe(
      `qwen-plus answered: ${s.text
        .split("\n")
        .find((l) => l.trim())!
        .trim()
        .slice(0, 199)}${s.text.length > 199 ? "…" : ""}`,
    );
    expect(progress.some((p) => /receiving the answer/.test(p.message ?? ""))).toBe(true);
    const [req] = before.since();
    expect(req!.path).toBe("/v1/chat/completions");
    expect(header(req!, "authorization")).toBe(`Bearer ${gw().apiKey}`);
    expect(req!.json).toMatchObject({
      model: "qwen-plus",
      stream: true,
      temperature: 0.3,
      messages: [{ role: "system", content: "be vivid" }, { role: "user" }],
    });
    expect(JSON.stringify(req!.json)).not.toMatch(/extra_headers|authorization|Bearer/i);
  });

  it("chat: a JSON schema answer is validated and returned as structuredContent.json", async () => {
    const r = await h.call("gateway_chat", { prompt: "tag this article about tides", json_schema: { schema: SCHEMA, name: "tags" } });
    expect(r.isError).toBeFalsy();
    const json = structured<Chat>(r).json as { title: string; tags: string[]; score: number };
    expect(typeof json.title).toBe("string");
    expect(json.tags.length).toBeGreaterThan(0);
    expect(JSON.parse(text(r).split("\n\n(")[0]!)).toEqual(json);
    // Not the result's first line, "{": VS Code's model sees only structuredContent, message first.
    expect(structured<Chat>(r).message).toBe("qwen-plus answered with JSON that matches the schema; it is in json");

    const bad = await h.call("gateway_chat", { prompt: "[bad-json] tag this", json_schema: { schema: SCHEMA } });
    expect(bad.isError).toBe(true);
    expect(text(bad)).toMatch(/SchemaMismatch/);
    expect(text(bad)).toMatch(/must have required property|required/);
    expect(text(bad)).toMatch(/The raw answer was:/);
    // The answer was billed (its tokens): the failure says what it cost, as every paid result does, Dify's _meta.usage too.
    const cost = structured<{ cost?: { actual?: number; actual_currency?: string } }>(bad).cost;
    expect(cost).toMatchObject({ actual: expect.any(Number), actual_currency: "CNY" });
    expect(cost!.actual).toBeGreaterThan(0);
    expect(text(bad)).toMatch(/\nCost: .*; actual ¥/);
    expect(bad._meta?.usage).toMatchObject({ currency: "CNY" });
    // Its first line and its advice, as every failure's message: the quoted answer between them is left out.
    expect(structured<{ message: string }>(bad).message).toMatch(/^Error: SchemaMismatch [^\n]*\nWhat to do: [^\n]+$/);

    const obj = await h.call("gateway_chat", { messages: [{ role: "user", content: "give me JSON" }], response_format: "json_object" });
    expect(structured<Chat>(obj).json).toEqual(expect.any(Object));
    expect(structured<Chat>(obj).message).toBe("qwen-plus answered with JSON; it is in json");

    const named = await h.call("gateway_chat", { prompt: "tag this", response_format: "json_schema", json_schema: { schema: SCHEMA } });
    expect(structured<Chat>(named).json).toEqual(expect.any(Object));
    const before = mark(gw());
    const contradiction = await h.call("gateway_chat", { prompt: "x", response_format: "text", json_schema: { schema: SCHEMA } });
    expect(text(contradiction)).toMatch(/^Error.*response_format.*json_schema/);
    const missing = await h.call("gateway_chat", { prompt: "x", response_format: "json_schema" });
    expect(text(missing)).toMatch(/^Error.*json_schema.*needs json_schema/);
    expect(before.since()).toHaveLength(0);

    const invalid = await h.call("gateway_chat", { prompt: "x", json_schema: { schema: { type: "nonsense" } } });
    expect(invalid.isError).toBe(true);
    expect(text(invalid)).toMatch(/json_schema\.schema: is not a valid JSON Schema/);
  });

  it("chat: thinking is switched both ways and its reasoning comes back separately", async () => {
    const before = mark(gw());
    const r = structured<Chat>(await h.call("gateway_chat", { prompt: "why is the sky blue?", model: "qwen3-8b", enable_thinking: true }));
    expect(r.reasoning).toBeTruthy();
    expect(r.text).not.toContain(r.reasoning!);
    expect(before.since()[0]!.json).toMatchObject({
      model: "qwen3-8b",
      enable_thinking: true,
      chat_template_kwargs: { enable_thinking: true },
    });
  });

  it("chat: cancelling the call aborts the gateway request", async () => {
    const before = mark(gw());
    const ac = new AbortController();
    const call = h.call("gateway_chat", { prompt: "[slow] [slow] a very long story ".repeat(20) }, { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 150));
    ac.abort();
    await expect(call).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 300));
    expect(before.since()[0]!.aborted).toBe(true);
  });

  it("chat: bad input is refused before any call, naming the field", async () => {
    const before = mark(gw());
    const both = await h.call("gateway_chat", { prompt: "a", messages: [{ role: "user", content: "b" }] });
    expect(text(both)).toMatch(/prompt: pass either messages or prompt/);
    const noUser = await h.call("gateway_chat", { messages: [{ role: "assistant", content: "b" }] });
    expect(text(noUser)).toMatch(/messages: needs at least one message with role user/);
    const temp = await h.call("gateway_chat", { prompt: "a", temperature: 3 });
    expect(temp.isError).toBe(true);
    expect(text(temp)).toMatch(/temperature/);
    expect(before.since()).toHaveLength(0);
  });

  it("chat: model errors keep their code; unknown models name the variable", async () => {
    const r = await h.call("gateway_chat", { prompt: "hi", model: "no-such-model" });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/^Error: model_not_found \(AI Gateway, HTTP 404, request id [^)]+\)/);
    expect(text(r)).toMatch(/AI_GATEWAY_CHAT_MODEL/);
    const blocked = await h.call("gateway_chat", { prompt: "[blocked] hi" });
    expect(text(blocked)).toMatch(/data_inspection_failed/);
  });

  itNeverShowsTheKey(() => h);
  /** The longest event-loop stall (ms) while `work` runs, measured by a 5 ms timer in this process (server and client share it). */
  async function longestStall(work: () => Promise<unknown>): Promise<number> {
    let last = performance.now();
    let worst = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last - 5);
      last = now;
    }, 5);
    try {
      await work();
    } finally {
      clearInterval(timer);
    }
    return worst;
  }

  it("chat: a backtracking pattern in json_schema.schema runs in linear time and never stalls the server", async () => {
    const schema = { type: "object", properties: { ["a".repeat(27)]: { type: "string", pattern: "^(a+)+$" } } };
    await h.call("gateway_chat", { prompt: "warm up", json_schema: { schema: SCHEMA } });
    let r: Awaited<ReturnType<typeof h.call>> | undefined;
    const stall = await longestStall(async () => {
      r = await h.call("gateway_chat", { prompt: "fill it", json_schema: { schema } });
    });
    // The simulator answers "aaa…a for fill it", which the pattern refuses: a mismatch, answered at once.
    expect(r!.isError).toBe(true);
    expect(text(r!)).toMatch(/SchemaMismatch/);
    expect(stall).toBeLessThan(100);
  });

  it("chat: an oversized or too deep json_schema.schema is refused naming the field, without stalling", async () => {
    const properties = Object.fromEntries(
      Array.from({ length: 20_000 }, (_, i) => [`property_${i}_${"x".repeat(20)}`, { type: "string", description: "y".repeat(10) }]),
    );
    const huge = { type: "object", properties };
    expect(JSON.stringify(huge).length).toBeGreaterThan(1_000_000);
    const before = mark(gw());
    let r: Awaited<ReturnType<typeof h.call>> | undefined;
    const stall = await longestStall(async () => {
      r = await h.call("gateway_chat", { prompt: "x", json_schema: { schema: huge } });
    });
    expect(r!.isError).toBe(true);
    expect(text(r!)).toMatch(/^Error.*json_schema\.schema: is \d+ bytes as JSON; the limit is 131072 bytes/);
    // Parsing and validating the 1 MB call itself takes tens of ms on a loaded CI machine; a stall (a
    // backtracking or unbounded walk) would take seconds.
    expect(stall).toBeLessThan(150);

    let deep: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 40; i++) deep = { type: "array", items: deep };
    const d = await h.call("gateway_chat", { prompt: "x", json_schema: { schema: deep } });
    expect(d.isError).toBe(true);
    expect(text(d)).toMatch(/json_schema\.schema: nests objects and arrays more than 32 levels deep/);
    expect(before.since()).toHaveLength(0);
  });
});

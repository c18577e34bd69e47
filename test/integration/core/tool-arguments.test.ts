/** Issue 11 item 9: arguments the schema cannot judge (deep nesting, unknown names, network-share file URLs) answer an error naming the field. */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineTool, registerTool } from "../../../src/tools/define.js";
import { MAX_ARGUMENT_DEPTH } from "../../../src/tools/arguments.js";
import { startHarness, text, type Harness } from "../../helpers/harness.js";
import { lastRequest, mark } from "../../helpers/results.js";

function nested(depth: number): Record<string, unknown> {
  let v: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

function nestedArray(depth: number): unknown {
  let v: unknown = [];
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe("tool arguments", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("answers 10 000 levels of nesting in body or req_json with an error naming the field", async () => {
    for (const [field, args] of [
      ["body", { req_key: "jimeng_t2i_v46", mode: "async", body: nested(10_000) }],
      ["req_json", { req_key: "jimeng_t2i_v46", mode: "async", body: { prompt: "x" }, req_json: nested(10_000) }],
      ["body", { req_key: "jimeng_t2i_v46", mode: "async", body: { list: nestedArray(10_000) } }],
    ] as const) {
      const r = await h.call("volc_visual_call", args);
      expect(r.isError).toBe(true);
      expect(text(r)).toMatch(new RegExp(`^Error.*: ${field}: is nested more than ${MAX_ARGUMENT_DEPTH} levels deep`));
      expect(text(r)).not.toMatch(/Internal error|call stack/);
    }
    // any tool, any argument
    const r = await h.call("seedream_generate_image", { prompt: "x", images: nestedArray(5_000) });
    expect(text(r)).toMatch(/^Error.*: images: is nested/);
  });

  it("ignores a __proto__ argument: it sets nothing (the SDK's request parsing drops it, as README says)", async () => {
    const args = JSON.parse('{"prompt":"x","size":"1K","__proto__":{"max_images":99,"watermark":true}}') as Record<string, unknown>;
    const r = await h.call("seedream_generate_image", args);
    expect(r.isError, text(r)).toBeFalsy();
    const sent = lastRequest(h.sandbox.ark, (q) => q.path.endsWith("/images/generations")).json as Record<string, unknown>;
    expect(sent.max_images).toBeUndefined();
    expect(sent.sequential_image_generation_options).toBeUndefined();
  });

  it("still takes ordinary nesting", async () => {
    const r = await h.call("volc_visual_call", {
      req_key: "jimeng_t2i_v46",
      mode: "async",
      body: { prompt: "ok", ...nested(10) },
      wait_seconds: 0,
    });
    expect(text(r)).not.toMatch(/nested/);
  });

  it("refuses a wait_seconds over the server's longest wait naming the variable and what to do instead", async () => {
    const r = await h.call("seedance_generate_video", { prompt: "x", wait_seconds: 601 });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(
      /^Error.*wait_seconds: must be at most 600 \(got 601\): this server's longest wait \(AIGC_MCP_MAX_WAIT_S\); wait_for_job waits on a job again for longer/,
    );
    // kling_create_element makes no job: it says what follows the element instead.
    const element = await h.call("kling_create_element", { element_name: "kite", element_description: "a kite", wait_seconds: 601 });
    expect(text(element)).toMatch(/AIGC_MCP_MAX_WAIT_S\); kling_list_elements shows an element still being created once it is done/);
  });

  it("still enforces the limits the tool list leaves out (lengths, counts, patterns), naming the field and the limit", async () => {
    const m = mark(h.sandbox.kling);
    const listed = (await h.client.listTools()).tools.find((t) => t.name === "kling_create_element")!;
    expect(JSON.stringify(listed.inputSchema)).not.toMatch(/maxLength|maxItems/);
    const long = await h.call("kling_create_element", { element_name: "x".repeat(21), element_description: "a cat" });
    expect(long.isError).toBe(true);
    expect(text(long)).toMatch(/^Error.*element_name: must have at most 20 characters/);
    const many = await h.call("kling_multi_image_to_video", { images: Array(5).fill("https://example.com/a.png"), prompt: "x" });
    expect(text(many)).toMatch(/^Error.*images: must have at most 4 items/);
    const id = await h.call("kling_delete_element", { element_id: "abc" });
    expect(text(id)).toMatch(/^Error.*element_id: must be a numeric element id/);
    expect(m.since()).toHaveLength(0);
  });

  it("refuses a prompt that is only whitespace before any vendor request (a blank generation is billed)", async () => {
    const sims = [h.sandbox.ark, h.sandbox.kling, h.sandbox.visual, h.sandbox.gateway].map(mark);
    for (const [tool, args, field] of [
      ["seedream_generate_image", { prompt: "   " }, "prompt"],
      ["kling_text_to_video", { prompt: " \n\t", wait_seconds: 0 }, "prompt"],
      ["kling_omni_image", { prompt: "   " }, "prompt"],
      ["jimeng_generate_image", { prompt: "\n\t " }, "prompt"],
      ["seedream_generate_image", { prompt: " \u200b\u3000\u00a0" }, "prompt"],
      ["gateway_chat", { prompt: "  ", max_tokens: 5 }, "prompt"],
      ["kling_image_to_video", { image: "https://example.com/a.png", prompt: "  ", wait_seconds: 0 }, "prompt"],
      ["kling_text_to_video", { prompt: "x", multi_prompt: [{ prompt: " ", duration: 5 }], wait_seconds: 0 }, "multi_prompt[0].prompt"],
    ] as const) {
      const r = await h.call(tool, args);
      expect(r.isError, tool).toBe(true);
      expect(text(r)).toMatch(new RegExp(`^Error.*${field.replace(/[[\]]/g, "\\$&")}: is only whitespace`));
    }
    for (const m of sims) expect(m.since()).toHaveLength(0);
    // An optional prompt may still be left empty: "" means none, as before.
    const empty = await h.call("seedance_generate_video", { image: "https://example.com/a.png", prompt: "", wait_seconds: 0 });
    expect(text(empty)).not.toMatch(/prompt: /);
  });

  it("refuses a prompt of only invisible characters (Unicode's default-ignorable code points), and takes real text around them", async () => {
    const sims = [h.sandbox.ark, h.sandbox.gateway].map(mark);
    // variation selector 16, Mongolian vowel separator, Hangul fillers, soft hyphen, combining grapheme joiner, tag space, BOM
    for (const c of ["\uFE0F", "\u180E", "\u115F", "\u3164", "\u00AD", "\u034F", "\u{E0020}", "\uFEFF", " \u200B\u3164 \uFE0F"]) {
      const r = await h.call("seedream_generate_image", { prompt: c });
      expect(r.isError, JSON.stringify(c)).toBe(true);
      expect(text(r)).toMatch(/^Error.*prompt: is only whitespace or invisible characters/);
    }
    const speech = await h.call("gateway_speech", { text: "\u3164\u00AD", voice: "longxiaochun" });
    expect(text(speech)).toMatch(/^Error.*text: is only whitespace or invisible characters/);
    for (const m of sims) expect(m.since()).toHaveLength(0);
    for (const prompt of ["一只猫在月光下", "a red heart \u2764\uFE0F on snow", "\u00ADsoft-hyphenated", "👍🏽 thumbs"]) {
      const r = await h.call("seedream_generate_image", { prompt });
      expect(r.isError, text(r)).toBeFalsy();
    }
  });

  it("still enforces the ranges the tool list leaves out (loose bounds, wait_seconds, max_cost), in the same words", async () => {
    const m = mark(h.sandbox.kling);
    const listed = (await h.client.listTools()).tools.find((t) => t.name === "kling_text_to_video")!.inputSchema.properties!;
    expect(listed.duration).toEqual({ description: "default 5", type: "integer" });
    expect(listed.wait_seconds).toEqual({ type: "integer" });
    expect(listed.max_cost).toEqual({ type: "number" });
    const long = await h.call("kling_text_to_video", { prompt: "x", duration: 61 });
    expect(text(long)).toMatch(/^Error.*duration: must be at most 60 \(got 61\)/);
    // Past the integer type's own bound too: only the field's bound is said.
    const huge = await h.call("kling_text_to_video", { prompt: "x", duration: 1e300 });
    expect(text(huge).split("\n")[0]).toMatch(/^Error: InvalidInput: duration: must be at most 60 \(got 1e\+300\)$/);
    // One bound checked twice (the schema's min and the loose range) is said once.
    const below = await h.call("seedance_generate_video", { prompt: "x", duration: -5 });
    expect(text(below).split("\n")[0]).toMatch(/^Error: InvalidInput: duration: must be at least -1 \(got -5\)$/);
    const wait = await h.call("kling_text_to_video", { prompt: "x", wait_seconds: 100_000 });
    expect(text(wait)).toMatch(/^Error.*wait_seconds: must be at most \d+ \(got 100000\)/);
    const free = await h.call("kling_text_to_video", { prompt: "x", max_cost: 0 });
    expect(text(free)).toMatch(/^Error.*max_cost: must be more than 0 \(got 0\)/);
    expect(m.since()).toHaveLength(0);
  });

  it("sends a model id without the whitespace around it, and refuses one that is only whitespace", async () => {
    const m = mark(h.ark);
    const r = await h.call("seedream_generate_image", { prompt: "x", model: " doubao-seedream-5-0-pro-260628 \n" });
    expect(r.isError, text(r)).toBeFalsy();
    expect((m.since()[0]!.json as { model: string }).model).toBe("doubao-seedream-5-0-pro-260628");
    const blank = await h.call("kling_text_to_video", { prompt: "x", model: "  " });
    expect(text(blank)).toMatch(/^Error: InvalidInput: model: must not be empty/);
  });

  it("names the nearest valid argument for a misspelt one, on every tool", async () => {
    const r = await h.call("seedance_generate_video", { prompt: "x", wait_second: 5 });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/^Error.*: wait_second: is not an argument of seedance_generate_video; did you mean wait_seconds\?/);
    const j = await h.call("list_jobs", { limt: 5 });
    expect(text(j)).toMatch(/limt: is not an argument of list_jobs; did you mean limit\?/);
    const far = await h.call("get_job", { job_id: "x", zzzzzzzz: 1 });
    expect(text(far)).toMatch(/zzzzzzzz: is not an argument of get_job \(its arguments: job_id, delivery\)/);
    expect(h.ark.tasks.size).toBe(0);
  });

  it("answers a file:// URL with a host with an error naming the field", async () => {
    const r = await h.call("seedream_generate_image", { prompt: "x", images: ["file://fileserver/share/cat.png"] });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/^Error.*images\[0\]: .*not a local file URL/);
    expect(text(r)).not.toMatch(/Internal error/);
  });

  it("parses a call's arguments once (our check, not the SDK's parse again)", async () => {
    let parses = 0;
    const server = new McpServer({ name: "t", version: "1" });
    registerTool(
      server,
      h.app,
      defineTool({
        name: "count_parses",
        title: "t",
        description: "t",
        input: { n: z.number().refine(() => ++parses > 0) },
        output: {},
        annotations: { readOnlyHint: true },
        run: (args) => Promise.resolve({ content: [{ type: "text", text: `n=${args.n}` }], structuredContent: { message: "ok" } }),
      }),
    );
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(b);
    const client = new Client({ name: "c", version: "1" });
    await client.connect(a);
    const r = await client.callTool({ name: "count_parses", arguments: { n: "5" } });
    expect(text(r as never)).toBe("n=5");
    expect(parses).toBe(1);
    await client.close();
    await server.close();
  });
});

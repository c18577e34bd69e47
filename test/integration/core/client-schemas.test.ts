/**
 * Issue 12 item 9 (d): every tool's input schema reaches the model unchanged through the two agent
 * libraries users run, driven as they are for real: LangChain's `loadMcpTools` (which rewrites
 * schemas with its own simplifier and validates arguments before calling) and the AI SDK's
 * `createMCPClient().tools()` (whose schema goes to the model provider as is). A union of a string
 * and an object, for instance, comes out of LangChain as the object alone, and a model's
 * `"json_object"` is then refused before it reaches the server.
 */
import { createMCPClient } from "@ai-sdk/mcp";
import { validate } from "@cfworker/json-schema";
import { loadMcpTools } from "@langchain/mcp-adapters";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { generateText, jsonSchema, type ToolSet } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { PLUGINS } from "../../../src/plugins.js";
import { createMcpServer } from "../../../src/server.js";
import { jobTools } from "../../../src/tools/jobs.js";
import { listModels } from "../../../src/tools/list-models.js";
import { startHarness, type Harness } from "../../helpers/harness.js";

const IMAGE = "https://example.com/a.png";
const VIDEO = "https://example.com/a.mp4";
const JOB = "job_ark_0123456789abcdef";

/**
 * Argument shapes the server accepts beyond each tool's catalog samples and demo calls: the ones the
 * client report (mcp-clients-2026.md §2) tried, and one call for each tool without a sample.
 */
const VARIANTS: Record<string, Array<Record<string, unknown>>> = {
  gateway_chat: [
    { prompt: "hi", response_format: "json_object" },
    { prompt: "hi", response_format: "text" },
    { prompt: "hi", json_schema: { schema: { type: "object" }, name: "answer", strict: true } },
    { prompt: "hi", response_format: "json_schema", json_schema: { schema: { type: "object", properties: { a: { type: "string" } } } } },
    {
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: "hi" },
      ],
      enable_thinking: false,
      temperature: 0.2,
    },
  ],
  jimeng_generate_video: [
    { prompt: "a cat", duration: 5 },
    { prompt: "a cat", first_frame: IMAGE, duration: 10 },
  ],
  kling_omni_video: [
    { prompt: "a lighthouse", duration: 15, aspect_ratio: "16:9" },
    {
      prompt: "two shots",
      multi_shot: true,
      shot_type: "customize",
      multi_prompt: [
        { prompt: "wide", duration: 3 },
        { prompt: "close", duration: 2 },
      ],
      duration: 5,
      aspect_ratio: "16:9",
    },
    { prompt: "edit <<<video_1>>>", video: { url: VIDEO, refer_type: "base", keep_original_sound: true } },
    { prompt: "<<<image_1>>> flies", images: [{ image: IMAGE, role: "first_frame" }] },
  ],
  kling_omni_image: [{ prompt: "a comic", result_type: "series", series_amount: 4 }],
  seedream_generate_image: [{ prompt: "a story in four scenes", max_images: 4, images: [IMAGE], seed: 42, watermark: false }],
  volc_visual_call: [{ req_key: "jimeng_t2i_v40", body: { prompt: "a cat", width: 1024 }, req_json: { return_url: true } }],
  get_job: [{ job_id: JOB }],
  wait_for_job: [{ job_id: JOB, wait_seconds: 5 }],
  cancel_job: [{ job_id: JOB }],
  list_jobs: [{}],
  list_models: [{}, { vendor: "kling" }],
  estimate_cost: [{ tool: "seedream_generate_image", arguments: { prompt: "a kite" } }],
  get_budget: [{}, { days: 30 }],
  kling_list_elements: [{}],
  kling_delete_element: [{ element_id: "123456" }],
  kling_create_element: [{ element_name: "cat", element_description: "a tabby cat", frontal_image: IMAGE }],
  gateway_transcribe: [{ audio: "https://example.com/a.mp3" }],
  kling_multi_image_to_video: [{ prompt: "they meet", images: [IMAGE, IMAGE] }],
  jimeng_portrait_photo: [{ image: IMAGE, prompt: "as an astronaut" }],
};

describe("tool schemas through LangChain and the AI SDK (issue 12 item 9)", () => {
  let h: Harness;
  let tools: Tool[];
  /** Every argument shape for each tool, each checked against the server's own zod schema first. */
  const calls = new Map<string, Array<Record<string, unknown>>>();

  beforeAll(async () => {
    h = await startHarness();
    tools = (await h.client.listTools()).tools;
    const add = (tool: string, args: Record<string, unknown>) => calls.set(tool, [...(calls.get(tool) ?? []), args]);
    for (const v of h.app.vendors)
      for (const m of v.models?.tools ?? []) for (const args of [m.sample, ...(m.alternatives ?? [])]) add(m.tool, args);
    for (const p of PLUGINS) for (const d of p.demo) if (typeof d.arguments !== "function") add(d.tool, d.arguments);
    for (const [tool, list] of Object.entries(VARIANTS)) for (const args of list) add(tool, args);
  });
  afterAll(() => h.close());

  it("has argument shapes for every tool, and the server's schemas accept each of them", () => {
    const defs = [...h.app.vendors.flatMap((v) => v.tools), ...jobTools(h.app), listModels(h.app)];
    expect(tools.map((t) => t.name).filter((n) => !calls.has(n))).toEqual([]);
    const refused: string[] = [];
    for (const def of defs)
      for (const args of calls.get(def.name) ?? []) {
        const r = z.strictObject(def.input).safeParse(args);
        if (!r.success) refused.push(`${def.name} ${JSON.stringify(args)}: ${r.error.message}`);
      }
    expect(refused).toEqual([]);
  });

  it("LangChain's loadMcpTools keeps every schema as the server publishes it and accepts every argument shape", async () => {
    const lc = await loadMcpTools("aigc", h.client);
    expect(lc.map((t) => t.name).sort()).toEqual(tools.map((t) => t.name).sort());
    const refused: string[] = [];
    for (const t of tools) {
      const converted = lc.find((x) => x.name === t.name)!;
      // $schema is the only key LangChain drops on purpose; everything else must survive.
      const { $schema: _, ...published } = t.inputSchema as Record<string, unknown>;
      expect(converted.schema, t.name).toEqual(published);
      // The adapter's own validation runs in invoke() before its func (here a stub, not a paid call).
      converted.func = () => Promise.resolve(["called", []]);
      for (const args of calls.get(t.name) ?? []) {
        const out = await converted.invoke(args).catch((e: Error) => e);
        if (out !== "called") refused.push(`${t.name} ${JSON.stringify(args)}: ${String(out)}`);
      }
    }
    expect(refused).toEqual([]);
  });

  it("the AI SDK's tools() gives the model every schema unchanged, and each argument shape matches it", async () => {
    const server = createMcpServer(h.app);
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const mcp = await createMCPClient({ transport: clientSide });
    try {
      const sdkTools = (await mcp.tools()) as ToolSet;
      // What the provider receives, captured from a real generateText step with a scripted model.
      let sent: Array<{ name: string; inputSchema: unknown }> = [];
      const model = new MockLanguageModelV3({
        doGenerate: (options) => {
          sent = (options.tools ?? []).flatMap((x) => (x.type === "function" ? [{ name: x.name, inputSchema: x.inputSchema }] : []));
          return Promise.resolve({
            content: [{ type: "text", text: "done" }],
            finishReason: { unified: "stop", raw: "stop" },
            usage: {
              inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
              outputTokens: { total: 1, text: 1, reasoning: 0 },
            },
            warnings: [],
          });
        },
      });
      await generateText({ model, tools: sdkTools, prompt: "hi" });
      expect(sent.map((s) => s.name).sort()).toEqual(tools.map((t) => t.name).sort());
      const refused: string[] = [];
      for (const t of tools) {
        const schema = sent.find((s) => s.name === t.name)!.inputSchema as Record<string, unknown>;
        // The AI SDK closes the top-level object (additionalProperties: false); nothing else changes.
        expect(schema, t.name).toEqual({ ...t.inputSchema, additionalProperties: false });
        // The SDK does not validate a dynamic tool's input itself (the provider's model follows the
        // schema), so each shape is checked against what the model was given.
        expect(jsonSchema(schema).validate).toBeUndefined();
        for (const args of calls.get(t.name) ?? []) {
          const r = validate(args, schema, "7");
          if (!r.valid) refused.push(`${t.name} ${JSON.stringify(args)}: ${r.errors.map((e) => e.error).join("; ")}`);
        }
      }
      expect(refused).toEqual([]);
    } finally {
      await mcp.close();
      await server.close();
    }
  });
});

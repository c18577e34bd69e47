/**
 * Issue 16: the tool list is converted to JSON Schema once per AppContext. Over HTTP every request
 * has its own McpServer built from the same context; converting 29 tools' zod schemas again for each
 * tools/list cost ~50 ms of CPU per request.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMcpServer } from "../../../src/server.js";
import { compactSchema, listTools } from "../../../src/tools/listing.js";
import { startHarness, type Harness } from "../../helpers/harness.js";

let h: Harness;
beforeAll(async () => void (h = await startHarness()));
afterAll(() => h.close());

type Registered = Record<
  string,
  {
    title?: string;
    description?: string;
    inputSchema: z.ZodObject;
    outputSchema: z.ZodObject;
    annotations?: ToolAnnotations;
    _meta?: Record<string, unknown>;
  }
>;
const registeredOf = (server: McpServer) => (server as unknown as { _registeredTools: Registered })._registeredTools;

/** The tools/list answer of a fresh server built from the harness's context, as a client receives it, with the raw handler result. */
async function listFromNewServer() {
  const server = createMcpServer(h.app);
  const handler = (
    server.server as unknown as { _requestHandlers: Map<string, (r: unknown, e: unknown) => Promise<{ tools: unknown[] }>> }
  )._requestHandlers.get("tools/list");
  const raw = await handler?.({ method: "tools/list", params: {} }, {});
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(b);
  const client = new Client({ name: "t", version: "1" });
  await client.connect(a);
  const listed = (await client.listTools()).tools;
  await client.close();
  await server.close();
  return { raw, listed };
}

describe("the tool list", () => {
  it("is converted once per context and shared by every server built from it", async () => {
    const first = await listFromNewServer();
    const second = await listFromNewServer();
    expect(first.raw?.tools.length).toBeGreaterThan(10);
    // the same answer object: nothing was converted again
    expect(second.raw).toBe(first.raw);
    expect(second.listed).toEqual(first.listed);
    expect(second.listed).toEqual((await h.client.listTools()).tools);
  });

  it("is what the SDK's McpServer lists for the same tools, with compact input schemas", async () => {
    const ours = createMcpServer(h.app);
    // The same registered tools in a plain McpServer: the SDK's own tools/list handler answers.
    const plain = new McpServer({ name: "plain", version: "1" });
    for (const [name, t] of Object.entries(registeredOf(ours)))
      plain.registerTool(
        name,
        {
          title: t.title,
          description: t.description,
          inputSchema: t.inputSchema,
          outputSchema: t.outputSchema,
          annotations: t.annotations,
          _meta: t._meta,
        },
        () => ({ content: [] }),
      );
    const handler = (
      plain.server as unknown as {
        _requestHandlers: Map<string, (r: unknown, e: unknown) => Promise<{ tools: Array<{ inputSchema: unknown }> }>>;
      }
    )._requestHandlers.get("tools/list")!;
    const sdk = await handler({ method: "tools/list", params: {} }, {});
    const expected = sdk.tools.map((t) => ({ ...t, inputSchema: compactSchema(t.inputSchema) }));
    // JSON text, so key order counts too
    expect(JSON.stringify(listTools(ours).tools)).toBe(JSON.stringify(expected));
  });

  it("servers built from one context share their tools' zod objects (each parser compiled, each schema converted once)", () => {
    const [a, b] = [registeredOf(createMcpServer(h.app)), registeredOf(createMcpServer(h.app))];
    expect(Object.keys(a).length).toBeGreaterThan(10);
    for (const name of Object.keys(a)) {
      expect(b[name]!.inputSchema, name).toBe(a[name]!.inputSchema);
      expect(b[name]!.outputSchema, name).toBe(a[name]!.outputSchema);
    }
    // every tool answering with a job lists one output object
    expect(a.get_job!.outputSchema).toBe(a.wait_for_job!.outputSchema);
    expect(a.seedream_generate_image!.outputSchema).toBe(a.seedance_generate_video!.outputSchema);
  });
});

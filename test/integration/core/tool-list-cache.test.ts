/**
 * Issue 16: the tool list is converted to JSON Schema once per AppContext. Over HTTP every request
 * has its own McpServer built from the same context; converting 29 tools' zod schemas again for each
 * tools/list cost ~50 ms of CPU per request.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMcpServer } from "../../../src/server.js";
import { startHarness, type Harness } from "../../helpers/harness.js";

let h: Harness;
beforeAll(async () => void (h = await startHarness()));
afterAll(() => h.close());

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
});

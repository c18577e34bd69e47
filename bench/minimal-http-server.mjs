// The floor for goal 4 (concurrency): the smallest useful MCP server on the same SDK version as
// aigc-mcp, over Streamable HTTP (stateless: a server and transport per request, as aigc-mcp builds
// a server per request), on 127.0.0.1 and a free port, which it prints on stderr. Two tools: `echo`
// (no work) and `wait` (answers after `ms`, as a vendor's render would). bench/calls.mjs sends it
// the same burst, and the same calls in flight, as aigc-mcp: what any server on this SDK costs.
import { createServer } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

const http = createServer(async (req, res) => {
  const server = new McpServer({ name: "minimal", version: "1.0.0" });
  server.registerTool(
    "echo",
    { description: "Returns its text.", inputSchema: { text: z.string().describe("what to return") } },
    async ({ text }) => ({ content: [{ type: "text", text }] }),
  );
  server.registerTool(
    "wait",
    { description: "Answers after `ms` milliseconds.", inputSchema: { ms: z.number().int().min(0).max(600_000) } },
    async ({ ms }) => (await sleep(ms), { content: [{ type: "text", text: `waited ${ms} ms` }] }),
  );
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  res.on("close", () => void transport.close().then(() => server.close()));
  await server.connect(transport);
  await transport.handleRequest(req, res);
});
http.keepAliveTimeout = 60_000;
http.listen(0, "127.0.0.1", () => {
  const address = http.address();
  process.stderr.write(`"url":"http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/mcp"\n`);
});

// The baseline for start-up: the smallest useful MCP server on the same SDK version as aigc-mcp,
// one tool over stdio (bench/startup.mjs times it from spawn to its tools/list answer).
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const server = new McpServer({ name: "minimal", version: "1.0.0" });
server.registerTool(
  "echo",
  { description: "Returns its text.", inputSchema: { text: z.string().describe("what to return") } },
  async ({ text }) => ({ content: [{ type: "text", text }] }),
);
await server.connect(new StdioServerTransport());

// The floor for goal 4 (concurrency): the smallest useful MCP server on the same SDK version as
// aigc-mcp, over Streamable HTTP (stateless-http.mjs). Two tools: `echo` (no work) and `wait`
// (answers after `ms`, as a vendor's render would). bench/calls.mjs sends it the same burst, and the
// same calls in flight, as aigc-mcp: what any server on this SDK costs.
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { serveStateless } from "./stateless-http.mjs";

serveStateless("minimal", (server) => {
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
});

// The HTTP host of the bench's minimal servers (minimal-http-server.mjs, work-server.mjs): the SDK's
// Streamable HTTP transport, stateless (a server and transport per request, as aigc-mcp builds a
// server per request), on 127.0.0.1 and a free port, which it prints on stderr.
import { createServer } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";

/** Serves MCP over HTTP with the tools `register` adds to each request's server. @param {string} name @param {(server: McpServer) => void} register */
export function serveStateless(name, register) {
  const http = createServer(async (req, res) => {
    const server = new McpServer({ name, version: "1.0.0" });
    register(server);
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
}

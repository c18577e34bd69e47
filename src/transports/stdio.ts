import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { AppContext } from "../context.js";
import { log } from "../log.js";
import { createMcpServer } from "../server.js";

export async function serveStdio(app: AppContext): Promise<void> {
  const server = createMcpServer(app);
  const transport = new StdioServerTransport();
  transport.onclose = () => {
    void app.jobs.close().finally(() => process.exit(0));
  };
  await server.connect(transport);
  log.info("aigc-mcp ready on stdio", { vendors: app.vendors.map((v) => v.id), output: app.config.outputDir });
}

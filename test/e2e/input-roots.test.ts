/** Issue 12 item 4 through the built server: started in `/` as desktop clients do, it logs its input roots and `/` is not one. */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/harness.js";
import { stdioClient } from "./helpers.js";

describe("working directory /", () => {
  it("is never a default input root, and the roots are logged at start-up", async () => {
    const out = tempDir("aigc-root-");
    const { client, stderr } = await stdioClient({ AIGC_MCP_OUTPUT_DIR: out, AIGC_MCP_LOG_LEVEL: "info" }, ["--sandbox"], undefined, {
      cwd: "/",
    });
    try {
      const r = (await client.callTool({
        name: "seedream_generate_image",
        arguments: { prompt: "x", images: ["/etc/hostname"] },
      })) as CallToolResult;
      expect(r.isError).toBe(true);
      const t = r.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
      expect(t).toMatch(/outside the allowed input folders.*AIGC_MCP_INPUT_ROOTS/);
      const err = stderr();
      expect(err).toMatch(/input roots .*"roots":\[[^\]]*\]/);
      expect(/"roots":\[([^\]]*)\]/.exec(err)![1]).not.toMatch(/"\/"/);
    } finally {
      await client.close();
    }
  }, 30_000);
});

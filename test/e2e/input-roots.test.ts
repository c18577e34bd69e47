/**
 * Issue 12 item 4 through the built server: started in `/` as desktop clients do, it logs its input roots and `/` is not one.
 * A configured root that does not exist is warned of at start-up.
 */
import { join } from "node:path";
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

describe("AIGC_MCP_INPUT_ROOTS", () => {
  it("warns of each root that does not exist, and starts", async () => {
    const here = tempDir("aigc-roots-");
    const gone = [join(here, "missing"), "/nonexistent-aigc-root"];
    const { client, stderr } = await stdioClient({
      AIGC_MCP_OUTPUT_DIR: tempDir(),
      AIGC_MCP_INPUT_ROOTS: [gone[0], here, gone[1]].join(":"),
    });
    try {
      await client.listTools();
      const warned = stderr()
        .split("\n")
        .filter((l) => l.includes(" WARN AIGC_MCP_INPUT_ROOTS"));
      expect(warned.map((l) => l.slice(l.indexOf("AIGC_MCP_INPUT_ROOTS")))).toEqual(
        gone.map(
          (root) =>
            `AIGC_MCP_INPUT_ROOTS names ${root}, which does not exist: local paths under it are refused; fix the path or create the folder`,
        ),
      );
    } finally {
      await client.close();
    }
  }, 30_000);
});

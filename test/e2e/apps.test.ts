/**
 * Issue 15 items 1 and 3 through the built server and the SDK client: the viewer resource as the MCP
 * Apps spec asks for it, its declaration on exactly the tools that answer with a job, the view-only
 * facts in result `_meta`, and AIGC_MCP_APPS=false — results identical to an Apps-enabled server's
 * apart from that `_meta`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { tempDir } from "../helpers/harness.js";
import { stdioClient } from "./helpers.js";

const VIEWER = "ui://aigc-mcp/viewer";
const structured = (r: CallToolResult) => r.structuredContent as Record<string, unknown> & { job_id: string; status: string };
const jobTool = (t: Tool) => {
  const props = (t.outputSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
  return "job_id" in props && "assets" in props;
};

describe("MCP Apps viewer declarations (built server, --sandbox)", { timeout: 120_000 }, () => {
  const dir = tempDir("aigc-e2e-apps-");
  let apps: Client;
  let plain: Client;
  beforeAll(async () => {
    // Two servers on one output folder (one job store): with the viewer and with AIGC_MCP_APPS=false.
    apps = (await stdioClient({ AIGC_MCP_OUTPUT_DIR: dir, AIGC_MCP_LOG_LEVEL: "error" }, ["--sandbox"])).client;
    plain = (await stdioClient({ AIGC_MCP_OUTPUT_DIR: dir, AIGC_MCP_LOG_LEVEL: "error", AIGC_MCP_APPS: "false" }, ["--sandbox"])).client;
  });
  afterAll(async () => {
    await apps?.close();
    await plain?.close();
  });

  it("declares the viewer on every tool that answers with a job, and on no other", async () => {
    const { tools } = await apps.listTools();
    const declared = tools.filter((t) => t._meta?.ui);
    expect(declared.map((t) => t.name).sort()).toEqual(
      tools
        .filter(jobTool)
        .map((t) => t.name)
        .sort(),
    );
    expect(declared.map((t) => t.name)).toEqual(
      expect.arrayContaining(["seedream_generate_image", "seedance_generate_video", "kling_text_to_video", "get_job", "wait_for_job"]),
    );
    for (const t of declared) expect(t._meta).toEqual({ ui: { resourceUri: VIEWER }, "ui/resourceUri": VIEWER });
    expect(tools.find((t) => t.name === "list_models")?._meta).toBeUndefined();
    expect(tools.filter((t) => !jobTool(t)).length).toBeGreaterThan(3);
  });

  it("serves one self-contained HTML view with the MCP Apps MIME type", async () => {
    const { contents } = await apps.readResource({ uri: VIEWER });
    expect(contents).toHaveLength(1);
    const [view] = contents as Array<{ uri: string; mimeType: string; text: string; _meta?: Record<string, unknown> }>;
    expect(view!.uri).toBe(VIEWER);
    expect(view!.mimeType).toBe("text/html;profile=mcp-app");
    expect(view!.text).toMatch(/^<!doctype html>/i);
    expect(Buffer.byteLength(view!.text)).toBeLessThan(150_000);
    // Nothing loaded from elsewhere: the default CSP allows no domain, and claude.ai ignores declared ones.
    expect(view!.text).not.toMatch(/\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
    expect(view!.text).not.toMatch(/@import|url\(\s*["']?(?:https?:)?\/\//i);
    // Read by its URI, not offered among the generated files (clients show resources/list for attaching).
    expect((await apps.listResources()).resources.map((r) => r.uri)).not.toContain(VIEWER);
  });

  it("gives the viewer the job's start time and whether it can be cancelled, in _meta only", async () => {
    const started = Date.now();
    const video = (await apps.callTool({
      name: "seedance_generate_video",
      arguments: { prompt: "apps", duration: 5, wait_seconds: 0, delivery: "link" },
    })) as CallToolResult;
    expect(structured(video).status, JSON.stringify(video.content)).toMatch(/queued|running|submitting/);
    const facts = video._meta?.["aigc-mcp/job"] as { created_at: string; cancellable: boolean };
    expect(Date.parse(facts.created_at)).toBeGreaterThanOrEqual(started - 1000);
    // Ark cancels a Seedance task only while it is queued; Kling has no cancel endpoint.
    expect(facts.cancellable).toBe(structured(video).status === "queued");
    const kling = (await apps.callTool({
      name: "kling_text_to_video",
      arguments: { prompt: "apps", wait_seconds: 0, delivery: "link" },
    })) as CallToolResult;
    expect(kling._meta?.["aigc-mcp/job"]).toMatchObject({ cancellable: false });
    const done = (await apps.callTool({
      name: "wait_for_job",
      arguments: { job_id: structured(video).job_id, wait_seconds: 60 },
    })) as CallToolResult;
    expect(structured(done).status).toBe("succeeded");
    expect(done._meta?.["aigc-mcp/job"]).toEqual({ created_at: facts.created_at, cancellable: false });
    // No key of the view's facts reaches the model's text or structuredContent.
    expect(JSON.stringify(done.content) + JSON.stringify(done.structuredContent)).not.toMatch(/cancellable/);
  });

  it("AIGC_MCP_APPS=false: no declaration, no viewer resource, and the same result apart from the viewer's _meta", async () => {
    const { tools } = await plain.listTools();
    expect(tools.filter((t) => t._meta?.ui || t._meta?.["ui/resourceUri"])).toEqual([]);
    await expect(plain.readResource({ uri: VIEWER })).rejects.toThrow(/not found/i);
    const image = (await apps.callTool({
      name: "seedream_generate_image",
      arguments: { prompt: "same", wait_seconds: 60 },
    })) as CallToolResult;
    expect(structured(image).status).toBe("succeeded");
    const id = structured(image).job_id;
    const withView = (await apps.callTool({ name: "get_job", arguments: { job_id: id } })) as CallToolResult;
    const without = (await plain.callTool({ name: "get_job", arguments: { job_id: id } })) as CallToolResult;
    expect(without.content).toEqual(withView.content);
    expect(without.structuredContent).toEqual(withView.structuredContent);
    expect(without._meta?.["aigc-mcp/job"]).toBeUndefined();
    expect(withView._meta?.["aigc-mcp/job"]).toMatchObject({ cancellable: false });
  });
});

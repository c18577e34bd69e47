import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { ArkSimulator } from "../../src/vendors/ark/simulator.js";
import { tempDir } from "../helpers/harness.js";
import { run, stdioClient } from "./helpers.js";
import { type JobResult } from "../helpers/results.js";

describe("built server over stdio", () => {
  let ark: ArkSimulator;
  let env: Record<string, string>;
  beforeAll(async () => {
    ark = await new ArkSimulator({ queuedMs: 300, runningMs: 1200, imageDelayMs: 20, maxRenderEdge: 256 }).start();
    env = { ARK_API_KEY: ark.apiKey, ARK_BASE_URL: ark.baseUrl, AIGC_MCP_OUTPUT_DIR: tempDir("aigc-e2e-"), AIGC_MCP_LOG_LEVEL: "info" };
  });
  afterAll(() => ark.close());

  it("lists the Ark and job tools and generates an image with an embedded resource", async () => {
    const { client, stderr } = await stdioClient(env);
    const names = (await client.listTools()).tools.map((t) => t.name).sort();
    expect(names).toEqual(
      expect.arrayContaining(["cancel_job", "get_job", "list_jobs", "seedance_generate_video", "seedream_generate_image", "wait_for_job"]),
    );
    const r = (await client.callTool({ name: "seedream_generate_image", arguments: { prompt: "e2e cat" } })) as CallToolResult;
    const job = r.structuredContent as JobResult;
    expect(job.status).toBe("succeeded");
    expect(existsSync(job.assets[0]!.path!)).toBe(true);
    expect(r.content.some((c) => c.type === "resource" && c.resource.mimeType === "image/jpeg")).toBe(true);
    await client.close();
    expect(stderr()).toContain("aigc-mcp ready on stdio");
    expect(stderr()).not.toContain(ark.apiKey);
  });

  it("resumes a video job in a second server process after the first one exited", async () => {
    const first = await stdioClient(env);
    const started = (await first.client.callTool({ name: "seedance_generate_video", arguments: { prompt: "e2e waves", wait_seconds: 0 } }))
      .structuredContent as JobResult;
    expect(["queued", "running"]).toContain(started.status);
    await first.client.close(); // the process exits
    const second = await stdioClient(env);
    const progress: number[] = [];
    const done = (
      await second.client.callTool({ name: "wait_for_job", arguments: { job_id: started.job_id, wait_seconds: 30 } }, undefined, {
        onprogress: (p) => progress.push(p.progress),
      })
    ).structuredContent as JobResult;
    expect(done.status).toBe("succeeded");
    expect(done.assets[0]!.mime_type).toBe("video/mp4");
    expect(progress.length).toBeGreaterThan(0);
    await second.client.close();
  });

  it("--sandbox works with no keys at all", async () => {
    const { client } = await stdioClient({ AIGC_MCP_OUTPUT_DIR: tempDir("aigc-sbx-") }, ["--sandbox"]);
    const r = (await client.callTool({ name: "seedream_generate_image", arguments: { prompt: "sandbox" } })).structuredContent as JobResult;
    expect(r.status).toBe("succeeded");
    await client.close();
  });

  it("without credentials lists only the job tools and list_models", async () => {
    const { client } = await stdioClient({ AIGC_MCP_OUTPUT_DIR: tempDir("aigc-nokey-") });
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual([
      "cancel_job",
      "get_job",
      "list_jobs",
      "list_models",
      "wait_for_job",
    ]);
    await client.close();
  });

  it("stops with one clear line on a bad configuration value", async () => {
    const r = await run([], { AIGC_MCP_PORT: "port", AIGC_MCP_OUTPUT_DIR: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('aigc-mcp: configuration error: AIGC_MCP_PORT: must be a whole number (got "port")');
  });

  it("names the flag as well when the bad value came from one", async () => {
    const cases: Array<[string[], string]> = [
      [["--port", "abc"], '--port (AIGC_MCP_PORT): must be a whole number (got "abc")'],
      [["--transport=foo"], '--transport (AIGC_MCP_TRANSPORT): must be stdio or http (got "foo")'],
      [["--toolsets", "klin"], '--toolsets (AIGC_MCP_TOOLSETS): unknown toolset "klin" (did you mean kling?)'],
    ];
    for (const [argv, says] of cases) {
      // the flag outranks the variable: it is the flag's value that is refused
      const r = await run(argv, { AIGC_MCP_OUTPUT_DIR: tempDir(), AIGC_MCP_PORT: "8787", AIGC_MCP_TRANSPORT: "stdio" });
      expect(r.code).toBe(2);
      const line = `aigc-mcp: configuration error: ${says}`;
      expect(r.stderr.trim().slice(0, line.length)).toBe(line);
    }
  });

  it("stops with one line naming the variable when the HTTP port is taken or the host is no address here", async () => {
    const taken = createServer();
    await new Promise<void>((ok) => taken.listen(0, "127.0.0.1", ok));
    try {
      const port = (taken.address() as AddressInfo).port;
      const r = await run(["--http", "--port", String(port)], { AIGC_MCP_OUTPUT_DIR: tempDir() });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split("\n").at(-1)).toBe(
        `aigc-mcp: configuration error: --port (AIGC_MCP_PORT): port ${port} on 127.0.0.1 is in use by another process: pick another with --port or AIGC_MCP_PORT (0 = any free port)`,
      );
    } finally {
      taken.close();
    }
  });

  it("--help and check", async () => {
    const help = await run(["--help"], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("ARK_API_KEY");
    const check = await run(["check"], env);
    expect(check.stdout).toMatch(/^ok +ark +key accepted/m);
    expect(check.code).toBe(0);
    const bad = await run(["check"], { ...env, ARK_API_KEY: "not-the-right-key-000" });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/FAIL +ark +Error: AuthenticationError \(Ark, HTTP 401/);
    expect(bad.stdout).not.toContain("not-the-right-key-000");
  });
});

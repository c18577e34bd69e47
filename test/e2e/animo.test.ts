import { existsSync, statSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { AnimoSimulator } from "../../src/vendors/animo/simulator.js";
import { tempDir } from "../helpers/harness.js";
import { run, stdioClient } from "./helpers.js";
import { type JobResult } from "../helpers/results.js";

describe("built server: animo_generate_video", () => {
  let sim: AnimoSimulator;
  let env: Record<string, string>;
  beforeAll(async () => {
    sim = await new AnimoSimulator({ renderMs: 300, chunkDelayMs: 5, queuedMs: 200, runningMs: 800, maxRenderEdge: 160, fps: 4 }).start();
    env = {
      ANIMO_API_KEY: sim.apiKey,
      ANIMO_ENDPOINT: sim.endpoint,
      AIGC_MCP_OUTPUT_DIR: tempDir("aigc-e2e-animo-"),
      AIGC_MCP_LOG_LEVEL: "info",
    };
  });
  afterAll(() => sim.close());

  it("sync mode: streams the MP4 body to disk over stdio", async () => {
    const { client, stderr } = await stdioClient(env);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain("animo_generate_video");
    expect(names).not.toContain("seedream_generate_image"); // Ark is not configured
    const r = (await client.callTool({
      name: "animo_generate_video",
      arguments: { prompt: "e2e paper plane", duration: 3, style: "anime", wait_seconds: 30 },
    })) as CallToolResult;
    const job = r.structuredContent as JobResult;
    expect(job.status).toBe("succeeded");
    expect(job.assets[0]!.mime_type).toBe("video/mp4");
    expect(job.assets[0]!.duration_s).toBeCloseTo(3, 1);
    expect(statSync(job.assets[0]!.path!).size).toBe(job.assets[0]!.bytes);
    await client.close();
    expect(stderr()).not.toContain(sim.apiKey);
  });

  it("async mode: submits, polls and downloads over stdio", async () => {
    const { client } = await stdioClient({ ...env, ANIMO_MODE: "async" });
    const r = (await client.callTool({
      name: "animo_generate_video",
      arguments: { prompt: "e2e async torus", wait_seconds: 30 },
    })) as CallToolResult;
    const job = r.structuredContent as JobResult;
    expect(job.status).toBe("succeeded");
    expect(job.vendor_task_id).toBeTruthy();
    expect(existsSync(job.assets[0]!.path!)).toBe(true);
    await client.close();
  });

  it("--sandbox offers animo_generate_video with no keys", async () => {
    const { client } = await stdioClient({ AIGC_MCP_OUTPUT_DIR: tempDir("aigc-sbx-animo-") }, ["--sandbox"]);
    const r = (await client.callTool({ name: "animo_generate_video", arguments: { prompt: "sandbox", duration: 2, wait_seconds: 30 } }))
      .structuredContent as JobResult;
    expect(r.status).toBe("succeeded");
    expect(r.assets[0]!.mime_type).toBe("video/mp4");
    await client.close();
  });

  it("check, and a half configuration stops with one line", async () => {
    const sync = await run(["check"], env);
    expect(sync.code).toBe(0);
    expect(sync.stdout).toMatch(/^ok +animo +sync mode, POST http:\/\/127\.0\.0\.1:\d+\/animo; not contacted/m);
    const ok = await run(["check"], { ...env, ANIMO_MODE: "async" });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^ok +animo +key accepted/m);
    const bad = await run(["check"], { ...env, ANIMO_MODE: "async", ANIMO_API_KEY: "not-the-animo-key-000" });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/FAIL +animo +Error: UNAUTHORIZED \(Animo, HTTP 401/);
    expect(bad.stdout).not.toContain("not-the-animo-key-000");
    const half = await run([], { ANIMO_API_KEY: sim.apiKey, AIGC_MCP_OUTPUT_DIR: tempDir() });
    expect(half.code).toBe(2);
    expect(half.stderr.trim()).toMatch(/^aigc-mcp: configuration error: ANIMO_ENDPOINT: is required with ANIMO_API_KEY/);
  });

  it("check against a server without a model list says so once; with ANIMO_MODEL set, also that the default went unchecked", async () => {
    const bare = await new AnimoSimulator({ modelList: false }).start();
    try {
      const at = { ...env, ANIMO_API_KEY: bare.apiKey, ANIMO_ENDPOINT: bare.endpoint, ANIMO_MODE: "async" };
      const plain = await run(["check"], at);
      expect(plain.code).toBe(0);
      expect(plain.stdout.match(/model list/g)).toHaveLength(1);
      expect(plain.stdout).toMatch(/^ok +animo +key accepted .*; no model list \(GET \/v1\/models/m);
      const model = await run(["check"], { ...at, ANIMO_MODEL: "some-model" });
      expect(model.code).toBe(0);
      expect(model.stdout).toMatch(/^WARN +animo +could not read the vendor's model list to check the default models: /m);
    } finally {
      await bare.close();
    }
  });
});

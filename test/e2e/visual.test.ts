import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { VisualSimulator } from "../../src/vendors/visual/simulator.js";
import { tempDir } from "../helpers/harness.js";
import { run, stdioClient } from "./helpers.js";
import { type JobResult } from "../helpers/results.js";

describe("built server with Volcengine Visual (Jimeng) over stdio", () => {
  let sim: VisualSimulator;
  let env: Record<string, string>;
  beforeAll(async () => {
    sim = await new VisualSimulator({ queuedMs: 200, runningMs: 600, syncDelayMs: 20, maxRenderEdge: 256 }).start();
    env = {
      VOLC_ACCESSKEY: sim.accessKeyId,
      VOLC_SECRETKEY: sim.secretKey,
      VOLC_VISUAL_BASE_URL: sim.baseUrl,
      AIGC_MCP_OUTPUT_DIR: tempDir("aigc-e2e-visual-"),
      AIGC_MCP_LOG_LEVEL: "debug",
    };
  });
  afterAll(() => sim.close());

  it("lists the Jimeng tools and generates one Jimeng 4.0 image to a real JPEG file", async () => {
    const { client, stderr } = await stdioClient(env);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining(["jimeng_generate_image", "jimeng_generate_video", "jimeng_portrait_photo", "volc_visual_call", "cancel_job"]),
    );
    expect(names).not.toContain("seedream_generate_image");
    const r = (await client.callTool({
      name: "jimeng_generate_image",
      arguments: { prompt: "e2e jimeng fox", logo: { add: true } },
    })) as CallToolResult;
    const job = r.structuredContent as JobResult;
    expect(job).toMatchObject({ status: "succeeded", vendor: "visual" });
    expect(existsSync(job.assets[0]!.path!)).toBe(true);
    expect(readFileSync(job.assets[0]!.path!).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(r.content.some((c) => c.type === "resource" && c.resource.mimeType === "image/jpeg")).toBe(true);
    await client.close();
    expect(stderr()).not.toContain(sim.secretKey);
    expect(stderr()).not.toMatch(/Signature=[0-9a-f]{64}/);
  });

  it("check validates the keys and reports a wrong secret without printing it", async () => {
    const ok = await run(["check"], env);
    expect(ok.stdout).toMatch(/^ok +visual +keys accepted/m);
    const bad = await run(["check"], { ...env, VOLC_SECRETKEY: "wrong-secret-key-0000" });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/FAIL +visual +Error: SignatureDoesNotMatch \(Volcengine Visual, HTTP 401/);
    expect(bad.stdout).not.toContain("wrong-secret-key-0000");
  });

  it("--sandbox serves Jimeng with no keys", async () => {
    const { client } = await stdioClient({ AIGC_MCP_OUTPUT_DIR: tempDir("aigc-sbx-visual-") }, ["--sandbox"]);
    const r = (await client.callTool({ name: "jimeng_generate_image", arguments: { prompt: "sandbox jimeng" } }))
      .structuredContent as JobResult;
    expect(r.status).toBe("succeeded");
    await client.close();
  });
});

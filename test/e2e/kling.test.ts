import { existsSync, statSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KlingSimulator } from "../../src/vendors/kling/simulator.js";
import { tempDir } from "../helpers/harness.js";
import { run, stdioClient } from "./helpers.js";
import { type JobResult, mark, requestsTo } from "../helpers/results.js";

describe("built server with Kling", () => {
  let sim: KlingSimulator;
  let env: Record<string, string>;
  beforeAll(async () => {
    sim = await new KlingSimulator({ queuedMs: 300, runningMs: 1200 }).start();
    env = {
      KLING_ACCESS_KEY: sim.accessKey,
      KLING_SECRET_KEY: sim.secretKey,
      KLING_BASE_URL: sim.baseUrl,
      AIGC_MCP_OUTPUT_DIR: tempDir("aigc-e2e-kling-"),
      AIGC_MCP_LOG_LEVEL: "info",
    };
  });
  afterAll(() => sim.close());

  it("generates a Kling video over stdio, resumed by a second process", async () => {
    const first = await stdioClient(env);
    const names = (await first.client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["kling_text_to_video", "kling_omni_video", "kling_list_elements"]));
    expect(names).not.toContain("seedance_generate_video");
    const started = (
      await first.client.callTool({ name: "kling_text_to_video", arguments: { prompt: "e2e river", duration: 5, wait_seconds: 0 } })
    ).structuredContent as JobResult;
    expect(["queued", "running"]).toContain(started.status);
    await first.client.close();
    const second = await stdioClient(env);
    const done = (await second.client.callTool({ name: "wait_for_job", arguments: { job_id: started.job_id, wait_seconds: 30 } }))
      .structuredContent as JobResult;
    expect(done.status).toBe("succeeded");
    expect(done.assets[0]!.mime_type).toBe("video/mp4");
    expect(existsSync(done.assets[0]!.path!) && statSync(done.assets[0]!.path!).size).toBeGreaterThan(1000);
    await second.client.close();
    for (const s of [first.stderr(), second.stderr()]) {
      expect(s).not.toContain(sim.secretKey);
      expect(s).not.toMatch(/eyJhbGci/);
    }
  });

  it("works with only KLING_API_KEY: a legacy model and Kling 3.0 Turbo on the new standard", async () => {
    const keyOnly = {
      KLING_API_KEY: sim.apiKey,
      KLING_BASE_URL: sim.baseUrl,
      AIGC_MCP_OUTPUT_DIR: env.AIGC_MCP_OUTPUT_DIR!,
      AIGC_MCP_LOG_LEVEL: "info",
    };
    const c = await stdioClient(keyOnly);
    for (const model of ["kling-v3", "kling-3.0-turbo"]) {
      const done = (
        await c.client.callTool({ name: "kling_text_to_video", arguments: { prompt: `e2e ${model}`, model, wait_seconds: 30 } })
      ).structuredContent as JobResult;
      expect(done.status, model).toBe("succeeded");
      expect(done.assets[0]!.mime_type).toBe("video/mp4");
    }
    await c.client.close();
    const paths = requestsTo(sim, (q) => q.method === "POST").map((q) => q.path);
    expect(paths).toEqual(expect.arrayContaining(["/v1/videos/text2video", "/text-to-video/kling-3.0-turbo"]));
    expect(c.stderr()).not.toContain(sim.apiKey);
    const ok = await run(["check"], keyOnly);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^ok +kling +/m);
  });

  it("with only AK/SK, a new-standard model is refused before anything is sent", async () => {
    const c = await stdioClient(env);
    const before = mark(sim);
    const r = await c.client.callTool({ name: "kling_text_to_video", arguments: { prompt: "turbo", model: "kling-3.0-turbo" } });
    expect(r.isError).toBe(true);
    expect(JSON.stringify(r.content)).toMatch(/KLING_API_KEY/);
    expect(before.since()).toHaveLength(0);
    await c.client.close();
  });

  it("check validates the keys without creating anything", async () => {
    const before = sim.created;
    const ok = await run(["check"], env);
    expect(ok.stdout).toMatch(/^ok +kling +keys accepted/m);
    expect(ok.code).toBe(0);
    const bad = await run(["check"], { ...env, KLING_SECRET_KEY: "not-the-right-secret-000" });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/FAIL +kling +Error: 1002 \(Kling, HTTP 401/);
    expect(bad.stdout).not.toContain("not-the-right-secret-000");
    expect(sim.created).toBe(before);
    const half = await run(["check"], { ...env, KLING_SECRET_KEY: "" });
    expect(half.code).toBe(2);
    expect(half.stderr).toMatch(/KLING_SECRET_KEY: is missing/);
  });
});

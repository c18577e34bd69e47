/**
 * Issue 11 items 11 and 12 end to end through the built server over stdio: a hung Seedance create
 * returns by wait_seconds with a `submitting` job that wait_for_job resolves with exactly one
 * create; a lost Seedance create answer is found in Ark's task list and attached to the same job
 * id; a lost Seedream answer is worded as may-have-billed and is not sent again.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SimRequest } from "../../src/sandbox/sim-server.js";
import { ArkSimulator } from "../../src/vendors/ark/simulator.js";
import { tempDir, text } from "../helpers/harness.js";
import { jobOf, mark } from "../helpers/results.js";
import { stdioClient } from "./helpers.js";

const isCreate = (r: SimRequest) => r.method === "POST" && r.path.endsWith("/contents/generations/tasks");
const isImage = (r: SimRequest) => r.method === "POST" && r.path.endsWith("/images/generations");

describe("built server: lost and hung creates", () => {
  let sim: ArkSimulator;
  let env: Record<string, string>;
  beforeAll(async () => {
    sim = await new ArkSimulator({ queuedMs: 100, runningMs: 300, imageDelayMs: 5, maxRenderEdge: 128 }).start();
    env = {
      ARK_API_KEY: sim.apiKey,
      ARK_BASE_URL: sim.baseUrl,
      AIGC_MCP_OUTPUT_DIR: tempDir("aigc-e2e-lost-"),
      AIGC_MCP_VENDOR_TIMEOUT_S: "5",
    };
  });
  afterAll(() => sim.close());

  it("a hung Seedance create returns by wait_seconds 5 with a submitting job; wait_for_job resolves it with one create", async () => {
    const { client } = await stdioClient(env);
    try {
      sim.sim.inject({ kind: "hang-answer", match: isCreate });
      const m = mark(sim);
      const t0 = Date.now();
      const r = (await client.callTool({
        name: "seedance_generate_video",
        arguments: { prompt: "hung", wait_seconds: 5 },
      })) as CallToolResult;
      expect(Date.now() - t0).toBeLessThan(8000);
      expect(jobOf(r).status).toBe("submitting");
      expect(text(r)).toMatch(/Do not generate again/);
      const done = (await client.callTool({ name: "wait_for_job", arguments: { job_id: jobOf(r).job_id, wait_seconds: 30 } }, undefined, {
        timeout: 60_000,
      })) as CallToolResult;
      expect(jobOf(done)).toMatchObject({ status: "succeeded", job_id: jobOf(r).job_id });
      expect(jobOf(done).vendor_task_id).toBe([...sim.tasks.keys()].at(-1));
      expect(m.since(isCreate)).toHaveLength(1);
    } finally {
      await client.close();
    }
  }, 60_000);

  it("a lost Seedance create answer is found in Ark's task list and attached to the same job id", async () => {
    const { client } = await stdioClient(env);
    try {
      sim.sim.inject({ kind: "drop-answer", match: isCreate });
      const m = mark(sim);
      const r = (await client.callTool(
        { name: "seedance_generate_video", arguments: { prompt: "answer lost", wait_seconds: 2 } },
        undefined,
        { timeout: 30_000 },
      )) as CallToolResult;
      expect(text(r)).not.toMatch(/could not be reached/i);
      const id = jobOf(r).job_id;
      const done = (await client.callTool({ name: "wait_for_job", arguments: { job_id: id, wait_seconds: 20 } })) as CallToolResult;
      expect(jobOf(done)).toMatchObject({ status: "succeeded", job_id: id, vendor_task_id: [...sim.tasks.keys()].at(-1) });
      expect(m.since(isCreate)).toHaveLength(1);
    } finally {
      await client.close();
    }
  }, 60_000);

  it("a lost Seedream answer says the images may have been billed and is not sent again", async () => {
    const { client } = await stdioClient(env);
    try {
      sim.sim.inject({ kind: "drop-answer", match: isImage });
      const m = mark(sim);
      const r = (await client.callTool({
        name: "seedream_generate_image",
        arguments: { prompt: "answer lost", wait_seconds: 20 },
      })) as CallToolResult;
      expect(r.isError).toBe(true);
      expect(text(r)).not.toMatch(/could not be reached/i);
      expect(text(r)).toMatch(/may have generated the output and billed it/);
      expect(text(r)).toMatch(/not sent again/);
      expect(jobOf(r)).toMatchObject({ status: "failed", error: { code: "CreateAnswerLost" } });
      expect(m.since(isImage)).toHaveLength(1);
    } finally {
      await client.close();
    }
  }, 60_000);
});

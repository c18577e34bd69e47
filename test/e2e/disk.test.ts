/**
 * Local disk faults through the built server (no root needed): a file-size limit (`prlimit
 * --fsize`, raised later on the running process with `prlimit --pid`) makes every media write fail
 * with EFBIG the way a full disk fails with ENOSPC, while job records (small) still fit; an output
 * folder replaced by a file cannot be written at all. Both are deterministic and honest: the
 * server's own writes fail with a real errno.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArkSimulator } from "../../src/vendors/ark/simulator.js";
import { tempDir } from "../helpers/harness.js";
import { ENTRY, run } from "./helpers.js";
import { type JobResult, requestsTo } from "../helpers/results.js";

const hasPrlimit = spawnSync("prlimit", ["--version"]).status === 0;

async function limitedClient(env: Record<string, string>, limits: string[]) {
  const transport = new StdioClientTransport({
    command: "prlimit",
    args: [...limits, process.execPath, ENTRY],
    env: { PATH: process.env.PATH ?? "", ...env },
    stderr: "pipe",
  });
  const client = new Client({ name: "e2e-disk", version: "1.0.0" });
  await client.connect(transport);
  return { client, pid: transport.pid! };
}

const creates = (ark: ArkSimulator, path: string) => requestsTo(ark, (r) => r.method === "POST" && r.path.endsWith(path)).length;

describe.skipIf(!hasPrlimit)("local disk faults (built server)", () => {
  let ark: ArkSimulator;
  beforeAll(async () => {
    ark = await new ArkSimulator({ queuedMs: 100, runningMs: 300, imageDelayMs: 10, maxRenderEdge: 512 }).start();
  });
  afterAll(() => ark.close());

  it("reports a write failure as a local disk error naming the folder and downloads again once space is back", async () => {
    const dir = tempDir("aigc-e2e-disk-");
    const env = { ARK_API_KEY: ark.apiKey, ARK_BASE_URL: ark.baseUrl, AIGC_MCP_OUTPUT_DIR: dir };
    const { client, pid } = await limitedClient(env, ["--fsize=4096:unlimited"]);
    try {
      const call = async (name: string, args: Record<string, unknown>) =>
        (await client.callTool({ name, arguments: args })) as CallToolResult;
      const r = await call("seedance_generate_video", { prompt: "disk full", wait_seconds: 4 });
      const job = r.structuredContent as JobResult;
      expect(job.status).toBe("running");
      expect(job.detail).toContain(`could not write to the output folder ${dir}`);
      expect(job.detail).toContain("EFBIG");
      expect(JSON.stringify(r)).not.toMatch(/could not be reached|check the network/);
      const listed = readdirSync(dir).filter((n) => !n.startsWith("."));
      expect(listed).toEqual([]); // nothing half-written left behind
      // "Free the space": raise the running process's limit, then ask again.
      execFileSync("prlimit", ["--pid", String(pid), "--fsize=unlimited:unlimited"]);
      const done = (await call("wait_for_job", { job_id: job.job_id, wait_seconds: 20 })).structuredContent as JobResult;
      expect(done.status).toBe("succeeded");
      expect(existsSync(done.assets[0]!.path!)).toBe(true);
      expect(creates(ark, "/contents/generations/tasks")).toBe(1);
    } finally {
      await client.close();
    }
  });

  it("refuses a billed call before the vendor when the output folder cannot be written, and at start-up", async () => {
    const dir = tempDir("aigc-e2e-disk-");
    const env = { ARK_API_KEY: ark.apiKey, ARK_BASE_URL: ark.baseUrl, AIGC_MCP_OUTPUT_DIR: join(dir, "out") };
    const { client } = await limitedClient(env, ["--nofile=1024"]);
    try {
      const before = creates(ark, "/images/generations");
      rmSync(join(dir, "out"), { recursive: true, force: true });
      writeFileSync(join(dir, "out"), "a file where the folder was");
      await new Promise((r) => setTimeout(r, 1100)); // past the one-second trust in the last check
      const r = (await client.callTool({ name: "seedream_generate_image", arguments: { prompt: "no room" } })) as CallToolResult;
      expect(r.isError).toBe(true);
      const text = (r.content[0] as { text: string }).text;
      expect(text).toMatch(new RegExp(`^Error: LocalDiskError: could not write to the output folder ${join(dir, "out")}`));
      expect(text, text).toContain("Nothing was sent to the vendor");
      expect(creates(ark, "/images/generations")).toBe(before);
    } finally {
      await client.close();
    }
    const blocked = join(dir, "out", "sub");
    const started = await run([], { ...env, AIGC_MCP_OUTPUT_DIR: blocked });
    expect(started.code).toBe(2);
    expect(started.stderr).toContain(`AIGC_MCP_OUTPUT_DIR: could not write to the output folder ${blocked}`);
  });
});

/**
 * A burst of image calls against the built server under a low open-file limit (`prlimit
 * --nofile`): downloads and files wait their turn in the media queue instead of failing with
 * EMFILE after the vendor has generated (and billed) the image. Every call succeeds, every file has
 * the sha256 the result names, the vendor saw exactly one create per call, no stray file is left
 * in the output folder, and Node printed no warning.
 */
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArkSimulator } from "../../src/vendors/ark/simulator.js";
import { tempDir } from "../helpers/harness.js";
import { ENTRY } from "./helpers.js";
import { type JobResult, requestsTo } from "../helpers/results.js";

const CALLS = 300;
const NOFILE = 420;
const hasPrlimit = spawnSync("prlimit", ["--version"]).status === 0;

describe.skipIf(!hasPrlimit)(`a burst of ${CALLS} image calls under nofile=${NOFILE} (built server)`, () => {
  let ark: ArkSimulator;
  beforeAll(async () => {
    ark = await new ArkSimulator({ imageDelayMs: 400, maxRenderEdge: 128 }).start();
  });
  afterAll(() => ark.close());

  it("succeeds for every call with the right bytes and one vendor create each", { timeout: 240_000 }, async () => {
    const dir = tempDir("aigc-e2e-burst-");
    const transport = new StdioClientTransport({
      command: "prlimit",
      args: [`--nofile=${NOFILE}`, process.execPath, ENTRY],
      env: {
        PATH: process.env.PATH ?? "",
        ARK_API_KEY: ark.apiKey,
        ARK_BASE_URL: ark.baseUrl,
        AIGC_MCP_OUTPUT_DIR: dir,
        AIGC_MCP_INLINE_MAX_BYTES: "0",
      },
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const client = new Client({ name: "e2e-burst", version: "1.0.0" });
    await client.connect(transport);
    try {
      const results = await Promise.all(
        Array.from(
          { length: CALLS },
          (_, i) =>
            client.callTool({ name: "seedream_generate_image", arguments: { prompt: `burst ${i}`, wait_seconds: 200 } }, undefined, {
              timeout: 230_000,
            }) as Promise<CallToolResult>,
        ),
      );
      const failures = results.filter((r) => r.isError || (r.structuredContent as JobResult).status !== "succeeded");
      expect(failures.map((r) => JSON.stringify(r).slice(0, 300))).toEqual([]);
      const saved = new Set<string>();
      for (const r of results) {
        const asset = (r.structuredContent as JobResult).assets[0]!;
        expect(createHash("sha256").update(readFileSync(asset.path!)).digest("hex")).toBe(asset.sha256);
        saved.add(basename(asset.path!));
      }
      expect(saved.size).toBe(CALLS);
      expect(requestsTo(ark, (r) => r.method === "POST" && r.path.endsWith("/images/generations")).length).toBe(CALLS);
      expect(
        readdirSync(dir)
          .filter((n) => n !== ".aigc-mcp")
          .sort(),
      ).toEqual([...saved].sort());
      // Hundreds of calls waiting and answering at once are no "possible memory leak" (or any other Node warning).
      expect(stderr).not.toMatch(/\(node:\d+\) \w*Warning/);
    } finally {
      await client.close();
    }
  });
});

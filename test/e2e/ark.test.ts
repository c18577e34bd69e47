/** The built server with Ark: `check` reads Ark's model list and warns about a default Ark lists as shut down. */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArkSimulator } from "../../src/vendors/ark/simulator.js";
import { tempDir } from "../helpers/harness.js";
import { ENTRY, run, stdioClient } from "./helpers.js";
import { mark } from "../helpers/results.js";

describe("built server with Ark", () => {
  let sim: ArkSimulator;
  let env: Record<string, string>;
  beforeAll(async () => {
    sim = await new ArkSimulator({ queuedMs: 100, runningMs: 300, imageDelayMs: 5, maxRenderEdge: 128 }).start();
    env = { ARK_API_KEY: sim.apiKey, ARK_BASE_URL: sim.baseUrl, AIGC_MCP_OUTPUT_DIR: tempDir("aigc-e2e-ark-") };
  });
  afterAll(() => sim.close());

  it("check with current defaults: the key is accepted, Ark's model list is read, no warning", async () => {
    const before = mark(sim);
    const r = await run(["check"], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok +ark +key accepted/m);
    expect(r.stdout).not.toMatch(/^WARN/m);
    expect(before.since().map((q) => `${q.method} ${q.path.split("?")[0]}`)).toEqual(expect.arrayContaining(["GET /api/v3/models"]));
    expect(sim.tasks.size).toBe(0);
  });

  it("check piped into a reader that stops after the first line (check | head -1) ends quietly", async () => {
    const child = spawn(process.execPath, [ENTRY, "check"], { env: { PATH: process.env.PATH ?? "", ...env } });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const first = await new Promise<string>((resolve) => child.stdout.once("data", (d: Buffer) => resolve(d.toString())));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(first).toMatch(/^ok /);
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
    // A reader gone at the first line, a FAIL (an output folder that is a file): the exit code still fails.
    const file = join(tempDir("aigc-e2e-file-"), "not-a-folder");
    writeFileSync(file, "x");
    const failing = spawn(process.execPath, [ENTRY, "check"], { env: { PATH: process.env.PATH ?? "", ...env, AIGC_MCP_OUTPUT_DIR: file } });
    failing.stdout.destroy();
    expect(await new Promise<number | null>((resolve) => failing.once("exit", resolve))).toBe(1);
  });

  it("check whose stderr reader is gone (check 2>&1 | head -1) still writes its report and exits with its own code", async () => {
    const child = spawn(process.execPath, [ENTRY, "check"], {
      env: { PATH: process.env.PATH ?? "", ...env, AIGC_MCP_LOG_LEVEL: "debug" },
    });
    child.stderr.destroy();
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    expect(stdout).toMatch(/^ok +ark +key accepted/m);
    expect(code).toBe(0);
  });

  it("check warns when a default is a model Ark lists as Shutdown, naming the variable to change", async () => {
    const r = await run(["check"], { ...env, ARK_IMAGE_MODEL: "doubao-seedream-4-5-251128" });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^WARN +ark +seedream_generate_image: the default model doubao-seedream-4-5-251128 is listed by the vendor as Shutdown; set ARK_IMAGE_MODEL to a current model$/m,
    );
    expect(r.stdout).not.toMatch(/WARN .*seedance/);
  });

  it("a call with that shut-down default is refused before reaching Ark, with the successor", async () => {
    const { client } = await stdioClient({ ...env, ARK_IMAGE_MODEL: "doubao-seedream-4-5-251128" });
    try {
      const before = mark(sim);
      const r = await client.callTool({ name: "seedream_generate_image", arguments: { prompt: "e2e" } });
      expect(r.isError).toBe(true);
      expect(JSON.stringify(r.content)).toContain(
        "the default from ARK_IMAGE_MODEL (no model was given), was retired by the vendor on 2026-11-24; set ARK_IMAGE_MODEL to doubao-seedream-5-0-pro-260628, or pass model",
      );
      expect(before.since()).toHaveLength(0);
    } finally {
      await client.close();
    }
  });
});

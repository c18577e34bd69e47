/**
 * What a newcomer sees at start-up (issue 12 tryout findings 3, 7 and 8) through the built server:
 * the toolsets and tools actually listed, a warning for settings that have no effect, and `check`
 * saying (and exiting non-zero) when nothing was tested.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/harness.js";
import { startS3 } from "../helpers/s3.js";
import { run, stdioClient } from "./helpers.js";

describe("start-up log", () => {
  it("lists the toolsets and tools actually listed; names are case-insensitive and an empty entry is ignored with a warning", async () => {
    const { client, stderr } = await stdioClient(
      { AIGC_MCP_OUTPUT_DIR: tempDir(), AIGC_MCP_LOG_LEVEL: "info", AIGC_MCP_TOOLSETS: "Ark,,JOBS" },
      ["--sandbox"],
    );
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(stderr()).toMatch(/ WARN AIGC_MCP_TOOLSETS "Ark,,JOBS" has an empty entry, ignored: listing ark, jobs$/m);
      const line = stderr()
        .split("\n")
        .find((l) => l.includes("listing ark ("));
      expect(line).toMatch(/listing ark \(\d+\), jobs \(4\) \(AIGC_MCP_TOOLSETS=ark,jobs\)/);
      const logged = (JSON.parse(line!.slice(line!.indexOf("{"))) as { tools: string[] }).tools;
      expect(logged.sort()).toEqual(names.sort());
    } finally {
      await client.close();
    }
  }, 30_000);

  it("warns naming both variables when AIGC_MCP_MEDIA_URL_SECRET is set without AIGC_MCP_PUBLIC_URL", async () => {
    const { client, stderr } = await stdioClient(
      { AIGC_MCP_OUTPUT_DIR: tempDir(), AIGC_MCP_MEDIA_URL_SECRET: "x".repeat(40), AIGC_MCP_S3_PREFIX: "outputs" },
      ["--sandbox"],
    );
    try {
      await client.listTools();
      expect(stderr()).toMatch(/ WARN AIGC_MCP_MEDIA_URL_SECRET is set but AIGC_MCP_PUBLIC_URL is not, so it has no effect/);
      expect(stderr()).toMatch(/AIGC_MCP_S3_PREFIX is set but AIGC_MCP_S3_BUCKET is not/);
      expect(stderr()).not.toContain("x".repeat(40));
    } finally {
      await client.close();
    }
  }, 30_000);

  it("warns naming jobs when a generating vendor's toolset is listed without it, and starts", async () => {
    const { client, stderr } = await stdioClient({ AIGC_MCP_OUTPUT_DIR: tempDir(), AIGC_MCP_TOOLSETS: "kling,models" }, ["--sandbox"]);
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).not.toContain("wait_for_job");
      expect(stderr()).toMatch(
        / WARN AIGC_MCP_TOOLSETS lists kling but not jobs: .*wait_for_job, which is then not listed.* Add jobs to AIGC_MCP_TOOLSETS \(e\.g\. kling,models,jobs\)$/m,
      );
    } finally {
      await client.close();
    }
  }, 30_000);

  it("warns about a misspelt AIGC_MCP_ variable, naming the nearest one, and starts", async () => {
    const { client, stderr } = await stdioClient({ AIGC_MCP_OUTPUT_DIR: tempDir(), AIGC_MCP_OUTPUTDIR: tempDir() }, ["--sandbox"]);
    try {
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
      expect(stderr()).toMatch(
        / WARN AIGC_MCP_OUTPUTDIR is not a variable of this server and has no effect; did you mean AIGC_MCP_OUTPUT_DIR\? \(aigc-mcp --help lists the variables\)$/m,
      );
      // the sandbox's own vendor variables and the ones set correctly are not warned of
      expect(stderr().match(/is not a variable of this server/g)).toHaveLength(1);
    } finally {
      await client.close();
    }
  }, 30_000);
});

describe("check", () => {
  it("with no vendor configured says nothing was tested and exits 3", async () => {
    const r = await run(["check"], { AIGC_MCP_OUTPUT_DIR: tempDir() });
    expect(r.stdout).toMatch(/^skip +ark +not configured/m);
    expect(r.stdout).toMatch(/^nothing tested: no vendor is configured; set one vendor's credentials \(above\), or try --sandbox$/m);
    expect(r.code).toBe(3);
  });

  it("fails on an output folder the server could not write, like the server's start (vendors configured or not)", async () => {
    const file = join(tempDir(), "a-file");
    writeFileSync(file, "");
    for (const args of [["check"], ["check", "--sandbox"]]) {
      const r = await run(args, { AIGC_MCP_OUTPUT_DIR: join(file, "sub") });
      expect(r.stdout, args.join(" ")).toMatch(/^FAIL +output +AIGC_MCP_OUTPUT_DIR: .*a-file\/sub.*not a folder/m);
      expect(r.stdout).not.toMatch(/^ok +jobs/m);
      expect(r.code).toBe(1);
    }
  }, 30_000);

  it("tests the bucket as the server's start does: a bucket that answers, and one that does not exist (tryout finding)", async () => {
    const s3 = await startS3();
    try {
      const ok = await run(["check", "--sandbox"], { AIGC_MCP_OUTPUT_DIR: tempDir(), ...s3.env });
      expect(ok.stdout).toMatch(new RegExp(`^ok +bucket +${s3.bucket} answers \\(HeadBucket\\)$`, "m"));
      expect(ok.code).toBe(0);
      const missing = await run(["check", "--sandbox"], {
        AIGC_MCP_OUTPUT_DIR: tempDir(),
        ...s3.env,
        AIGC_MCP_S3_BUCKET: "no-such-bucket",
      });
      expect(missing.stdout).toMatch(
        /^FAIL +bucket +AIGC_MCP_S3_BUCKET: .*no-such-bucket failed \(HTTP 404\).*\(no such bucket at this endpoint/m,
      );
      expect(missing.stdout).toMatch(/^ok +ark/m);
      expect(missing.code).toBe(1);
    } finally {
      await s3.close();
    }
  }, 60_000);

  it("exits 0 when every configured vendor passes", async () => {
    const r = await run(["check", "--sandbox"], { AIGC_MCP_OUTPUT_DIR: tempDir() });
    expect(r.stdout).toMatch(/^ok +ark/m);
    expect(r.stdout).not.toMatch(/nothing tested/);
    expect(r.code).toBe(0);
  }, 30_000);
});

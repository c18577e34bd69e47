/** The built server with AIGC_MCP_REDIS_URL: `check` reports the connection; an unreachable Redis stops the start. */
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/harness.js";
import { startRedis, type TestRedis } from "../helpers/redis.js";
import { run } from "./helpers.js";

let redis: TestRedis;
const dir = tempDir();
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("AIGC_MCP_REDIS_URL", () => {
  it("check reports the Redis connection, and a failed one", async () => {
    const ok = await run(["check"], { AIGC_MCP_OUTPUT_DIR: dir, AIGC_MCP_REDIS_URL: redis.url });
    expect(ok.stdout).toMatch(
      new RegExp(`^ok +redis +connected to Redis at 127\\.0\\.0\\.1:${redis.port} \\(key prefix aigc-mcp:\\)$`, "m"),
    );
    const plain = await run(["check"], { AIGC_MCP_OUTPUT_DIR: dir });
    expect(plain.stdout).toMatch(/^ok +jobs +job records in the output folder .* \(AIGC_MCP_REDIS_URL not set\)$/m);
    const bad = await run(["check"], { AIGC_MCP_OUTPUT_DIR: dir, AIGC_MCP_REDIS_URL: "redis://:hunter2-secret@127.0.0.1:1" });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^FAIL +redis +Error: RedisUnavailable: Redis at 127\.0\.0\.1:1: connecting failed/m);
    // not the hint of a failed call (there is no job to call again with), and one period per sentence
    expect(bad.stdout).toMatch(/What to do: Check that Redis is running and reachable at AIGC_MCP_REDIS_URL \(host, port/);
    expect(bad.stdout).not.toMatch(/same job_id|\.\./);
    // the socket's reason in plain words, not ioredis' "Connection is closed"
    expect(bad.stdout).toMatch(/connecting failed: the connection was refused \(is Redis running, on that port\?\)\. What to do:/);
    expect(bad.stdout + bad.stderr).not.toContain("hunter2-secret");
  });

  it("a server whose Redis cannot be reached refuses to start, saying so in one line", async () => {
    const r = await run([], { AIGC_MCP_OUTPUT_DIR: dir, AIGC_MCP_REDIS_URL: "redis://:hunter2-secret@127.0.0.1:1/0" });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^aigc-mcp: configuration error: AIGC_MCP_REDIS_URL: Redis at 127\.0\.0\.1:1: connecting failed: .*Start Redis or fix the URL/m,
    );
    expect(r.stderr).not.toContain("hunter2-secret");
    expect(r.stderr).not.toContain("..");
  });
});

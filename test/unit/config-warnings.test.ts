import { describe, expect, it } from "vitest";
import { configWarnings } from "../../src/config-warnings.js";

describe("configWarnings", () => {
  it("names a setting that has no effect without its companion, and both variables", () => {
    expect(configWarnings({ AIGC_MCP_REDIS_PREFIX: "team-a:" })).toEqual([
      expect.stringMatching(/^AIGC_MCP_REDIS_PREFIX is set but AIGC_MCP_REDIS_URL is not, so it has no effect/),
    ]);
    expect(configWarnings({ AIGC_MCP_REDIS_PREFIX: "team-a:", AIGC_MCP_REDIS_URL: "redis://r:6379" })).toEqual([]);
    expect(configWarnings({ AIGC_MCP_MEDIA_URL_TTL_S: "60", AIGC_MCP_S3_BUCKET: "b" })).toEqual([]);
    expect(configWarnings({ AIGC_MCP_KEEP_LOCAL: "false" })).toEqual([expect.stringContaining("AIGC_MCP_S3_BUCKET")]);
    expect(configWarnings({ AIGC_MCP_TASK_CALLBACKS: "false" })).toEqual([]);
    expect(configWarnings({ AIGC_MCP_TASK_CALLBACKS: "true" })).toEqual([
      expect.stringMatching(/^AIGC_MCP_TASK_CALLBACKS .*AIGC_MCP_PUBLIC_URL/),
    ]);
  });

  it("counts an empty variable as unset (as the config parser does)", () => {
    expect(configWarnings({ AIGC_MCP_REDIS_PREFIX: "" })).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { configWarnings, unknownVariableWarnings } from "../../src/config-warnings.js";

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

describe("unknownVariableWarnings", () => {
  const known = ["AIGC_MCP_OUTPUT_DIR", "AIGC_MCP_PORT", "ARK_API_KEY"];
  it("names an AIGC_MCP_ variable that is not known, and the nearest known one when close", () => {
    expect(unknownVariableWarnings({ AIGC_MCP_OUTPUTDIR: "/o", aigc_mcp_port: "1", AIGC_MCP_WHATEVER_ELSE: "x" }, known)).toEqual([
      "AIGC_MCP_OUTPUTDIR is not a variable of this server and has no effect; did you mean AIGC_MCP_OUTPUT_DIR? (aigc-mcp --help lists the variables)",
      "AIGC_MCP_WHATEVER_ELSE is not a variable of this server and has no effect (aigc-mcp --help lists the variables)",
      "aigc_mcp_port is not a variable of this server and has no effect; did you mean AIGC_MCP_PORT? (aigc-mcp --help lists the variables)",
    ]);
  });

  it("leaves known, empty and other variables alone", () => {
    expect(unknownVariableWarnings({ AIGC_MCP_PORT: "1", AIGC_MCP_OUTPUTDIR: "", ARK_API_KY: "k", PATH: "/bin" }, known)).toEqual([]);
  });
});

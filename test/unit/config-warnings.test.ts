import { describe, expect, it } from "vitest";
import { configWarnings, openHostWarning, sharingWarnings, unknownVariableWarnings } from "../../src/config-warnings.js";

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

describe("openHostWarning", () => {
  it("names AIGC_MCP_ALLOWED_HOSTS with this machine's address, and the loopback URL that answers, on every interface", () => {
    const w = openHostWarning("0.0.0.0", 18805, [], ["192.0.2.2"]);
    expect(w).toMatch(/^listening on 0\.0\.0\.0 but AIGC_MCP_ALLOWED_HOSTS is not set/);
    expect(w).toContain("http://127.0.0.1:18805/mcp");
    expect(w).toMatch(/gets 403.*e\.g\. AIGC_MCP_ALLOWED_HOSTS=192\.0\.2\.2$/);
    for (const host of ["::", "[::]", "0:0:0:0:0:0:0:0"])
      expect(openHostWarning(host, 1, [], [])).toMatch(/http:\/\/\[::1\]:1\/mcp.*AIGC_MCP_ALLOWED_HOSTS=mcp\.example\.com$/);
  });

  it("names the bound address itself as the example on one interface", () => {
    expect(openHostWarning("192.0.2.7", 80, [], ["192.0.2.2"])).toMatch(
      /^listening on 192\.0\.2\.7 .*AIGC_MCP_ALLOWED_HOSTS=192\.0\.2\.7$/,
    );
  });

  it("says nothing on loopback, or with any allowed host (a public URL's host counts)", () => {
    for (const host of ["127.0.0.1", "localhost", "::1", "[::1]"]) expect(openHostWarning(host, 1, [], ["192.0.2.2"])).toBeUndefined();
    expect(openHostWarning("0.0.0.0", 1, ["aigc.example.com"], [])).toBeUndefined();
    expect(openHostWarning("::", 1, ["*"], [])).toBeUndefined();
  });
});

describe("sharingWarnings", () => {
  it("warns of Redis without a bucket: outputs are readable only by the server whose folder holds them", () => {
    expect(sharingWarnings({ AIGC_MCP_REDIS_URL: "redis://r:6379" })).toEqual([
      expect.stringMatching(
        /^AIGC_MCP_REDIS_URL is set but AIGC_MCP_S3_BUCKET is not: .*only by the server whose output folder holds it.*shared output folder$/,
      ),
    ]);
    expect(sharingWarnings({ AIGC_MCP_REDIS_URL: "redis://r:6379", AIGC_MCP_S3_BUCKET: "b" })).toEqual([]);
    expect(sharingWarnings({ AIGC_MCP_S3_BUCKET: "b" })).toEqual([]);
    expect(sharingWarnings({ AIGC_MCP_REDIS_URL: "" })).toEqual([]);
  });
});

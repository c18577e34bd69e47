import { describe, expect, it } from "vitest";
import { helpText, parseArgs, UsageError, wrap } from "../../src/cli.js";
import { CORE_ENV, ConfigError, parseCoreConfig } from "../../src/config.js";
import { PLUGINS, loadVendors } from "../../src/plugins.js";
import { parseArkConfig } from "../../src/vendors/ark/config.js";

const base = { AIGC_MCP_OUTPUT_DIR: "/tmp/aigc-config-test" };

describe("configuration", () => {
  it("applies documented defaults", () => {
    const c = parseCoreConfig(base);
    expect(c).toMatchObject({ transport: "stdio", host: "127.0.0.1", port: 8787, inlineMaxBytes: 700000, defaultWaitS: 45, maxWaitS: 600 });
    expect(c.defaultWaitS).toBeLessThan(60);
    // base64 of the inline budget plus room for text stays under Claude Desktop's 1 MiB
    expect(Math.ceil(c.inlineMaxBytes / 3) * 4 + 64 * 1024).toBeLessThan(1024 * 1024);
  });

  it.each([
    ["AIGC_MCP_PORT", "eighty", /AIGC_MCP_PORT: must be a whole number/],
    ["AIGC_MCP_PORT", "70000", /AIGC_MCP_PORT: must be at most 65535/],
    ["AIGC_MCP_TRANSPORT", "websocket", /AIGC_MCP_TRANSPORT: must be stdio or http/],
    ["AIGC_MCP_INLINE_MAX_BYTES", "-1", /^AIGC_MCP_INLINE_MAX_BYTES: must not be negative \(got "-1"\)$/],
    // A negative number is below the range, not "no whole number".
    ["AIGC_MCP_MAX_MEDIA_BYTES", "-5", /^AIGC_MCP_MAX_MEDIA_BYTES: must be at least 1024 \(got "-5"\)$/],
    ["AIGC_MCP_MAX_WAIT_S", "-5", /^AIGC_MCP_MAX_WAIT_S: must be at least 1 \(got "-5"\)$/],
    ["AIGC_MCP_MAX_WAIT_S", "1.5", /^AIGC_MCP_MAX_WAIT_S: must be a whole number \(got "1.5"\)$/],
    ["AIGC_MCP_LOG_LEVEL", "loud", /AIGC_MCP_LOG_LEVEL: must be debug, info, warn or error/],
    ["AIGC_MCP_AUTH_TOKEN", "short", /AIGC_MCP_AUTH_TOKEN: must be at least 16 characters/],
  ])("rejects %s=%s with one line naming the variable", (name, value, re) => {
    expect(() => parseCoreConfig({ ...base, [name]: value })).toThrow(re);
    try {
      parseCoreConfig({ ...base, [name]: value });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).variable).toBe(name);
      expect((err as Error).message.split("\n")).toHaveLength(1);
    }
  });

  it("refuses HTTP on a non-loopback host without a token as a configuration error (exit 2), before anything starts", () => {
    const open = { ...base, AIGC_MCP_TRANSPORT: "http", AIGC_MCP_HOST: "0.0.0.0" };
    expect(() => parseCoreConfig(open)).toThrow(ConfigError);
    expect(() => parseCoreConfig(open)).toThrow(/^AIGC_MCP_AUTH_TOKEN: must be set to listen on 0\.0\.0\.0/);
    expect(parseCoreConfig({ ...open, AIGC_MCP_AUTH_TOKEN: "0123456789abcdef" }).host).toBe("0.0.0.0");
    expect(parseCoreConfig({ ...open, AIGC_MCP_HOST: "::1" }).host).toBe("::1");
    expect(parseCoreConfig({ ...base, AIGC_MCP_HOST: "0.0.0.0" }).transport).toBe("stdio");
  });

  it("refuses a link-local or cloud metadata host in AIGC_MCP_FETCH_ALLOW_HOSTS, naming the entry", () => {
    for (const entry of [
      "169.254.169.254",
      "169.254.169.254:80",
      "http://169.254.169.254/latest",
      "2852039166",
      "metadata.google.internal",
      "Metadata.Google.Internal.:80",
      "[fd00:ec2::254]",
      "fd00:ec2::254",
      "100.100.100.200",
      "[::ffff:169.254.169.254]",
      "[fe80::1]:8080",
    ]) {
      const env = { ...base, AIGC_MCP_FETCH_ALLOW_HOSTS: `api:5001, ${entry}` };
      expect(() => parseCoreConfig(env), entry).toThrow(ConfigError);
      expect(() => parseCoreConfig(env), entry).toThrow(
        `AIGC_MCP_FETCH_ALLOW_HOSTS: ${entry} is a link-local or cloud metadata host, which must never be listed`,
      );
    }
    expect(parseCoreConfig({ ...base, AIGC_MCP_FETCH_ALLOW_HOSTS: "api:5001,10.0.0.5,[fd12::5],minio" }).fetchAllowHosts).toHaveLength(4);
  });

  it("refuses a bucket whose secret is in its access key id or another setting every link shows, without showing it", () => {
    const bucket = { ...base, AIGC_MCP_S3_BUCKET: "media", AWS_ACCESS_KEY_ID: "minioadmin", AWS_SECRET_ACCESS_KEY: "minioadmin" };
    expect(() => parseCoreConfig(bucket)).toThrow(/^AWS_SECRET_ACCESS_KEY: occurs in AWS_ACCESS_KEY_ID, which every download_url shows/);
    // Inside another setting every link shows, the same: the redaction would cut it out of each link.
    expect(() => parseCoreConfig({ ...bucket, AWS_SECRET_ACCESS_KEY: "minio" })).toThrow(/occurs in AWS_ACCESS_KEY_ID/);
    expect(() => parseCoreConfig({ ...bucket, AWS_SECRET_ACCESS_KEY: "media" })).toThrow(/occurs in AIGC_MCP_S3_BUCKET/);
    expect(() => parseCoreConfig(bucket)).not.toThrow(/minioadmin/);
    expect(parseCoreConfig({ ...bucket, AWS_SECRET_ACCESS_KEY: "another-secret" }).storage?.credentials?.accessKeyId).toBe("minioadmin");
    // Without a bucket the pair is not used.
    expect(() => parseCoreConfig({ ...bucket, AIGC_MCP_S3_BUCKET: "" })).not.toThrow();
  });

  it("refuses a default wait above the maximum", () => {
    expect(() => parseCoreConfig({ ...base, AIGC_MCP_DEFAULT_WAIT_S: "100", AIGC_MCP_MAX_WAIT_S: "50" })).toThrow(
      /AIGC_MCP_DEFAULT_WAIT_S/,
    );
  });

  it("enables Ark only when ARK_API_KEY is present, and validates ARK_BASE_URL", async () => {
    const core = parseCoreConfig(base);
    expect((await loadVendors({ ...base }, core)).map((v) => v.id)).not.toContain("ark");
    expect((await loadVendors({ ...base, ARK_API_KEY: "k".repeat(30) }, core)).map((v) => v.id)).toContain("ark");
    expect(() => parseArkConfig({ ARK_API_KEY: "k".repeat(30), ARK_BASE_URL: "ark.example" })).toThrow(/ARK_BASE_URL/);
    expect(parseArkConfig({ ARK_API_KEY: "k".repeat(30), ARK_BASE_URL: "https://x.example/api/v3/" })?.baseUrl).toBe(
      "https://x.example/api/v3",
    );
  });
});

describe("command line", () => {
  it("maps flags to their variables", () => {
    const a = parseArgs(["--http", "--port", "9000", "--host=0.0.0.0", "--output-dir", "/tmp/x", "--sandbox"]);
    expect(a.env).toMatchObject({
      AIGC_MCP_TRANSPORT: "http",
      AIGC_MCP_PORT: "9000",
      AIGC_MCP_HOST: "0.0.0.0",
      AIGC_MCP_OUTPUT_DIR: "/tmp/x",
    });
    expect(a.sandbox).toBe(true);
    expect(parseArgs(["check"]).command).toBe("check");
  });

  it("rejects unknown flags and missing values", () => {
    expect(() => parseArgs(["--nope"])).toThrow(UsageError);
    expect(() => parseArgs(["--port"])).toThrow(/--port needs a value/);
    expect(() => parseArgs(["--max-wait", "-3"])).toThrow(
      /^--max-wait needs a value; for one that starts with a dash, join them: --max-wait=-…$/,
    );
  });

  it("takes flags and the subcommand in any order", () => {
    for (const argv of [
      ["--sandbox", "check"],
      ["check", "--sandbox"],
      ["--port=9000", "check", "--sandbox"],
    ]) {
      const a = parseArgs(argv);
      expect(a.command, argv.join(" ")).toBe("check");
      expect(a.sandbox, argv.join(" ")).toBe(true);
    }
    expect(parseArgs(["--http", "--port", "9000", "check"]).env).toMatchObject({ AIGC_MCP_TRANSPORT: "http", AIGC_MCP_PORT: "9000" });
    expect(parseArgs(["--sandbox", "help"]).command).toBe("help");
    expect(parseArgs(["-h"]).command).toBe("help");
    expect(parseArgs(["--sandbox", "-v"]).command).toBe("version");
  });

  it("refuses an unknown flag naming the nearest valid one and listing them", () => {
    const err = (() => {
      try {
        parseArgs(["check", "--sandbx"]);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toMatch(/unknown flag "--sandbx"; did you mean --sandbox\?/);
    expect(err?.message).toContain("--models-file");
    expect(() => parseArgs(["chek"])).toThrow(/unknown argument "chek"; did you mean check\?/);
    expect(() => parseArgs(["--sandbox=yes"])).toThrow(UsageError);
    expect(() => parseArgs(["--http", "--stdio"])).toThrow(/--http and --stdio/);
    expect(parseArgs(["help", "check"]).command).toBe("help");
    expect(() => parseArgs(["check", "budget"])).toThrow(/give one subcommand/);
  });

  it("--help lists every variable and flag", () => {
    const help = helpText();
    for (const v of [...CORE_ENV, ...PLUGINS.flatMap((m) => m.env)]) {
      expect(help).toContain(v.name);
      if (v.flag) expect(help).toContain(v.flag);
    }
  });

  it("--help wraps to the width it is given (a word longer than a line keeps its own), and its usage names `help`", () => {
    for (const width of [40, 80, 100]) {
      // usage, option and variable-name lines are fixed (at most 80); every paragraph and description wraps
      const long = helpText(width)
        .split("\n")
        .filter((line) => line.length > width && (width >= 80 || !/^ {2}\S/.test(line)));
      // only lines that are one unbreakable word or `code span` after the indent
      expect(long.filter((line) => /\S\s+\S/.test(line.trim()) && !/^`[^`]*`\S*$/.test(line.trim()))).toEqual([]);
    }
    expect(helpText()).toMatch(/^ {2}aigc-mcp help \| --help /m);
    expect(wrap("aa bb cc dd", "  ", 7)).toBe("  aa bb\n  cc dd");
    expect(wrap("a https://example.com/very/long b", "  ", 10)).toBe("  a\n  https://example.com/very/long\n  b");
    // a code span is one word
    expect(wrap("run `aigc-mcp check --sandbox` now", "", 12)).toBe("run\n`aigc-mcp check --sandbox`\nnow");
  });

  it("--help's option column fits its longest flag: every description starts in one column, two spaces after the flag", () => {
    const block = helpText().split("Options (each also settable by its environment variable):\n")[1]!.split("\n\n")[0]!;
    const lines = block.split("\n");
    expect(lines.length).toBe(2 + CORE_ENV.filter((v) => v.flag).length);
    const cells = lines.map((line) => {
      const m = /^ {2}(\S.*?\S)( {2,})(\S.*)$/.exec(line);
      expect(m, `no two-space gap between flag and description: ${line}`).not.toBeNull();
      return { start: line.length - m![3]!.length, gap: m![2]!.length };
    });
    expect(new Set(cells.map((c) => c.start)).size).toBe(1);
    // as wide as the longest flag needs, not wider
    expect(Math.min(...cells.map((c) => c.gap))).toBe(2);
  });
});

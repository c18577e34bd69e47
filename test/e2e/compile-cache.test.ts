/**
 * Issue 16, goal 1: the built entry runs dist/server.cjs with V8's code cache (src/compile-cache.ts).
 * A first start writes the cache after its tools/list answer, a later start uses it; a cache V8
 * refuses, or whose checksum does not match (damaged, another build's, the bundle edited in place),
 * is replaced, a folder others can write to is not used, NODE_DISABLE_COMPILE_CACHE turns it
 * off, and other builds' stale cache files go when a new one is written.
 */
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/harness.js";
import { ENTRY, run, stdioClient } from "./helpers.js";

/** One start: lists the tools, waits for the idle-time write, and returns what it logged of the cache. */
async function start(cacheDir: string, extra: Record<string, string> = {}) {
  const { client, stderr } = await stdioClient({
    AIGC_MCP_OUTPUT_DIR: tempDir(),
    AIGC_MCP_LOG_LEVEL: "debug",
    ARK_API_KEY: "e2e-ark-key-000000000000",
    NODE_COMPILE_CACHE: cacheDir,
    ...extra,
  });
  try {
    const tools = (await client.listTools()).tools.map((t) => t.name);
    // the cache is written in the turn after the answer: a call answered after it has run, and its
    // log line has crossed stderr (another pipe than the answer's) a moment later
    await client.callTool({ name: "list_jobs", arguments: {} });
    await new Promise((r) => setTimeout(r, 200));
    const lines = stderr()
      .split("\n")
      .filter((l) => l.includes("compile cache"));
    return { tools, lines: lines.join("\n") };
  } finally {
    await client.close();
  }
}

/** One start of the built entry at `entry` (a copy of dist/): its whole stderr. */
async function startCopy(entry: string, cacheDir: string) {
  const { client, stderr } = await stdioClient(
    { AIGC_MCP_OUTPUT_DIR: tempDir(), AIGC_MCP_LOG_LEVEL: "debug", NODE_COMPILE_CACHE: cacheDir },
    [],
    undefined,
    { entry },
  );
  try {
    await client.listTools();
    await client.callTool({ name: "list_jobs", arguments: {} });
    return stderr();
  } finally {
    await client.close();
  }
}

const cacheFiles = (dir: string) => readdirSync(dir).filter((n) => /^server-[0-9a-f]{16}-v[\d.]+-\w+(-[0-9a-f]{8})?\.cache$/.test(n));

describe("the compile cache", () => {
  it("is written by a first start and used by the next, which lists the same tools", async () => {
    const dir = join(tempDir(), "cache");
    const first = await start(dir);
    expect(first.lines).toContain("compile cache absent");
    expect(first.lines).toMatch(/compile cache written: .*server-[0-9a-f]{16}-.*\.cache \(\d+ bytes\)/);
    const [file] = cacheFiles(dir);
    expect(file).toBeDefined();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, file!)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, file!)).size).toBeGreaterThan(100_000);

    const longAgo = new Date(Date.now() - 40 * 24 * 3600 * 1000);
    utimesSync(join(dir, file!), longAgo, longAgo);
    const second = await start(dir);
    expect(second.lines).toContain("compile cache used");
    // marked used: another build's housekeeping removes only files untouched for 30 days
    expect(Date.now() - statSync(join(dir, file!)).mtimeMs).toBeLessThan(3600_000);
    expect(second.lines).not.toContain("written");
    expect(second.tools).toEqual(first.tools);
    expect(second.tools).toContain("seedream_generate_image");
  }, 60_000);

  it("replaces a cache V8 refuses, and the server runs all the same", async () => {
    const dir = join(tempDir(), "cache");
    await start(dir);
    const [file] = cacheFiles(dir);
    writeFileSync(join(dir, file!), Buffer.alloc(4096, 7));
    const broken = await start(dir);
    expect(broken.lines).toContain("compile cache rejected");
    expect(broken.lines).toContain("compile cache written");
    expect(broken.tools).toContain("seedream_generate_image");
    expect((await start(dir)).lines).toContain("compile cache used");
    // one byte flipped past V8's header: V8 would take it and crash; the checksum refuses it
    const data = readFileSync(join(dir, file!));
    data[5000] = data[5000]! ^ 0xff;
    writeFileSync(join(dir, file!), data);
    const flipped = await start(dir);
    expect(flipped.lines).toContain("compile cache rejected: the cache file does not match its checksum");
    expect(flipped.tools).toContain("seedream_generate_image");
    expect((await start(dir)).lines).toContain("compile cache used");
  }, 60_000);

  it("refuses the cache of a bundle edited in place at the same length (V8 checks only the length)", async () => {
    const copy = join(tempDir(), "dist");
    mkdirSync(copy);
    for (const f of ["index.js", "server.cjs"]) copyFileSync(join(dirname(ENTRY), f), join(copy, f));
    writeFileSync(join(copy, "..", "package.json"), JSON.stringify({ type: "module" }));
    const dir = join(tempDir(), "cache");
    expect(await startCopy(join(copy, "index.js"), dir)).toContain("compile cache written");
    const bundle = join(copy, "server.cjs");
    const source = readFileSync(bundle, "utf8");
    expect(source).toContain("aigc-mcp ready on stdio");
    writeFileSync(bundle, source.replace("aigc-mcp ready on stdio", "AIGC-MCP READY ON STDIO"));
    const edited = await startCopy(join(copy, "index.js"), dir);
    expect(edited).toContain("compile cache rejected: the cache file does not match its checksum");
    expect(edited).toContain("AIGC-MCP READY ON STDIO");
    expect(await startCopy(join(copy, "index.js"), dir)).toContain("compile cache used");
  }, 60_000);

  it("keeps a file per set of Node options, so clients starting it differently do not replace each other's", async () => {
    const dir = join(tempDir(), "cache");
    const options = { NODE_OPTIONS: "--max-semi-space-size=8" };
    await start(dir);
    expect((await start(dir, options)).lines).toContain("compile cache written");
    expect(cacheFiles(dir)).toHaveLength(2);
    expect((await start(dir)).lines).toContain("compile cache used");
    expect((await start(dir, options)).lines).toContain("compile cache used");
  }, 60_000);

  it("is off with NODE_DISABLE_COMPILE_CACHE, and in a folder others can write to", async () => {
    const off = join(tempDir(), "cache");
    const disabled = await start(off, { NODE_DISABLE_COMPILE_CACHE: "1" });
    expect(disabled.lines).toContain("DEBUG compile cache off: NODE_DISABLE_COMPILE_CACHE is set");
    expect(existsSync(off)).toBe(false);

    if (process.platform === "win32") return;
    const shared = tempDir();
    chmodSync(shared, 0o777);
    const r = await start(shared);
    expect(r.lines).toContain(`WARN compile cache off: ${shared} can be written by others`);
    expect(r.tools).toContain("seedream_generate_image");
    expect(cacheFiles(shared)).toEqual([]);
  }, 60_000);

  it("is created only by a start that writes it, and never relative to the working folder", async () => {
    const dir = join(tempDir(), "cache");
    for (const args of [["--version"], ["--help"]]) expect((await run(args, { NODE_COMPILE_CACHE: dir })).code).toBe(0);
    expect(existsSync(dir)).toBe(false);

    // the XDG spec: a relative XDG_CACHE_HOME is ignored, the home folder's .cache is used
    const home = tempDir();
    const cwd = tempDir();
    const { client, stderr } = await stdioClient(
      { AIGC_MCP_OUTPUT_DIR: tempDir(), AIGC_MCP_LOG_LEVEL: "debug", NODE_COMPILE_CACHE: "", HOME: home, XDG_CACHE_HOME: "relative-cache" },
      [],
      undefined,
      { cwd },
    );
    try {
      await client.listTools();
      await client.callTool({ name: "list_jobs", arguments: {} });
    } finally {
      await client.close();
    }
    expect(stderr()).toContain(join(home, ".cache", "aigc-mcp"));
    expect(cacheFiles(join(home, ".cache", "aigc-mcp"))).toHaveLength(1);
    expect(readdirSync(cwd)).toEqual([]);
  }, 60_000);

  it.runIf(process.getuid?.() === 0)(
    "as root, creates no cache folder in a folder another user owns (sudo -E keeps HOME)",
    async () => {
      const home = tempDir();
      chownSync(home, 1000, 1000);
      const r = await start("", { HOME: home });
      expect(r.tools).toContain("seedream_generate_image");
      expect(r.lines).toContain(`WARN compile cache not written: ${home} belongs to another user`);
      expect(readdirSync(home)).toEqual([]);
    },
    60_000,
  );

  it("removes other builds' cache files and stored tool lists untouched for 30 days when it writes its own", async () => {
    const dir = join(tempDir(), "cache");
    const old = `server-0123456789abcdef-${process.version}-${process.arch}.cache`;
    const recent = `server-fedcba9876543210-${process.version}-${process.arch}.cache`;
    const unrelated = "notes.txt";
    const oldList = `tools-${"a".repeat(32)}.jsonl`;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const n of [old, recent, unrelated, oldList]) writeFileSync(join(dir, n), "x");
    const longAgo = new Date(Date.now() - 40 * 24 * 3600 * 1000);
    utimesSync(join(dir, old), longAgo, longAgo);
    utimesSync(join(dir, oldList), longAgo, longAgo);
    utimesSync(join(dir, unrelated), longAgo, longAgo);
    await start(dir);
    const names = readdirSync(dir);
    expect(names).not.toContain(old);
    expect(names).not.toContain(oldList);
    expect(names).toContain(recent);
    expect(names).toContain(unrelated);
    expect(cacheFiles(dir)).toHaveLength(2);
  }, 60_000);
});

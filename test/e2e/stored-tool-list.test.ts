/**
 * Issue 16, goal 1: a stdio start lists first what the last start of the same build and
 * configuration listed (src/stored-tool-list.ts), then checks it in idle time: an out-of-date stored
 * list is replaced, announced with notifications/tools/list_changed and rewritten; a damaged one is
 * ignored; another configuration keeps its own; a secret's value is in neither the key nor the file.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ToolListChangedNotificationSchema, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/harness.js";
import { stdioClient } from "./helpers.js";

const ARK_KEY = "e2e-ark-key-000000000000";

/** One start: the tools it lists first, whether it announced a change, what it lists after, and its log. */
async function start(cacheDir: string, outputDir: string, extra: Record<string, string> = {}) {
  const { client, stderr } = await stdioClient({
    AIGC_MCP_OUTPUT_DIR: outputDir,
    AIGC_MCP_LOG_LEVEL: "debug",
    ARK_API_KEY: ARK_KEY,
    NODE_COMPILE_CACHE: cacheDir,
    ...extra,
  });
  let changed = 0;
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed++);
  try {
    const first = (await client.listTools()).tools;
    // the stored list is checked (and written) in the turns after the answer: a call answered after them
    await client.callTool({ name: "list_jobs", arguments: {} });
    await new Promise((r) => setTimeout(r, 200));
    const after = (await client.listTools()).tools;
    return { first, after, changed, log: stderr() };
  } finally {
    await client.close();
  }
}

/** A cache folder with the list a first start stored: that start's list, the file and its text. */
async function withStoredList() {
  const dir = join(tempDir(), "cache");
  const out = tempDir();
  const fresh = await start(dir, out);
  const [file] = storedLists(dir);
  const path = join(dir, file!);
  return { dir, out, fresh, path, good: readFileSync(path, "utf8") };
}

const storedLists = (dir: string) => readdirSync(dir).filter((n) => /^tools-[0-9a-f]{32}\.json$/.test(n));
const FROM_STORE = "tools/list answered from the stored list";

describe("the stored tool list", () => {
  it("is written by a first start and listed by the next, the same as the list it stands in for", async () => {
    const dir = join(tempDir(), "cache");
    const out = tempDir();
    const first = await start(dir, out);
    expect(first.log).not.toContain(FROM_STORE);
    expect(first.log).toContain("tool list stored");
    const [file] = storedLists(dir);
    expect(file).toBeDefined();
    expect(statSync(join(dir, file!)).mode & 0o777).toBe(0o600);

    const second = await start(dir, out);
    expect(second.log).toContain(FROM_STORE);
    expect(second.first).toEqual(first.first);
    expect(second.after).toEqual(first.first);
    expect(second.changed).toBe(0);
    expect(second.log).not.toContain("out of date");
    expect(storedLists(dir)).toEqual([file]);
  }, 60_000);

  it("keeps one list per configuration, with secrets counted only as set", async () => {
    const dir = join(tempDir(), "cache");
    const out = tempDir();
    const all = await start(dir, out);
    const arkOnly = await start(dir, out, { AIGC_MCP_TOOLSETS: "ark" });
    expect(arkOnly.log).not.toContain(FROM_STORE);
    expect(arkOnly.first.map((t) => t.name)).toEqual(["seedream_generate_image", "seedance_generate_video"]);
    expect(storedLists(dir)).toHaveLength(2);

    // another key's value: the same configuration, the same stored list, and no key in any file
    const otherKey = await start(dir, out, { ARK_API_KEY: "e2e-ark-key-111111111111" });
    expect(otherKey.log).toContain(FROM_STORE);
    expect(otherKey.first).toEqual(all.first);
    for (const f of storedLists(dir)) {
      const text = readFileSync(join(dir, f), "utf8");
      expect(text).not.toContain(ARK_KEY);
      expect(text).not.toContain("e2e-ark-key-111111111111");
    }
  }, 60_000);

  it("out of date, is listed once, then replaced, announced and rewritten", async () => {
    const { dir, out, fresh, path, good } = await withStoredList();
    const stored = JSON.parse(good) as { key: string; answer: { tools: Tool[] } };
    stored.answer.tools[0]!.description = "a description of another build";
    writeFileSync(path, JSON.stringify(stored));

    const stale = await start(dir, out);
    expect(stale.log).toContain(FROM_STORE);
    expect(stale.first[0]?.description).toBe("a description of another build");
    expect(stale.changed).toBe(1);
    expect(stale.log).toContain("the stored tool list was out of date");
    expect(stale.after).toEqual(fresh.first);
    const rewritten = JSON.parse(readFileSync(path, "utf8")) as { answer: { tools: Tool[] } };
    expect(rewritten.answer.tools).toEqual(fresh.first);

    const next = await start(dir, out);
    expect(next.first).toEqual(fresh.first);
    expect(next.changed).toBe(0);
  }, 60_000);

  it("damaged, or listing other tools, is not listed and is rewritten", async () => {
    const { dir, out, fresh, path, good } = await withStoredList();

    writeFileSync(path, good.slice(0, 5000));
    const damaged = await start(dir, out);
    expect(damaged.log).not.toContain(FROM_STORE);
    expect(damaged.first).toEqual(fresh.first);
    expect(readFileSync(path, "utf8")).toBe(good);

    const stored = JSON.parse(good) as { key: string; answer: { tools: Tool[] } };
    stored.answer.tools.pop();
    writeFileSync(path, JSON.stringify(stored));
    const fewer = await start(dir, out);
    expect(fewer.log).not.toContain(FROM_STORE);
    expect(fewer.first).toEqual(fresh.first);
    expect(fewer.changed).toBe(0);
    expect(readFileSync(path, "utf8")).toBe(good);
  }, 60_000);

  it("a FIFO or malformed schema under the file's name is not read or listed, and the start goes on", async () => {
    const { dir, out, fresh, path, good } = await withStoredList();

    const stored = JSON.parse(good) as { key: string; answer: { tools: Array<Record<string, unknown>> } };
    stored.answer.tools[0]!.inputSchema = 5;
    writeFileSync(path, JSON.stringify(stored));
    const malformed = await start(dir, out);
    expect(malformed.log).not.toContain(FROM_STORE);
    expect(malformed.first).toEqual(fresh.first);

    if (process.platform === "win32") return;
    // a FIFO opened for reading blocks until a writer comes: the start must not wait for one
    const [compiled] = readdirSync(dir).filter((n) => n.endsWith(".cache"));
    for (const p of [path, join(dir, compiled!)]) {
      rmSync(p);
      execFileSync("mkfifo", ["-m", "600", p]);
    }
    const fifo = await start(dir, out);
    expect(fifo.first).toEqual(fresh.first);
    expect(fifo.log).toMatch(/compile cache absent: .* is not a regular file/);
    expect(statSync(path).isFile()).toBe(true);
  }, 60_000);

  it("is marked used at each start that lists it, and the log level is not part of its key", async () => {
    const dir = join(tempDir(), "cache");
    const out = tempDir();
    await start(dir, out);
    const [file] = storedLists(dir);
    const longAgo = new Date(Date.now() - 40 * 24 * 3600 * 1000);
    utimesSync(join(dir, file!), longAgo, longAgo);
    const quiet = await start(dir, out, { AIGC_MCP_LOG_LEVEL: "warn" });
    expect(quiet.first.length).toBeGreaterThan(5);
    expect(storedLists(dir)).toEqual([file]);
    expect(Date.now() - statSync(join(dir, file!)).mtimeMs).toBeLessThan(3600_000);
  }, 60_000);

  it("is not kept with NODE_DISABLE_COMPILE_CACHE, nor by --sandbox", async () => {
    const dir = join(tempDir(), "cache");
    const off = await start(dir, tempDir(), { NODE_DISABLE_COMPILE_CACHE: "1" });
    expect(off.first.length).toBeGreaterThan(5);
    expect(() => readdirSync(dir)).toThrow();

    const { client } = await stdioClient({ AIGC_MCP_OUTPUT_DIR: tempDir(), NODE_COMPILE_CACHE: dir }, ["--sandbox"]);
    try {
      expect((await client.listTools()).tools.length).toBeGreaterThan(20);
      await client.callTool({ name: "list_jobs", arguments: {} });
    } finally {
      await client.close();
    }
    expect(storedLists(dir)).toEqual([]);
  }, 60_000);
});

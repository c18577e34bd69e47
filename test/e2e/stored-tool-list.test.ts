/**
 * Issue 16, goal 1: a stdio start lists first what the last start of the same build and
 * configuration listed (src/stored-tool-list.ts), then checks it in idle time: an out-of-date stored
 * list is replaced, announced with notifications/tools/list_changed and rewritten; a damaged one is
 * ignored; another configuration keeps its own; a secret's value is in neither the key nor the file.
 * With the initialize answer stored beside it, the entry answers initialize and tools/list before the
 * server loads (src/early-answers.ts): each request is answered once, as the server would.
 */
import { execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LATEST_PROTOCOL_VERSION, ToolListChangedNotificationSchema, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/harness.js";
import { ENTRY, stdioClient } from "./helpers.js";

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
  const hello = {
    version: client.getServerVersion(),
    capabilities: client.getServerCapabilities(),
    instructions: client.getInstructions(),
  };
  try {
    const first = (await client.listTools()).tools;
    // the stored list is checked (and written) in the turns after the answer: a call answered after them
    await client.callTool({ name: "list_jobs", arguments: {} });
    await new Promise((r) => setTimeout(r, 200));
    const after = (await client.listTools()).tools;
    return { first, after, changed, hello, log: stderr() };
  } finally {
    await client.close();
  }
}

type Message = { id?: number; method?: string; result?: Record<string, unknown>; error?: unknown };

/**
 * A session spoken as raw JSON-RPC lines: `opening` written at once (as a client may), then every
 * message the server sends until `done` holds and 300 ms more (a second answer would show there).
 */
async function rawSession(
  cacheDir: string,
  outputDir: string,
  opening: object[],
  done: (got: Message[], log: string) => boolean,
  end = false,
) {
  const child = spawn(process.execPath, [ENTRY], {
    env: {
      PATH: process.env.PATH ?? "",
      AIGC_MCP_OUTPUT_DIR: outputDir,
      AIGC_MCP_LOG_LEVEL: "debug",
      ARK_API_KEY: ARK_KEY,
      NODE_COMPILE_CACHE: cacheDir,
    },
  });
  let log = "";
  let buf = "";
  const got: Message[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no end of session: ${JSON.stringify(got).slice(0, 500)} ${log}`)), 20_000);
      let ended = false;
      // Checked on both streams: a log line the test waits for may come after the answers (a loaded server's).
      const check = () => {
        if (ended || !done(got, log)) return;
        ended = true;
        clearTimeout(timer);
        setTimeout(resolve, 300);
      };
      child.stderr.on("data", (d: Buffer) => {
        log += d.toString();
        check();
      });
      child.stdout.on("data", (d: Buffer) => {
        buf += d.toString();
        for (let nl; (nl = buf.indexOf("\n")) >= 0; buf = buf.slice(nl + 1)) got.push(JSON.parse(buf.slice(0, nl)) as Message);
        check();
      });
      child.stdin.write(opening.map((m) => `${JSON.stringify(m)}\n`).join(""));
      if (end) child.stdin.end();
    });
    return { got, log, exitCode: child.exitCode };
  } finally {
    child.kill();
  }
}

const initialize = (protocolVersion = "2025-06-18") => ({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion, capabilities: {}, clientInfo: { name: "raw", version: "1" } },
});

/** A cache folder with the list a first start stored: that start's list, the file and its text. */
async function withStoredList() {
  const dir = join(tempDir(), "cache");
  const out = tempDir();
  const fresh = await start(dir, out);
  const [file] = storedLists(dir);
  const path = join(dir, file!);
  return { dir, out, fresh, path, good: readFileSync(path, "utf8") };
}

const storedLists = (dir: string) => readdirSync(dir).filter((n) => /^tools-[0-9a-f]{32}\.jsonl$/.test(n));

/** A stored file's two lines (src/stored-tool-list.ts): the key and initialize answer, then the list. */
type Stored<T = Tool> = { header: { key: string; initialize?: { result: Record<string, unknown> } }; answer: { tools: T[] } };
function parseStored<T = Tool>(text: string): Stored<T> {
  const [header, answer] = text.split("\n");
  return { header: JSON.parse(header!) as Stored["header"], answer: JSON.parse(answer!) as { tools: T[] } };
}
const storedText = (s: Stored<unknown>) => `${JSON.stringify(s.header)}\n${JSON.stringify(s.answer)}\n`;
const FROM_STORE = "tools/list answered from the stored list";
const EARLY = "answered before the server loaded (early answers)";

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
    expect(second.log).toContain(EARLY);
    expect(first.log).not.toContain(EARLY);
    expect(second.hello).toEqual(first.hello);
    expect(second.hello.version?.name).toBe("aigc-mcp");
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
    const stored = parseStored(good);
    stored.answer.tools[0]!.description = "a description of another build";
    writeFileSync(path, storedText(stored));

    const stale = await start(dir, out);
    expect(stale.log).toContain(FROM_STORE);
    expect(stale.first[0]?.description).toBe("a description of another build");
    expect(stale.changed).toBe(1);
    expect(stale.log).toContain("the stored tool list was out of date");
    expect(stale.after).toEqual(fresh.first);
    expect(parseStored(readFileSync(path, "utf8")).answer.tools).toEqual(fresh.first);

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

    const stored = parseStored(good);
    stored.answer.tools.pop();
    writeFileSync(path, storedText(stored));
    const fewer = await start(dir, out);
    expect(fewer.log).not.toContain(FROM_STORE);
    // the entry cannot tell (it answers before the tools exist): the server tells the client to list again
    expect(fewer.log).toContain(EARLY);
    expect(fewer.first).toEqual(stored.answer.tools);
    expect(fewer.changed).toBe(1);
    expect(fewer.after).toEqual(fresh.first);
    expect(readFileSync(path, "utf8")).toBe(good);
  }, 60_000);

  it("a FIFO or malformed schema under the file's name is not read or listed, and the start goes on", async () => {
    const { dir, out, fresh, path, good } = await withStoredList();

    const stored = parseStored<Record<string, unknown>>(good);
    stored.answer.tools[0]!.inputSchema = 5;
    writeFileSync(path, storedText(stored));
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

  it("is not kept with NODE_DISABLE_COMPILE_CACHE", async () => {
    const dir = join(tempDir(), "cache");
    const off = await start(dir, tempDir(), { NODE_DISABLE_COMPILE_CACHE: "1" });
    expect(off.first.length).toBeGreaterThan(5);
    expect(() => readdirSync(dir)).toThrow();
  }, 60_000);

  it("is kept by --sandbox apart, without the vendors' variables it replaces, and answered early", async () => {
    const dir = join(tempDir(), "cache");
    const out = tempDir();
    const sandbox = async (extra: Record<string, string> = {}) => {
      const { client, stderr } = await stdioClient(
        { AIGC_MCP_OUTPUT_DIR: out, AIGC_MCP_LOG_LEVEL: "debug", NODE_COMPILE_CACHE: dir, ...extra },
        ["--sandbox"],
      );
      let changed = 0;
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed++);
      try {
        const tools = (await client.listTools()).tools;
        await client.callTool({ name: "list_jobs", arguments: {} });
        await new Promise((r) => setTimeout(r, 200));
        return { tools, changed, log: stderr() };
      } finally {
        await client.close();
      }
    };
    const first = await sandbox();
    expect(first.tools.length).toBeGreaterThan(20);
    expect(storedLists(dir)).toHaveLength(1);
    // the simulators' ports differ at every start, and a vendor's own key is ignored by --sandbox
    const second = await sandbox({ ARK_API_KEY: ARK_KEY });
    expect(second.log).toContain(EARLY);
    expect(second.tools).toEqual(first.tools);
    expect(second.changed).toBe(0);
    expect(storedLists(dir)).toHaveLength(1);
    // the same environment without --sandbox lists other tools (one vendor): a list of its own
    const plain = await start(dir, out);
    expect(plain.log).not.toContain(EARLY);
    expect(storedLists(dir)).toHaveLength(2);
  }, 60_000);

  it("answers each request of an opening sent at once exactly once, early, and a call right after it", async () => {
    const { dir, out, fresh } = await withStoredList();
    const opening = [
      initialize(),
      { jsonrpc: "2.0", method: "notifications/initialized" },
      { jsonrpc: "2.0", id: 2, method: "tools/list" },
      { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "list_jobs", arguments: {} } },
    ];
    const { got, log } = await rawSession(dir, out, opening, (m) => m.some((x) => x.id === 3));
    expect(log).toContain(EARLY);
    expect(got.map((m) => m.id ?? m.method)).toEqual([1, 2, 3]);
    expect(got[0]?.result?.protocolVersion).toBe("2025-06-18");
    expect(got[1]?.result?.tools).toEqual(fresh.first);
    expect(got[2]?.error).toBeUndefined();
    expect(log).not.toContain("differs from the server's");
  }, 60_000);

  it("answers an opening piped in with stdin closed after it, then exits, having stored its answers", async () => {
    const dir = join(tempDir(), "cache");
    const out = tempDir();
    const opening = [
      initialize(),
      { jsonrpc: "2.0", method: "notifications/initialized" },
      { jsonrpc: "2.0", id: 2, method: "tools/list" },
      { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "list_jobs", arguments: {} } },
    ];
    const piped = () => rawSession(dir, out, opening, (m) => m.some((x) => x.id === 3), true);
    const first = await piped();
    expect(first.got.map((m) => m.id ?? m.method)).toEqual([1, 2, 3]);
    expect(first.exitCode).toBe(0);
    // the answers and the compile cache were written before it exited
    expect(storedLists(dir)).toHaveLength(1);
    const second = await piped();
    expect(second.log).toContain(EARLY);
    expect(second.log).toContain("compile cache used");
    expect(second.got.map((m) => m.id ?? m.method)).toEqual([1, 2, 3]);
    expect(second.got[1]?.result).toEqual(first.got[1]?.result);
    expect(second.exitCode).toBe(0);
  }, 60_000);

  it("answers initialize early as the server does: the version it asked for when known, else the latest", async () => {
    const { dir, out } = await withStoredList();
    for (const [asked, answered] of [
      ["2024-11-05", "2024-11-05"],
      ["1999-01-01", LATEST_PROTOCOL_VERSION],
    ]) {
      // The server says so once it has loaded, which may be well after the early answer on a busy machine.
      const { got, log } = await rawSession(dir, out, [initialize(asked)], (m, l) => m.length > 0 && l.includes(EARLY));
      expect(log).toContain(EARLY);
      expect(got).toHaveLength(1);
      expect(got[0]?.result?.protocolVersion).toBe(answered);
      expect(got[0]?.result?.serverInfo).toMatchObject({ name: "aigc-mcp" });
      expect(log).not.toContain("differs from the server's");
    }
  }, 60_000);

  it("an initialize answer that is out of date is sent once, then said, and replaced", async () => {
    const { dir, out, path, good, fresh } = await withStoredList();
    const stored = parseStored(good);
    stored.header.initialize!.result.instructions = "instructions of another build";
    writeFileSync(path, storedText(stored));
    const stale = await start(dir, out);
    expect(stale.hello.instructions).toBe("instructions of another build");
    expect(stale.log).toContain("the initialize answer sent before the server loaded differs from the server's");
    expect(stale.first).toEqual(fresh.first);
    expect(readFileSync(path, "utf8")).toBe(good);
    const next = await start(dir, out);
    expect(next.hello).toEqual(fresh.hello);
  }, 60_000);
});

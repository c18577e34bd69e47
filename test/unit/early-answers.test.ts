/**
 * The entry's early answers (src/early-answers.ts) over fake stdin/stdout; the stdio transport taking
 * over from them: test/unit/stdio-transport.test.ts; the built server's use of them:
 * test/e2e/stored-tool-list.test.ts.
 */
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { answerEarly, takeEarlyAnswers } from "../../src/early-answers.js";
import type { EnvVar } from "../../src/config.js";
import { readToolList, writeToolList, type ListResult, type StoredHandshake } from "../../src/stored-tool-list.js";
import { tempDir } from "../helpers/harness.js";

const VARS: EnvVar[] = [{ name: "ARK_API_KEY", description: "", secret: true }];
const LIST: ListResult = { tools: [{ name: "seedream_generate_image", inputSchema: { type: "object" } }] };
const HANDSHAKE: StoredHandshake = {
  supported: ["2025-11-25", "2025-06-18", "2024-11-05"],
  latest: "2025-11-25",
  result: { capabilities: { tools: { listChanged: true } }, serverInfo: { name: "aigc-mcp", version: "0.1.0" }, instructions: "hi" },
};
const BUILD = "0123456789abcdef";

const initialize = (id: number | string, protocolVersion = "2025-06-18", extra: object = {}) => ({
  jsonrpc: "2.0",
  id,
  method: "initialize",
  params: { protocolVersion, capabilities: { roots: {} }, clientInfo: { name: "test", version: "1" }, ...extra },
});
const initialized = { jsonrpc: "2.0", method: "notifications/initialized" };
const listTools = (id: number | string) => ({ jsonrpc: "2.0", id, method: "tools/list" });
const lines = (...msgs: object[]) => msgs.map((m) => `${JSON.stringify(m)}\n`).join("");

/** A folder with a stored list (and, unless `withHandshake` is false, the initialize answer). */
async function storedIn(withHandshake = true): Promise<string> {
  const dir = tempDir();
  const stored = await readToolList({ dir, build: BUILD }, {}, VARS);
  writeToolList(stored!, LIST, withHandshake ? HANDSHAKE : undefined);
  return dir;
}

/** Starts the early answers on fake streams: what they wrote, as messages, and when the bundle may run. */
async function early(dir: string, opts: { argv?: string[]; env?: NodeJS.ProcessEnv } = {}) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const sent: Array<Record<string, unknown>> = [];
  let buf = "";
  stdout.on("data", (d: Buffer) => {
    buf += d.toString();
    for (let nl; (nl = buf.indexOf("\n")) >= 0; buf = buf.slice(nl + 1)) sent.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
  });
  const handle = await answerEarly(dir, BUILD, VARS, {
    argv: opts.argv ?? [],
    env: opts.env ?? {},
    stdin: () => stdin,
    stdout: () => stdout,
  });
  let ran = false;
  void handle?.ready.then(() => (ran = true));
  return { stdin, stdout, sent, handle, ran: () => ran };
}

const tick = () => new Promise((r) => setImmediate(r));

afterEach(() => void takeEarlyAnswers());

describe("early answers", () => {
  it("answer initialize (the client's version when supported) and tools/list, then let the bundle run", async () => {
    const e = await early(await storedIn());
    e.stdin.write(lines(initialize(1)));
    await tick();
    expect(e.sent).toEqual([{ jsonrpc: "2.0", id: 1, result: { protocolVersion: "2025-06-18", ...HANDSHAKE.result } }]);
    expect(e.ran()).toBe(false);
    e.stdin.write(lines(initialized, listTools("two")));
    await tick();
    await tick();
    expect(e.sent[1]).toEqual({ jsonrpc: "2.0", id: "two", result: LIST });
    expect(e.ran()).toBe(true);
    const taken = takeEarlyAnswers()!;
    expect(Buffer.concat(taken.chunks).toString()).toBe(lines(initialize(1), initialized, listTools("two")));
    expect([...taken.answered.keys()]).toEqual(["1", '"two"']);
    expect(taken.answered.get('"two"')).toEqual({ method: "tools/list", result: LIST });
  });

  it("answer the capabilities and client details clients send", async () => {
    const e = await early(await storedIn());
    const capabilities = {
      roots: { listChanged: true },
      sampling: { context: {}, tools: {} },
      elicitation: { form: { applyDefaults: true }, url: {} },
      experimental: { "x-y": {} },
      extensions: { "io.modelcontextprotocol/ui": { mimeTypes: ["text/html"] } },
      unknown: 5,
    };
    const clientInfo = { name: "c", version: "2", title: "C", description: "d", websiteUrl: "https://c.example", extra: 1 };
    e.stdin.write(lines(initialize(1, "2025-11-25", { capabilities, clientInfo })));
    await tick();
    expect(e.sent.map((m) => m.id)).toEqual([1]);
  });

  it("answer a version the server does not know with its latest, and read requests split anywhere", async () => {
    const e = await early(await storedIn());
    const all = Buffer.from(lines(initialize(7, "1999-01-01"), initialized, listTools(8)));
    for (let i = 0; i < all.length; i += 5) e.stdin.write(all.subarray(i, i + 5));
    await tick();
    await tick();
    expect(e.sent.map((m) => m.id)).toEqual([7, 8]);
    expect((e.sent[0]!.result as { protocolVersion: string }).protocolVersion).toBe("2025-11-25");
  });

  it("answer nothing after a request they do not answer, and leave everything to the server", async () => {
    const big = JSON.stringify(listTools(2)).replace(/}$/, `,"params":{"_meta":{"pad":"${"x".repeat(70_000)}"}}}`);
    const cases: Array<[string, unknown[]]> = [
      [lines({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "x" } }, initialize(2)), []],
      [lines(listTools(1)), []],
      [lines(initialize(1, "2025-06-18", { clientInfo: { name: "no version" } })), []],
      [`{"jsonrpc":"2.0","id":1,"method":"initialize"\n${lines(initialize(2))}`, []],
      [lines(initialize(1), { jsonrpc: "2.0", id: 2, method: "ping" }, listTools(3)), [1]],
      [lines(initialize(1), { jsonrpc: "2.0", id: 2, method: "tools/list", params: { cursor: "x" } }), [1]],
      [lines(initialize(1), listTools(1)), [1]],
      // a line longer than any request answered here
      [`${lines(initialize(1))}${big}\n`, [1]],
      // what the SDK's schemas refuse, or what is rare enough to leave to them
      [lines({ ...initialize(1), extra: 1 }), []],
      [lines(initialize(1.5)), []],
      [lines(initialize(1, "2025-06-18", { capabilities: { roots: { listChanged: "yes" } } })), []],
      [lines(initialize(1, "2025-06-18", { capabilities: { elicitation: { form: 5 } } })), []],
      [lines(initialize(1, "2025-06-18", { capabilities: { experimental: { x: 1 } } })), []],
      [lines(initialize(1, "2025-06-18", { capabilities: { tasks: {} } })), []],
      [lines(initialize(1, "2025-06-18", { clientInfo: { name: "t", version: "1", title: 5 } })), []],
      [lines(initialize(1, "2025-06-18", { clientInfo: { name: "t", version: "1", icons: [] } })), []],
      [lines(initialize(1, "2025-06-18", { _meta: { progressToken: 1 } })), []],
      [lines(initialize(1), { ...listTools(2), foo: 1 }), [1]],
      [lines(initialize(1), { ...listTools(2), params: { _meta: {} } }), [1]],
    ];
    for (const [input, ids] of cases) {
      const e = await early(await storedIn());
      e.stdin.write(input);
      await tick();
      expect(
        e.sent.map((m) => m.id),
        input.slice(0, 80),
      ).toEqual(ids);
      expect(e.ran()).toBe(true);
      const taken = takeEarlyAnswers()!;
      expect(Buffer.concat(taken.chunks).toString()).toBe(input);
    }
  });

  it("without a stored initialize answer, only keep stdin for the server; with arguments or over HTTP, do nothing", async () => {
    const e = await early(await storedIn(false));
    expect(e.handle).toBeDefined();
    e.stdin.write(lines(initialize(1)));
    e.stdin.end();
    await tick();
    expect(e.sent).toEqual([]);
    expect(e.ran()).toBe(true);
    const taken = takeEarlyAnswers()!;
    expect(taken.answered.size).toBe(0);
    expect(taken.ended).toMatch(/stdin ended/);
    expect(Buffer.concat(taken.chunks).toString()).toBe(lines(initialize(1)));

    const dir = await storedIn();
    expect((await early(dir, { argv: ["--stdio"] })).handle).toBeUndefined();
    expect((await early(dir, { argv: ["check"] })).handle).toBeUndefined();
    expect((await early(dir, { argv: ["--sandbox", "--http"] })).handle).toBeUndefined();
    expect((await early(dir, { env: { AIGC_MCP_TRANSPORT: "http" } })).handle).toBeUndefined();
    expect(takeEarlyAnswers()).toBeUndefined();
    // another configuration, or --sandbox (a key of its own): no file
    for (const other of [await early(dir, { env: { ARK_API_KEY: "set" } }), await early(dir, { argv: ["--sandbox"] })]) {
      expect(other.handle).toBeDefined();
      other.stdin.write(lines(initialize(1)));
      await tick();
      expect(other.sent).toEqual([]);
    }
  });

  it("let the bundle run when no request comes", async () => {
    const e = await early(await storedIn());
    await new Promise((r) => setTimeout(r, 120));
    expect(e.ran()).toBe(true);
    // still answering until the server takes over
    e.stdin.write(lines(initialize(1)));
    await tick();
    expect(e.sent).toHaveLength(1);
  });
});

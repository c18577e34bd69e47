/** The stored tool list's key and file (src/stored-tool-list.ts); the server's use of it: test/e2e/stored-tool-list.test.ts. */
import { readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { EnvVar } from "../../src/config.js";
import { parseList, readStoredFile, readToolList, writeToolList } from "../../src/stored-tool-list.js";
import { tempDir } from "../helpers/harness.js";

const VARS: EnvVar[] = [
  { name: "AIGC_MCP_TOOLSETS", description: "" },
  { name: "ARK_API_KEY", description: "", secret: true },
];
const ANSWER = { tools: [{ name: "seedream_generate_image", description: "an image", inputSchema: { type: "object" } }] };

const cacheIn = (dir: string, build = "0123456789abcdef") => ({ dir, build });
const HANDSHAKE = {
  supported: ["2025-11-25", "2025-06-18"],
  latest: "2025-11-25",
  result: { capabilities: { tools: {} }, serverInfo: { name: "aigc-mcp", version: "0.1.0" } },
};

describe("the stored tool list's key", () => {
  it("changes with the build, a variable's value and the models file, not with a secret's value", async () => {
    const dir = tempDir();
    const models = join(dir, "models.json");
    writeFileSync(models, "{}");
    const key = async (env: Record<string, string>, build?: string) =>
      (await readToolList(cacheIn(dir, build), { AIGC_MCP_MODELS_FILE: models, ...env }, VARS))!.key;
    const base = await key({ ARK_API_KEY: "key-a" });
    expect(await key({ ARK_API_KEY: "key-a" })).toBe(base);
    expect(await key({ ARK_API_KEY: "key-b" })).toBe(base);
    expect(await key({})).not.toBe(base);
    expect(await key({ ARK_API_KEY: "key-a", AIGC_MCP_TOOLSETS: "ark" })).not.toBe(base);
    expect(await key({ ARK_API_KEY: "key-a", UNDECLARED: "x" })).toBe(base);
    expect(await key({ ARK_API_KEY: "key-a" }, "fedcba9876543210")).not.toBe(base);
    const later = new Date(Date.now() + 60_000);
    utimesSync(models, later, later);
    expect(await key({ ARK_API_KEY: "key-a" })).not.toBe(base);
  });

  it("with --sandbox, is its own and leaves out the vendors' variables (the sandbox replaces them)", async () => {
    const dir = tempDir();
    const vars = [...VARS.map((v) => (v.name === "ARK_API_KEY" ? { ...v, vendor: true } : v)), { name: "ARK_BASE_URL", vendor: true }];
    const key = async (env: Record<string, string>, sandbox: boolean) => (await readToolList(cacheIn(dir), env, vars, sandbox))!.key;
    const sandbox = await key({}, true);
    expect(sandbox).not.toBe(await key({}, false));
    expect(await key({ ARK_API_KEY: "k", ARK_BASE_URL: "http://127.0.0.1:1234" }, true)).toBe(sandbox);
    expect(await key({ AIGC_MCP_TOOLSETS: "ark" }, true)).not.toBe(sandbox);
  });

  it("is not kept without a compile cache folder", async () => {
    expect(await readToolList(undefined, {}, VARS)).toBeUndefined();
  });
});

describe("the stored tool list's file", () => {
  it("is written whole (0600), read back, and ignored when damaged, of another key or too large", async () => {
    const dir = tempDir();
    const cache = cacheIn(dir);
    const empty = await readToolList(cache, {}, VARS);
    expect(empty?.answer).toBeUndefined();
    writeToolList(empty!, ANSWER);
    expect(statSync(empty!.file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((n) => n.endsWith(".tmp"))).toEqual([]);
    expect((await readToolList(cache, {}, VARS))?.answer).toEqual(ANSWER);

    const lines = (header: object, list: unknown) => `${JSON.stringify(header)}\n${JSON.stringify(list)}\n`;
    writeFileSync(empty!.file, lines({ key: "another" }, ANSWER));
    expect((await readToolList(cache, {}, VARS))?.answer).toBeUndefined();
    writeFileSync(empty!.file, lines({ key: empty!.key }, { tools: [{ description: "no name" }] }));
    expect((await readToolList(cache, {}, VARS))?.answer).toBeUndefined();
    writeToolList(empty!, ANSWER, HANDSHAKE);
    expect(await readToolList(cache, {}, VARS)).toMatchObject({ answer: ANSWER, initialize: HANDSHAKE });
    // the key and initialize answer are read apart from the list, which stays text until parsed
    const apart = await readStoredFile(cache, {}, VARS);
    expect(apart?.initialize).toEqual(HANDSHAKE);
    expect(parseList(apart!.listText!)).toEqual(ANSWER);
    expect(parseList(apart!.listText!.slice(0, 40))).toBeUndefined();
    // an initialize answer that cannot be sent as one (here: with the client's version in it) is left out
    const withVersion = { ...HANDSHAKE, result: { ...HANDSHAKE.result, protocolVersion: "2025-11-25" } };
    writeFileSync(empty!.file, lines({ key: empty!.key, initialize: withVersion }, ANSWER));
    const read = await readToolList(cache, {}, VARS);
    expect(read?.answer).toEqual(ANSWER);
    expect(read?.initialize).toBeUndefined();
    // an earlier build's format (one JSON document), or part of a file
    writeFileSync(empty!.file, JSON.stringify({ key: empty!.key, answer: ANSWER }));
    expect((await readToolList(cache, {}, VARS))?.answer).toBeUndefined();
    writeFileSync(empty!.file, "{");
    expect((await readToolList(cache, {}, VARS))?.answer).toBeUndefined();
    writeFileSync(empty!.file, lines({ key: empty!.key, pad: "x".repeat(5 * 1024 * 1024) }, ANSWER));
    expect((await readToolList(cache, {}, VARS))?.answer).toBeUndefined();
  });

  it("removes other configurations' lists untouched for 30 days when it writes, not the compile cache in use", async () => {
    const dir = tempDir();
    // an earlier build's list was one JSON document (.json)
    const old = `tools-${"a".repeat(32)}.json`;
    const recent = `tools-${"b".repeat(32)}.jsonl`;
    // the compile cache is read at every start but written once per build: old, and still in use
    const compiled = `server-0123456789abcdef-${process.version}-${process.arch}.cache`;
    for (const n of [old, recent, compiled]) writeFileSync(join(dir, n), "{}");
    const longAgo = new Date(Date.now() - 40 * 24 * 3600 * 1000);
    for (const n of [old, compiled]) utimesSync(join(dir, n), longAgo, longAgo);
    const stored = await readToolList(cacheIn(dir), {}, VARS);
    writeToolList(stored!, ANSWER);
    expect(readdirSync(dir).sort()).toEqual([compiled, recent, stored!.file.split("/").pop()].sort());
  });
});

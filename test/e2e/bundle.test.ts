/**
 * Issue 16: `dist/index.js` runs the esbuild bundle dist/server.cjs (scripts/bundle.mjs) that bin,
 * npm start, mcp.json, the Dockerfile and every other e2e test run; tsc's entry stays as
 * dist/index.unbundled.js. The bundle must serve exactly what the unbundled build serves: the same
 * tools, schemas, annotations, instructions and version, with every vendor configured.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/harness.js";
import { ENTRY, everyVendorEnv, run } from "./helpers.js";

const UNBUNDLED = fileURLToPath(new URL("../../dist/index.unbundled.js", import.meta.url));

const everyVendor = () => everyVendorEnv(tempDir());

async function listing(entry: string) {
  const client = new Client({ name: "e2e", version: "1.0.0" });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [entry], env: everyVendor(), stderr: "ignore" }));
  try {
    return { tools: (await client.listTools()).tools, instructions: client.getInstructions(), server: client.getServerVersion() };
  } finally {
    await client.close();
  }
}

describe("the bundled build", () => {
  it("is two files: the entry runs server.cjs, which loads no module of src/ from tsc's dist/ beside it", () => {
    const entry = readFileSync(ENTRY, "utf8");
    expect(entry).toContain('new URL("./server.cjs", import.meta.url)');
    // the modules' entry is imported only without a bundle (and its build-time hash) beside it
    expect([...entry.matchAll(/\bimport\(\s*"([^"]+)"/g)].map((m) => m[1])).toEqual(["./main.js"]);
    const server = readFileSync(join(dirname(ENTRY), "server.cjs"), "utf8");
    // esbuild writes double quotes; undici's JSDoc types use single
    expect([...server.matchAll(/(?:\bfrom\s*|\bimport\(\s*|\brequire\()"(\.\.?\/[^"]+)"/g)].map((m) => m[1])).toEqual([]);
    // Node 20 runs no import() inside a script made from a code cache: packages go through loadPackage()
    expect([...server.matchAll(/\bimport\(\s*"([^"]+)"/g)].map((m) => m[1])).toEqual([]);
    // ASCII only: the entry reads it as latin1
    expect(/[\u0080-\uffff]/.exec(server)?.[0]).toBeUndefined();
  });

  it("lists the same tools, schemas and instructions as the unbundled build", async () => {
    const [bundled, unbundled] = await Promise.all([listing(ENTRY), listing(UNBUNDLED)]);
    expect(bundled.tools.length).toBeGreaterThan(20);
    expect(bundled.tools.map((t) => t.name)).toEqual(unbundled.tools.map((t) => t.name));
    expect(bundled.tools).toEqual(unbundled.tools);
    expect(bundled.instructions).toEqual(unbundled.instructions);
    expect(bundled.server).toEqual(unbundled.server);
  });

  it("reports package.json's version (inlined at build time)", async () => {
    const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    const r = await run(["--version"], {});
    expect(r.stdout.trim()).toBe(version);
  });
});

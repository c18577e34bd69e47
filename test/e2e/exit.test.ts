/**
 * Issue 12 item 12: the process exits promptly when its client goes away, in every mode: stdin
 * closing (idle, with a call in flight, before start-up finished, with and without --sandbox,
 * whose simulators would otherwise keep it alive) and a signal over stdio and HTTP.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/harness.js";
import { ENTRY, startHttpServer } from "./helpers.js";

/** Under 2 s: clients kill a server 2 s after closing its stdin, so a slower exit means the client had to kill it. */
const PROMPT_MS = 1500;

function spawnStdio(args: string[]): { child: ChildProcess; stderr: () => string; ready: Promise<void> } {
  const child = spawn(process.execPath, [ENTRY, ...args], {
    env: { PATH: process.env.PATH ?? "", AIGC_MCP_OUTPUT_DIR: tempDir("aigc-exit-"), AIGC_MCP_LOG_LEVEL: "info" },
  });
  let err = "";
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready: ${err}`)), 20_000);
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
      if (/ready on stdio/.test(err)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  child.stdout.resume();
  return { child, stderr: () => err, ready };
}

/** Milliseconds from now until the child exits (-1 if it is still alive after 10 s, then it is killed). */
function exitTime(child: ChildProcess): Promise<number> {
  const t = Date.now();
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(0);
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve(-1);
    }, 10_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(Date.now() - t);
    });
  });
}

function send(child: ChildProcess, m: unknown): void {
  child.stdin!.write(JSON.stringify(m) + "\n");
}

describe("exit when the client goes away", () => {
  for (const args of [[], ["--sandbox"]]) {
    it(`stdio ${args.join(" ") || "(no vendors)"}: exits promptly when stdin closes`, async () => {
      const s = spawnStdio(args);
      await s.ready;
      s.child.stdin!.end();
      const ms = await exitTime(s.child);
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThan(PROMPT_MS);
      expect(s.stderr()).toMatch(/aigc-mcp exiting: stdin ended/);
    }, 30_000);
  }

  it("stdio --sandbox: exits promptly when stdin closes during a long tool call", async () => {
    const s = spawnStdio(["--sandbox"]);
    await s.ready;
    send(s.child, {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
    });
    send(s.child, { jsonrpc: "2.0", method: "notifications/initialized" });
    send(s.child, {
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "seedance_generate_video", arguments: { prompt: "a slow cat", wait_seconds: 60 } },
    });
    await new Promise((r) => setTimeout(r, 500));
    s.child.stdin!.end();
    const ms = await exitTime(s.child);
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(ms).toBeLessThan(PROMPT_MS);
  }, 30_000);

  it("stdio --sandbox: a client that closes stdin before start-up finished leaves no process behind", async () => {
    const s = spawnStdio(["--sandbox"]);
    s.child.stdin!.end();
    expect(await exitTime(s.child)).toBeGreaterThanOrEqual(0);
  }, 30_000);

  it("stdio --sandbox: stdin closed at once logs ready before exiting, in the order they happen", async () => {
    const s = spawnStdio(["--sandbox"]);
    s.child.stdin!.end();
    expect(await exitTime(s.child)).toBeGreaterThanOrEqual(0);
    const lines = s.stderr().split("\n");
    const ready = lines.findIndex((l) => /INFO aigc-mcp ready on stdio/.test(l));
    const exiting = lines.findIndex((l) => /INFO aigc-mcp exiting: stdin ended/.test(l));
    expect(ready, s.stderr()).toBeGreaterThanOrEqual(0);
    expect(exiting, s.stderr()).toBeGreaterThan(ready);
  }, 30_000);

  it("stdio --sandbox and HTTP --sandbox: exit promptly on SIGTERM", async () => {
    const s = spawnStdio(["--sandbox"]);
    await s.ready;
    s.child.kill("SIGTERM");
    const stdioMs = await exitTime(s.child);
    expect(stdioMs).toBeGreaterThanOrEqual(0);
    expect(stdioMs).toBeLessThan(PROMPT_MS);

    const h = await startHttpServer({ AIGC_MCP_OUTPUT_DIR: tempDir("aigc-exit-") }, ["--sandbox"]);
    h.child.removeAllListeners("exit");
    h.child.kill("SIGTERM");
    const httpMs = await exitTime(h.child);
    expect(httpMs).toBeGreaterThanOrEqual(0);
    expect(httpMs).toBeLessThan(PROMPT_MS);
  }, 40_000);
});

/** In-process server + real SDK Client over a linked transport, backed by the Ark simulator. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult, Progress } from "@modelcontextprotocol/sdk/types.js";
import { parseCoreConfig, type Env } from "../../src/config.js";
import { createContext, type AppContext } from "../../src/context.js";
import { setLogSink } from "../../src/log.js";
import type { EngineOptions } from "../../src/jobs/engine.js";
import type { ArkSimulator } from "../../src/sandbox/ark-sim.js";
import { startSandbox, type Sandbox, type SandboxOptions } from "../../src/sandbox/index.js";
import { createMcpServer } from "../../src/server.js";
import { loadVendors } from "../../src/tools/index.js";

/** Every log line of the process under test (nothing reaches the terminal). */
export const logLines: string[] = [];
setLogSink((line) => logLines.push(line));

export const FAST_ENGINE: EngineOptions = { pollMinMs: 25, heartbeatMs: 200 };

export function tempDir(prefix = "aigc-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface Harness {
  /** Every vendor simulator (`sandbox.ark`, …), fast timings. */
  sandbox: Sandbox;
  ark: ArkSimulator;
  dir: string;
  env: Env;
  app: AppContext;
  client: Client;
  call(
    name: string,
    args: Record<string, unknown>,
    opts?: { onprogress?: (p: Progress) => void; signal?: AbortSignal; timeout?: number },
  ): Promise<CallToolResult>;
  /** A second server on the same output folder and simulator, as after a restart. */
  restart(): Promise<Harness>;
  close(): Promise<void>;
}

/** Options: `env` overrides, per-vendor simulator options (`ark: {...}`), engine timings, or an existing sandbox/folder. */
export type HarnessOptions = Omit<SandboxOptions, "fast"> & {
  env?: Env;
  engine?: EngineOptions;
  existing?: { sandbox: Sandbox; dir: string };
};

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const sandbox = opts.existing?.sandbox ?? (await startSandbox({ ...opts, fast: true }));
  const ark = sandbox.ark;
  const dir = opts.existing?.dir ?? tempDir();
  const env: Env = { AIGC_MCP_OUTPUT_DIR: dir, ...sandbox.env, AIGC_MCP_LOG_LEVEL: "error", ...opts.env };
  const core = parseCoreConfig(env);
  const app = await createContext(core, loadVendors(env, core), { ...FAST_ENGINE, ...opts.engine });
  const server = createMcpServer(app);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "test-client", version: "1.0.0" });
  await client.connect(clientSide);
  const h: Harness = {
    sandbox,
    ark,
    dir,
    env,
    app,
    client,
    call: (name, args, o) => client.callTool({ name, arguments: args }, undefined, o) as Promise<CallToolResult>,
    restart: () => startHarness({ ...opts, existing: { sandbox, dir } }),
    async close() {
      app.jobs.close();
      await client.close();
      await server.close();
      if (!opts.existing) {
        await sandbox.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  return h;
}

export function text(result: CallToolResult): string {
  return result.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
}

export function structured<T = Record<string, unknown>>(result: CallToolResult): T {
  return result.structuredContent as T;
}

/** In-process server + real SDK Client over a linked transport, backed by every vendor simulator (the sandbox). */
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
import type { LateUploadTimes } from "../../src/jobs/late-uploads.js";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { AnimoSimulator, type AnimoSimOptions } from "../../src/vendors/animo/simulator.js";
import { ArkSimulator, type ArkSimOptions } from "../../src/vendors/ark/simulator.js";
import { GatewaySimulator, type GatewaySimOptions } from "../../src/vendors/gateway/simulator.js";
import { KlingSimulator, type KlingSimOptions } from "../../src/vendors/kling/simulator.js";
import { VisualSimulator, type VisualSimOptions } from "../../src/vendors/visual/simulator.js";
import { createMcpServer } from "../../src/server.js";
import { loadVendors } from "../../src/plugins.js";

/** Every log line of the process under test (nothing reaches the terminal). */
export const logLines: string[] = [];
setLogSink((line) => logLines.push(line));

export const FAST_ENGINE: EngineOptions = { pollMinMs: 25, heartbeatMs: 200 };

export function tempDir(prefix = "aigc-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The sandbox with each simulator under its vendor id, typed (tests may name vendors; src/ may not). */
export type TestSandbox = Sandbox & {
  ark: ArkSimulator;
  kling: KlingSimulator;
  visual: VisualSimulator;
  animo: AnimoSimulator;
  gateway: GatewaySimulator;
};

/** Starts every simulator with fast timings (`options` by vendor id). */
export async function startTestSandbox(options: SimulatorOptionsById = {}): Promise<TestSandbox> {
  const sandbox = await startSandbox({ fast: true, options: options as Record<string, object> });
  return Object.assign(sandbox, {
    ark: sandbox.get(ArkSimulator),
    kling: sandbox.get(KlingSimulator),
    visual: sandbox.get(VisualSimulator),
    animo: sandbox.get(AnimoSimulator),
    gateway: sandbox.get(GatewaySimulator),
  });
}

export interface SimulatorOptionsById {
  ark?: ArkSimOptions;
  kling?: KlingSimOptions;
  visual?: VisualSimOptions;
  animo?: AnimoSimOptions;
  gateway?: GatewaySimOptions;
}

export interface Harness {
  /** Every vendor simulator (`sandbox.ark`, …), fast timings. */
  sandbox: TestSandbox;
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
export type HarnessOptions = SimulatorOptionsById & {
  env?: Env;
  engine?: EngineOptions;
  /** Times of the late uploads' scans (src/jobs/late-uploads.ts). */
  uploads?: Partial<LateUploadTimes>;
  existing?: { sandbox: TestSandbox; dir: string };
};

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const { env: extraEnv, engine, uploads, existing, ...simulators } = opts;
  const sandbox = existing?.sandbox ?? (await startTestSandbox(simulators));
  const ark = sandbox.ark;
  const dir = existing?.dir ?? tempDir();
  const env: Env = { AIGC_MCP_OUTPUT_DIR: dir, ...sandbox.env, AIGC_MCP_LOG_LEVEL: "error", ...extraEnv };
  const core = parseCoreConfig(env);
  const app = await createContext(core, await loadVendors(env, core), { ...FAST_ENGINE, ...engine }, uploads);
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
      await app.close();
      await client.close();
      await server.close();
      if (!existing) {
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

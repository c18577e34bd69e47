/** Spawns the built server (dist/index.js) the way an MCP client would. */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client, type ClientOptions } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

export const ENTRY = fileURLToPath(new URL("../../dist/index.js", import.meta.url));

/** The compile cache of the servers the tests start: a folder of this test process, not the user's ~/.cache. */
const CACHE = { NODE_COMPILE_CACHE: join(tmpdir(), `aigc-e2e-compile-cache-${process.pid}`) };
if (!existsSync(ENTRY)) throw new Error("dist/index.js is missing: run `npm run build` first (npm test does)");

/** The server over stdio with an SDK client; `at` starts another entry (a copy of dist/) or in another folder. */
export async function stdioClient(
  env: Record<string, string>,
  args: string[] = [],
  options?: ClientOptions,
  at: { entry?: string; cwd?: string } = {},
): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [at.entry ?? ENTRY, ...args],
    env: { PATH: process.env.PATH ?? "", ...CACHE, ...env },
    stderr: "pipe",
    ...(at.cwd ? { cwd: at.cwd } : {}),
  });
  let err = "";
  transport.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  const client = new Client({ name: "e2e", version: "1.0.0" }, options);
  await client.connect(transport);
  return { client, stderr: () => err };
}

export function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [ENTRY, ...args], { env: { PATH: process.env.PATH ?? "", ...CACHE, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `--http` on a free port and resolves once it logs its URL. */
export function startHttpServer(
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ url: string; child: ChildProcess; stderr: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENTRY, "--http", "--port", "0", ...args], {
      env: { PATH: process.env.PATH ?? "", AIGC_MCP_LOG_LEVEL: "info", ...CACHE, ...env },
    });
    let err = "";
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), 15_000);
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
      const m = /"url":"(http:\/\/[^"]+\/mcp)"/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, child, stderr: () => err });
      }
    });
    child.on("exit", (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
}

/** Fake credentials for all five vendors (listing tools calls none of them), with PATH and an output folder. */
export const everyVendorEnv = (outputDir: string): Record<string, string> => ({
  PATH: process.env.PATH ?? "",
  AIGC_MCP_OUTPUT_DIR: outputDir,
  ARK_API_KEY: "e2e-ark-key-000000000000",
  KLING_API_KEY: "e2e-kling-key-000000000000",
  VOLC_ACCESSKEY: "AKLTe2eaccesskey0000000000",
  VOLC_SECRETKEY: "ZTJlc2VjcmV0a2V5MDAwMDAwMDAwMDAwMDAwMDA=",
  ANIMO_API_KEY: "e2e-animo-key-000000000000",
  ANIMO_ENDPOINT: "http://127.0.0.1:9/animo",
  AI_GATEWAY_BASE_URL: "http://127.0.0.1:9/v1",
  AI_GATEWAY_API_KEY: "e2e-gateway-key-000000000000",
});

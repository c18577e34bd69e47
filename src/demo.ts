/**
 * `npm run demo`: starts `aigc-mcp --sandbox --http` (no keys, no network), then acts like a user
 * with the SDK's real Client: lists tools, makes every plugin's demo calls (some outlive their wait
 * budget and return a job handle), disconnects, resumes the unfinished jobs from a brand-new
 * session, and lists the jobs. Exits non-zero when a call fails, so it doubles as a smoke test.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { PLUGINS } from "./plugins.js";

const say = (s = "") => process.stdout.write(s + "\n");

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

async function connect(url: string, name: string): Promise<Client> {
  const client = new Client({ name, version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

function show(result: CallToolResult): void {
  for (const block of result.content) {
    if (block.type === "text") say(block.text.replace(/^/gm, "    "));
    else if (block.type === "resource") say(`    [embedded ${block.resource.mimeType}: ${block.resource.uri}]`);
    else if (block.type === "resource_link") say(`    [link ${block.mimeType}: ${block.uri}]`);
  }
}

async function main(): Promise<void> {
  const port = await freePort();
  const outputDir = resolve(process.env.AIGC_MCP_OUTPUT_DIR ?? "demo-output");
  const entry = fileURLToPath(new URL("./index.js", import.meta.url));
  const server = spawn(process.execPath, [entry, "--sandbox", "--http", "--port", String(port)], {
    env: { ...process.env, AIGC_MCP_OUTPUT_DIR: outputDir, AIGC_MCP_LOG_LEVEL: "warn" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const url = `http://127.0.0.1:${port}/mcp`;
  const failures: string[] = [];
  const check = (label: string, result: CallToolResult) => {
    show(result);
    if (result.isError) failures.push(label);
  };
  const progress = {
    onprogress: (p: { progress: number; message?: string }) => say(`    progress ${p.progress}s: ${p.message ?? ""}`),
    timeout: 60_000,
  };
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
      } catch {
        if (i > 100) throw new Error("the sandbox server did not start");
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    say(`aigc-mcp sandbox running at ${url} (simulated vendors, no keys, no network)\nOutput folder: ${outputDir}\n`);

    const a = await connect(url, "demo-session-1");
    const { tools } = await a.listTools();
    say(`tools/list: ${tools.length} tools`);
    for (const t of tools) say(`   - ${t.name}: ${t.title ?? ""}`);

    const unfinished: string[] = [];
    for (const plugin of PLUGINS) {
      let previous: Record<string, unknown> | undefined;
      for (const call of plugin.demo) {
        say(`\n${plugin.title}: ${call.tool} (${call.note}):`);
        const args = typeof call.arguments === "function" ? call.arguments(previous) : call.arguments;
        const result = (await a.callTool({ name: call.tool, arguments: args }, undefined, progress)) as CallToolResult;
        check(call.tool, result);
        previous = result.structuredContent;
        const status = previous?.status;
        if (status === "queued" || status === "running") unfinished.push(String(previous?.job_id));
      }
    }
    await a.close();

    if (unfinished.length) {
      say(`\n(session 1 closed with ${unfinished.length} job(s) still running on the server)`);
      say(`\nA new session resumes them with wait_for_job:`);
    }
    const b = await connect(url, "demo-session-2");
    for (const jobId of unfinished)
      check(
        "wait_for_job",
        (await b.callTool({ name: "wait_for_job", arguments: { job_id: jobId, wait_seconds: 30 } }, undefined, progress)) as CallToolResult,
      );

    say(`\nlist_jobs:`);
    check("list_jobs", (await b.callTool({ name: "list_jobs", arguments: { limit: 5 } })) as CallToolResult);
    await b.close();
    say(`\nDone. The generated files are in ${outputDir}`);
    if (failures.length) throw new Error(`these calls failed: ${failures.join(", ")}`);
  } finally {
    server.kill("SIGTERM");
  }
}

main().catch((err) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChildProcess } from "node:child_process";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { ArkSimulator } from "../../src/vendors/ark/simulator.js";
import { tempDir } from "../helpers/harness.js";
import { startHttpServer } from "./helpers.js";
import { type JobResult } from "../helpers/results.js";

const TOKEN = "e2e-http-token-000000000000";
describe("built server over Streamable HTTP", () => {
  let ark: ArkSimulator;
  let server: { url: string; child: ChildProcess; stderr: () => string };
  const connect = async () => {
    const c = new Client({ name: "e2e-http", version: "1" });
    await c.connect(
      new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }),
    );
    return c;
  };
  beforeAll(async () => {
    ark = await new ArkSimulator({ queuedMs: 300, runningMs: 3000, imageDelayMs: 20, maxRenderEdge: 256 }).start();
    server = await startHttpServer({
      ARK_API_KEY: ark.apiKey,
      ARK_BASE_URL: ark.baseUrl,
      AIGC_MCP_OUTPUT_DIR: tempDir("aigc-e2e-http-"),
      AIGC_MCP_AUTH_TOKEN: TOKEN,
    });
  });
  afterAll(async () => {
    server.child.kill();
    await ark.close();
  });

  it("streams progress, returns a handle, and a new session (as Dify opens per call) finishes the job", async () => {
    const a = await connect();
    const progress: string[] = [];
    const r = (await a.callTool({ name: "seedance_generate_video", arguments: { prompt: "http waves", wait_seconds: 2 } }, undefined, {
      onprogress: (p) => progress.push(p.message ?? ""),
    })) as CallToolResult;
    const job = r.structuredContent as JobResult;
    expect(["queued", "running"]).toContain(job.status);
    expect(progress.length).toBeGreaterThan(0);
    await a.close();
    const b = await connect();
    const done = (await b.callTool({ name: "wait_for_job", arguments: { job_id: job.job_id, wait_seconds: 30 } }))
      .structuredContent as JobResult;
    expect(done.status).toBe("succeeded");
    await b.close();
  });

  it("a body over AIGC_MCP_MAX_BODY_BYTES gets its 413, not a reset, while its client is still sending it", async () => {
    // A 5.16 MB call (a 3.87 MB image inline): the server refuses it long before the upload ends.
    const big = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping", params: { _meta: { big: "A".repeat(5_160_000) } } });
    const answers: string[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await fetch(server.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${TOKEN}` },
        body: big,
      }).catch((err: Error) => ({ status: 0, text: () => Promise.resolve(String((err.cause as Error | undefined)?.message ?? err)) }));
      answers.push(`${r.status} ${await r.text()}`);
    }
    // Sent in chunks with no Content-Length: found too large as it arrives.
    const chunked = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${TOKEN}` },
      body: new Blob([big]).stream(),
      duplex: "half",
    }).catch((err: Error) => ({
      status: 0,
      text: () => Promise.resolve(String((err.cause as Error | undefined)?.message ?? err)),
    }));
    answers.push(`${chunked.status} ${await chunked.text()}`);
    for (const a of answers)
      expect(a).toMatch(/^413 Request body over 4194304 bytes \(AIGC_MCP_MAX_BODY_BYTES\)\. Pass large media as a file path/);
  });

  it("cancellation over HTTP ends the server-side wait", async () => {
    const c = await connect();
    const ac = new AbortController();
    const pending = c.callTool(
      { name: "seedance_generate_video", arguments: { prompt: "cancel over http", wait_seconds: 30 } },
      undefined,
      { signal: ac.signal },
    );
    setTimeout(() => ac.abort(), 500);
    await expect(pending).rejects.toThrow();
    const deadline = Date.now() + 3000;
    while (!/tool call failed.*seedance_generate_video.*Cancelled/.test(server.stderr()) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(server.stderr()).toMatch(/tool call failed.*seedance_generate_video.*Cancelled/);
    await c.close();
  });

  it("refuses requests without the token", async () => {
    const r = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: "{}",
    });
    expect(r.status).toBe(401);
    expect(server.stderr()).not.toContain(TOKEN);
  });
});

/**
 * Vendor task callbacks (AIGC_MCP_TASK_CALLBACKS with AIGC_MCP_PUBLIC_URL): Ark and Kling tasks are
 * created with a signed callback_url, the simulators POST to it at each status change, and the job
 * polls its task at once instead of at its next scheduled poll.
 */
import { createHmac } from "node:crypto";
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { ArkSimulator } from "../../src/vendors/ark/simulator.js";
import { KlingSimulator } from "../../src/vendors/kling/simulator.js";
import { tempDir } from "../helpers/harness.js";
import { freePort } from "../helpers/ports.js";
import type { JobResult } from "../helpers/results.js";
import { startHttpServer } from "./helpers.js";

const SECRET = "0123456789abcdef0123456789abcdef-callbacks";
/** The documented scheme, written out here independently of the server's code. */
const sig = (vendor: string) => createHmac("sha256", SECRET).update(`task-callback\n${vendor}`).digest("base64url");

// Done 5 s after the create: the polls (at once, then after 1 s and 1.5× longer each time: at 0, 1,
// 2.5, 4.75 and 8.1 s) would find it at 8.1 s; the callback at 5 s brings the poll forward.
const QUEUED_MS = 500;
const RUNNING_MS = 4500;

describe("vendor task callbacks", () => {
  let ark: ArkSimulator;
  let kling: KlingSimulator;
  let server: { url: string; child: ChildProcess };
  let base: string;
  let client: Client;

  beforeAll(async () => {
    ark = await new ArkSimulator({ queuedMs: QUEUED_MS, runningMs: RUNNING_MS }).start();
    kling = await new KlingSimulator({ queuedMs: QUEUED_MS, runningMs: RUNNING_MS, maxRenderEdge: 160 }).start();
    const port = await freePort();
    base = `http://127.0.0.1:${port}/aigc`;
    server = await startHttpServer(
      {
        ARK_API_KEY: ark.apiKey,
        ARK_BASE_URL: ark.baseUrl,
        KLING_API_KEY: kling.apiKey,
        KLING_BASE_URL: kling.baseUrl,
        KLING_BILLING_CURRENCY: kling.currency,
        AIGC_MCP_OUTPUT_DIR: tempDir("aigc-e2e-callbacks-"),
        AIGC_MCP_PUBLIC_URL: base,
        AIGC_MCP_MEDIA_URL_SECRET: SECRET,
        AIGC_MCP_DELIVERY: "link",
        AIGC_MCP_BODY_TIMEOUT_S: "1",
      },
      ["--port", String(port)],
    );
    client = new Client({ name: "e2e-callbacks", version: "1" });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
  });
  afterAll(async () => {
    await client?.close();
    server?.child.kill();
    await ark?.close();
    await kling?.close();
  });

  it.each([
    ["ark", "seedance_generate_video", { prompt: "waves at dusk", duration: 5 }],
    ["kling", "kling_text_to_video", { prompt: "waves at dusk", duration: "5" }],
  ] as const)(
    "%s: the create carries the signed callback_url, and the job polls as soon as the task is done",
    async (vendor, tool, args) => {
      const sim = vendor === "ark" ? ark.sim : kling.sim;
      const started = Date.now();
      const r = (await client.callTool({ name: tool, arguments: { ...args, wait_seconds: 30 } }, undefined, {
        timeout: 60_000,
      })) as CallToolResult;
      const took = Date.now() - started;
      expect(r.isError).toBeFalsy();
      const job = r.structuredContent as JobResult;
      expect(job.status).toBe("succeeded");
      const create = sim.requests.find((q) => q.method === "POST" && q.json !== undefined) as { json: Record<string, unknown> };
      // Kling's new standard groups it in options.
      const sent = create.json.callback_url ?? (create.json.options as Record<string, unknown> | undefined)?.callback_url;
      expect(sent).toBe(`${base}/callbacks/${vendor}?sig=${sig(vendor)}`);
      // The simulator called back at running and at done; the server took both.
      const calls = sim.callbacks.filter((c) => JSON.stringify(c.body).includes(job.vendor_task_id!));
      expect(calls.length).toBe(2);
      expect(calls.every((c) => c.status === 200)).toBe(true);
      // Done at QUEUED_MS + RUNNING_MS after the create; without the callback the next poll came ~3 s later.
      expect(took).toBeLessThan(QUEUED_MS + RUNNING_MS + 1500);
    },
  );

  it("refuses a callback without the URL's signature (403), another method (405), and a body over 64 KiB (413)", async () => {
    const url = `${base}/callbacks/ark`;
    expect((await fetch(`${url}?sig=${sig("kling")}`, { method: "POST", body: "{}" })).status).toBe(403);
    expect((await fetch(url, { method: "POST", body: "{}" })).status).toBe(403);
    expect((await fetch(`${url}?sig=${sig("ark")}`)).status).toBe(405);
    const big = JSON.stringify({ id: "x", pad: "y".repeat(70 * 1024) });
    expect((await fetch(`${url}?sig=${sig("ark")}`, { method: "POST", body: big })).status).toBe(413);
    expect((await fetch(`${url}?sig=${sig("ark")}`, { method: "POST", body: "not json" })).status).toBe(400);
  });

  it("answers a callback whose body stalls 408 and closes its connection", async () => {
    const { request } = await import("node:http");
    const target = new URL(`${base}/callbacks/ark?sig=${sig("ark")}`);
    const answer = await new Promise<{ status?: number; connection?: string }>((resolve, reject) => {
      const req = request(target, { method: "POST", headers: { "content-type": "application/json", "content-length": "100" } }, (res) => {
        res.resume();
        resolve({ status: res.statusCode, connection: res.headers.connection });
      });
      req.on("error", reject);
      req.write('{"id":');
    });
    expect(answer).toEqual({ status: 408, connection: "close" });
  });

  it("answers 200 to a signed callback for a task no job here follows, and changes nothing", async () => {
    const res = await fetch(`${base}/callbacks/kling?sig=${sig("kling")}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code: 0, data: { task_id: "123456789", task_status: "succeed" } }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true });
  });
});

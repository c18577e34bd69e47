/**
 * A rolling restart over HTTP (SIGTERM to one replica): the calls in flight are answered before the
 * process exits. A wait on a vendor task ends at once with its job id, which the next server on the
 * same job store resumes; a synchronous call finishes within AIGC_MCP_SHUTDOWN_GRACE_S, or is told
 * it was interrupted; no new connection is taken meanwhile. The built server, real SDK clients, and
 * one Ark simulator in this process shared by both servers (as a vendor is).
 */
import type { ChildProcess } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { ArkSimulator } from "../../src/vendors/ark/simulator.js";
import { startTestSandbox, tempDir } from "../helpers/harness.js";
import { jobOf, requestsTo } from "../helpers/results.js";
import { startS3 } from "../helpers/s3.js";
import { proxyThatHangs } from "../helpers/store-faults.js";
import { startHttpServer, stdioClient } from "./helpers.js";

let ark: ArkSimulator;
const children: ChildProcess[] = [];
const clients: Client[] = [];

beforeAll(async () => {
  // Images take 2.5 s to render; videos run 6 s.
  ark = await new ArkSimulator({ queuedMs: 200, runningMs: 6000, imageDelayMs: 2500, maxRenderEdge: 128 }).start();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
});
afterAll(async () => {
  await ark?.close();
});

/** The built server over HTTP on `outputDir`, with the shared Ark simulator unless `vendors` gives other simulators' variables. */
async function server(
  outputDir: string,
  graceS: number,
  vendors: Record<string, string> = { ARK_API_KEY: ark.apiKey, ARK_BASE_URL: ark.baseUrl },
) {
  const env = { ...vendors, AIGC_MCP_OUTPUT_DIR: outputDir, AIGC_MCP_SHUTDOWN_GRACE_S: String(graceS) };
  const s = await startHttpServer(env);
  s.child.removeAllListeners("exit");
  children.push(s.child);
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    s.child.once("exit", (code) => resolve({ code, at: Date.now() })),
  );
  return { ...s, exited };
}

async function connect(url: string): Promise<Client> {
  const client = new Client({ name: "e2e-shutdown", version: "1" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  clients.push(client);
  return client;
}

/** Calls a tool; resolves with the result and when it came. */
function call(client: Client, name: string, args: Record<string, unknown>) {
  return client
    .callTool({ name, arguments: args }, undefined, { timeout: 60_000 })
    .then((r) => ({ result: r as CallToolResult, at: Date.now() }));
}

const text = (r: CallToolResult) => (r.content[0] as { text: string }).text;

/** Resolves once the simulator has received `n` more creates (image or video) than `from`. */
async function createsReached(from: number, n: number): Promise<void> {
  const creates = () => requestsTo(ark, (r) => r.method === "POST").length;
  const until = Date.now() + 10_000;
  while (creates() < from + n) {
    if (Date.now() > until) throw new Error("the creates never reached the simulator");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("shutting down over HTTP (SIGTERM)", () => {
  it("answers the calls in flight, takes no new ones, exits 0, and the next server resumes the video", async () => {
    const out = tempDir("aigc-shutdown-");
    const a = await server(out, 20);
    const [c1, c2] = [await connect(a.url), await connect(a.url)];
    const before = requestsTo(ark, (r) => r.method === "POST").length;
    const video = call(c1, "seedance_generate_video", { prompt: "a lighthouse at dusk", wait_seconds: 60 });
    const image = call(c2, "seedream_generate_image", { prompt: "a kite" });
    await createsReached(before, 2);
    const signalled = Date.now();
    a.child.kill("SIGTERM");

    // The video's wait ends at once: its job id, to resume anywhere.
    const v = await video;
    expect(v.at - signalled).toBeLessThan(1500);
    expect(v.result.isError).toBeFalsy();
    expect(jobOf(v.result).status).toMatch(/^(queued|running)$/);
    expect(text(v.result)).toMatch(/this server is shutting down; wait_for_job resumes the job/);
    const jobId = jobOf(v.result).job_id;

    // No new connection meanwhile (a load balancer sends it to another replica).
    await expect(connect(a.url)).rejects.toThrow();

    // The synchronous image, already sent, is let finish and delivered.
    const i = await image;
    expect(i.result.isError).toBeFalsy();
    expect(jobOf(i.result)).toMatchObject({ status: "succeeded" });
    expect(jobOf(i.result).assets).toHaveLength(1);

    const exit = await a.exited;
    expect(exit.code).toBe(0);
    expect(exit.at - i.at).toBeLessThan(2000);
    expect(a.stderr()).toMatch(/shutting down: SIGTERM/);
    expect(a.stderr()).not.toMatch(/Cancelled|cancelled the call/);

    // The next server on the same output folder resumes the video; the vendor got one create for it.
    const b = await server(out, 20);
    const done = await call(await connect(b.url), "wait_for_job", { job_id: jobId, wait_seconds: 30 });
    expect(jobOf(done.result)).toMatchObject({ status: "succeeded" });
    expect(jobOf(done.result).assets).toHaveLength(1);
    expect(requestsTo(ark, (r) => r.method === "POST").length - before).toBe(2);
  }, 60_000);

  it("tells a synchronous call still running when the grace ends that it was interrupted and may be billed", async () => {
    const a = await server(tempDir("aigc-shutdown-"), 1);
    const client = await connect(a.url);
    const before = requestsTo(ark, (r) => r.method === "POST").length;
    const image = call(client, "seedream_generate_image", { prompt: "a kite" });
    await createsReached(before, 1);
    const signalled = Date.now();
    a.child.kill("SIGTERM");
    const i = await image;
    expect(i.at - signalled).toBeGreaterThanOrEqual(900);
    expect(i.at - signalled).toBeLessThan(2500);
    expect(i.result.isError).toBe(true);
    expect(text(i.result)).toMatch(
      /^Error: Interrupted \(Ark\): .*stopped before the vendor answered; the request had been sent, so it may be billed/,
    );
    expect(jobOf(i.result).job_id).toBeTruthy();
    expect((await a.exited).code).toBe(0);
  }, 30_000);

  it("answers what outlasts the grace: a chat, and a synchronous video cut off while it downloads", async () => {
    // Chat chunks 400 ms apart; an Animo sync video streamed in 64 KiB chunks 300 ms apart (~6 s).
    const sims = await startTestSandbox({
      gateway: { chunkDelayMs: 400 },
      animo: { renderMs: 100, chunkDelayMs: 300, chunkBytes: 65_536, padToBytes: 20 * 65_536 },
    });
    try {
      const a = await server(tempDir("aigc-shutdown-"), 1, sims.env as Record<string, string>);
      const client = await connect(a.url);
      const chat = call(client, "gateway_chat", { prompt: "tell me a long story" });
      const video = call(client, "animo_generate_video", { prompt: "a lighthouse" });
      await new Promise((r) => setTimeout(r, 1200));
      const signalled = Date.now();
      a.child.kill("SIGTERM");
      const [c, v] = await Promise.all([chat, video]);
      for (const r of [c, v]) expect(r.at - signalled).toBeLessThan(3500);
      expect(text(c.result)).toMatch(
        /^Error: Interrupted \(AI Gateway\): the server shut down before AI Gateway answered; the request had been sent, so it may be billed/,
      );
      expect(text(v.result)).toMatch(
        /^Error: Interrupted \(Animo\): the server process stopped while saving the outputs of this synchronous Animo call; Animo answered, so it is billed/,
      );
      expect(jobOf(v.result).job_id).toBeTruthy();
      expect((await a.exited).code).toBe(0);
      expect(a.stderr()).not.toMatch(/cancelled the call/);
    } finally {
      await sims.close();
    }
  }, 40_000);

  it("lets a synchronous job no call waits on finish within the grace: a billed answer still arriving is saved", async () => {
    const out = tempDir("aigc-shutdown-");
    const a = await server(out, 20);
    const client = await connect(a.url);
    // The answer's first half comes when the 2.5 s render ends, the rest 2 s later.
    ark.sim.inject({ kind: "slow-body", delayMs: 2000, match: (r) => r.path.endsWith("/images/generations") });
    const started = jobOf((await call(client, "seedream_generate_image", { prompt: "a kite", wait_seconds: 0 })).result);
    expect(started.status).toBe("running");
    const until = Date.now() + 10_000;
    while (jobOf((await call(client, "get_job", { job_id: started.job_id })).result).detail !== "downloading results") {
      if (Date.now() > until) throw new Error("the answer never began");
      await new Promise((r) => setTimeout(r, 50));
    }
    const signalled = Date.now();
    a.child.kill("SIGTERM");
    const exit = await a.exited;
    expect(exit.code).toBe(0);
    expect(exit.at - signalled).toBeGreaterThan(1000); // it waited for the answer's end
    const b = await server(out, 20);
    const done = jobOf((await call(await connect(b.url), "get_job", { job_id: started.job_id })).result);
    expect(done).toMatchObject({ status: "succeeded" });
    expect(done.assets).toHaveLength(1);
  }, 40_000);

  it("exits at once on a second signal", async () => {
    const a = await server(tempDir("aigc-shutdown-"), 20);
    const client = await connect(a.url);
    const before = requestsTo(ark, (r) => r.method === "POST").length;
    void call(client, "seedream_generate_image", { prompt: "a kite" }).catch(() => undefined);
    await createsReached(before, 1);
    a.child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 200));
    const signalled = Date.now();
    a.child.kill("SIGINT");
    const exit = await a.exited;
    expect(exit.at - signalled).toBeLessThan(1000);
    expect(exit.code).toBe(1);
    expect(a.stderr()).toMatch(/exiting at once: SIGINT again while shutting down/);
  }, 30_000);

  it("lets a late upload to the bucket under way land and record itself within what is left of the grace", async () => {
    const s3 = await startS3("shutdown-uploads");
    const store = await proxyThatHangs(new URL(s3.endpoint));
    try {
      const out = tempDir("aigc-shutdown-");
      const a = await server(out, 20, { ARK_API_KEY: ark.apiKey, ARK_BASE_URL: ark.baseUrl, ...s3.env, AIGC_MCP_S3_ENDPOINT: store.url });
      const client = await connect(a.url);
      store.drop();
      const made = jobOf((await call(client, "seedream_generate_image", { prompt: "a kite", delivery: "link" })).result);
      expect(made.assets[0]!.storage_error).toBeDefined();
      // The store is back but answers each request 10 s late; a result starts the late upload (after
      // the 5 s no output is tried again) and answers within 3 s while it goes on.
      store.slow(10_000);
      await new Promise((r) => setTimeout(r, 5500));
      const shown = await call(client, "get_job", { job_id: made.job_id, delivery: "link" });
      expect(jobOf(shown.result).assets[0]!.storage).not.toBe("s3");
      a.child.kill("SIGTERM");
      expect((await a.exited).code).toBe(0);
      const b = await server(out, 20, { ARK_API_KEY: ark.apiKey, ARK_BASE_URL: ark.baseUrl, ...s3.env });
      const after = jobOf((await call(await connect(b.url), "get_job", { job_id: made.job_id, delivery: "link" })).result);
      expect(after.assets[0]).toMatchObject({ storage: "s3" });
      expect(after.assets[0]!.storage_error).toBeUndefined();
    } finally {
      await store.close();
      await s3.close();
    }
  }, 60_000);

  it("with --sandbox, says that no other process can finish a video still running (its simulators stop with it)", async () => {
    const s = await startHttpServer({ AIGC_MCP_OUTPUT_DIR: tempDir("aigc-shutdown-"), AIGC_MCP_SHUTDOWN_GRACE_S: "5" }, ["--sandbox"]);
    s.child.removeAllListeners("exit");
    children.push(s.child);
    const exited = new Promise<number | null>((resolve) => s.child.once("exit", resolve));
    const client = await connect(s.url);
    const video = call(client, "seedance_generate_video", { prompt: "[slow] a lighthouse at dusk", wait_seconds: 60 });
    await new Promise((r) => setTimeout(r, 1000));
    s.child.kill("SIGTERM");
    const v = await video;
    expect(jobOf(v.result).status).toMatch(/^(submitting|queued|running)$/);
    expect(text(v.result)).toMatch(
      /this --sandbox server is shutting down, and its simulated vendors with it: no other process can finish/,
    );
    expect(text(v.result)).not.toMatch(/resumes the job on any server/);
    // Neither a wait budget that ran out nor a wait_for_job that could help.
    expect(text(v.result)).not.toMatch(/wait budget|keep waiting/);
    expect(await exited).toBe(0);
  }, 30_000);
});

describe("shutting down over stdio (the client closes stdin)", () => {
  it("saves a synchronous call's billed answer still arriving before it exits, within the SDK client's 2 s", async () => {
    const out = tempDir("aigc-shutdown-stdio-");
    const env = { ARK_API_KEY: ark.apiKey, ARK_BASE_URL: ark.baseUrl, AIGC_MCP_OUTPUT_DIR: out };
    const a = await stdioClient(env);
    // The answer's first half comes when the 2.5 s render ends, the rest 1 s later.
    ark.sim.inject({ kind: "slow-body", delayMs: 1000, match: (r) => r.path.endsWith("/images/generations") });
    const started = jobOf(
      (await a.client.callTool({ name: "seedream_generate_image", arguments: { prompt: "a kite", wait_seconds: 0 } })) as CallToolResult,
    );
    const until = Date.now() + 10_000;
    const state = async () =>
      jobOf((await a.client.callTool({ name: "get_job", arguments: { job_id: started.job_id } })) as CallToolResult);
    while ((await state()).detail !== "downloading results") {
      if (Date.now() > until) throw new Error("the answer never began");
      await new Promise((r) => setTimeout(r, 50));
    }
    const t0 = Date.now();
    await a.client.close(); // closes stdin, waits up to 2 s, then SIGTERM
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(a.stderr()).not.toMatch(/Interrupted/);
    const b = await stdioClient(env);
    clients.push(b.client);
    const done = jobOf((await b.client.callTool({ name: "get_job", arguments: { job_id: started.job_id } })) as CallToolResult);
    expect(done).toMatchObject({ status: "succeeded" });
    expect(done.assets).toHaveLength(1);
  }, 30_000);
});

/**
 * The deployment of docker-compose.yml, run here without containers: the built server started with
 * exactly the environment a replica gets there, its values pointed at 127.0.0.1 test servers (a
 * redis-server, the S3 test server, one Ark simulator shared by every replica, as the simulators
 * are per process). Then issue 13's two-replica test: replica A starts a Seedance video and is
 * killed, replica B (and A restarted) resume it by its short id from Redis and the bucket.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { ArkSimulator } from "../../src/vendors/ark/simulator.js";
import { loadCompose, readEnvFile, replicas, ROOT, serviceEnv } from "../helpers/compose.js";
import { tempDir } from "../helpers/harness.js";
import { jobOf, requestsTo } from "../helpers/results.js";
import { startRedis, type TestRedis } from "../helpers/redis.js";
import { startS3, type TestS3 } from "../helpers/s3.js";
import { startHttpServer } from "./helpers.js";
import { freePort } from "../helpers/ports.js";
import { proxyThatHangs } from "../helpers/store-faults.js";

const example = readEnvFile();
const [, replicaService] = replicas(loadCompose(example))[0]!;
/** What docker-compose.yml gives a replica, with deploy/.env.example's placeholder values. */
const COMPOSE_ENV = serviceEnv(replicaService);

/** The compose environment of one replica, every value that names a place pointed at the test's servers. */
function replicaEnv(opts: { port: number; publicUrl: string; s3: TestS3; redisUrl: string; ark: ArkSimulator }): Record<string, string> {
  const env: Record<string, string> = {
    ...COMPOSE_ENV,
    AIGC_MCP_PORT: String(opts.port),
    AIGC_MCP_OUTPUT_DIR: tempDir("aigc-e2e-replica-"),
    AIGC_MCP_PUBLIC_URL: opts.publicUrl,
    AIGC_MCP_S3_ENDPOINT: opts.s3.endpoint,
    AWS_ACCESS_KEY_ID: opts.s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: opts.s3.secretAccessKey,
    AIGC_MCP_REDIS_URL: opts.redisUrl,
    ARK_API_KEY: opts.ark.apiKey,
    ARK_BASE_URL: opts.ark.baseUrl,
  };
  // Only the values change: the same variables as in docker-compose.yml (plus the simulator's URL).
  expect(Object.keys(env).sort()).toEqual([...Object.keys(COMPOSE_ENV), "ARK_BASE_URL"].sort());
  return env;
}

async function connect(mcpUrl: string): Promise<Client> {
  const client = new Client({ name: "e2e-replicas", version: "1" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(mcpUrl), {
      requestInit: { headers: { authorization: `Bearer ${COMPOSE_ENV.AIGC_MCP_AUTH_TOKEN}` } },
    }),
  );
  return client;
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** The Dockerfile's HEALTHCHECK command (exec form), as the container runtime runs it. */
function healthcheckCommand(): string[] {
  const dockerfile = readFileSync(`${ROOT}Dockerfile`, "utf8").replace(/\\\n/g, " ");
  const line = dockerfile.split("\n").find((l) => l.startsWith("HEALTHCHECK "))!;
  return JSON.parse(/ CMD (\[.*\])\s*$/.exec(line)![1]!) as string[];
}

describe("a replica started with docker-compose.yml's environment", () => {
  let ark: ArkSimulator;
  let s3: TestS3;
  let redis: TestRedis;
  let server: { url: string; child: ChildProcess };
  let env: Record<string, string>;

  beforeAll(async () => {
    ark = await new ArkSimulator({ queuedMs: 100, runningMs: 300, imageDelayMs: 5, maxRenderEdge: 128 }).start();
    s3 = await startS3(COMPOSE_ENV.AIGC_MCP_S3_BUCKET, COMPOSE_ENV.AIGC_MCP_S3_REGION);
    redis = await startRedis(example.REDIS_PASSWORD);
    const port = await freePort();
    env = replicaEnv({ port, publicUrl: `http://127.0.0.1:${port}`, s3, redisUrl: redis.url, ark });
    // The image's CMD is `node dist/index.js --http`; the rest comes from the environment.
    server = await startHttpServer(env, ["--port", String(port)]);
  });
  afterAll(async () => {
    server?.child.kill();
    await redis?.close();
    await s3?.close();
    await ark?.close();
  });

  it("listens on all interfaces with the token, and /healthz answers without it", async () => {
    expect(server.url).toBe(`http://0.0.0.0:${env.AIGC_MCP_PORT}/mcp`);
    const health = await fetch(`http://127.0.0.1:${env.AIGC_MCP_PORT}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", name: "aigc-mcp", vendors: ["ark"] });
    const mcp = await fetch(`http://127.0.0.1:${env.AIGC_MCP_PORT}/mcp`, { method: "POST", body: "{}" });
    expect(mcp.status).toBe(401);
  });

  it("passes the Dockerfile's HEALTHCHECK, which fails when nothing answers", async () => {
    const [cmd, ...args] = healthcheckCommand();
    expect(cmd).toBe("node");
    const run = (port: string) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, args, { env: { AIGC_MCP_PORT: port }, stdio: "ignore" });
        child.on("close", resolve);
      });
    expect(await run(env.AIGC_MCP_PORT!)).toBe(0);
    expect(await run(String(await freePort()))).toBe(1);
  });

  it("stores a generated video in the bucket and hands out a presigned URL whose bytes match", async () => {
    const client = await connect(`http://127.0.0.1:${env.AIGC_MCP_PORT}/mcp`);
    try {
      const r = (await client.callTool({
        name: "seedance_generate_video",
        arguments: { prompt: "a lighthouse at dusk", wait_seconds: 30 },
      })) as CallToolResult;
      expect(r.isError).toBeFalsy();
      const video = jobOf(r).assets[0]!;
      expect(video.storage).toBe("s3");
      // AIGC_MCP_KEEP_LOCAL=false: the bucket is the only copy.
      expect(video.path).toBeUndefined();
      expect(video.download_url!.startsWith(`${s3.endpoint}/${COMPOSE_ENV.AIGC_MCP_S3_BUCKET}/`)).toBe(true);
      const res = await fetch(video.download_url!);
      expect(res.status).toBe(200);
      expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(video.sha256);
      expect(s3.refused).toEqual([]);
    } finally {
      await client.close();
    }
  });
});

/** The documented /media/ signature, written out independently of the server's code. */
const signMedia = (name: string, exp: number) =>
  createHmac("sha256", COMPOSE_ENV.AIGC_MCP_MEDIA_URL_SECRET!).update(`media\n${name}\n${exp}`).digest("base64url");

describe("two replicas sharing Redis and the bucket (issue 13)", () => {
  let ark: ArkSimulator;
  let s3: TestS3;
  let redis: TestRedis;
  const servers: ChildProcess[] = [];
  let envA: Record<string, string>;
  let envB: Record<string, string>;
  let publicUrl: string;

  const mcpUrl = (env: Record<string, string>) => `http://127.0.0.1:${env.AIGC_MCP_PORT}/mcp`;
  async function start(env: Record<string, string>) {
    const s = await startHttpServer(env, ["--port", env.AIGC_MCP_PORT!]);
    servers.push(s.child);
    return s;
  }

  beforeAll(async () => {
    // Slow enough that replica A is killed while the task still runs.
    ark = await new ArkSimulator({ queuedMs: 500, runningMs: 2500, imageDelayMs: 5, maxRenderEdge: 128 }).start();
    s3 = await startS3(COMPOSE_ENV.AIGC_MCP_S3_BUCKET, COMPOSE_ENV.AIGC_MCP_S3_REGION);
    redis = await startRedis(example.REDIS_PASSWORD);
    const [portA, portB] = [await freePort(), await freePort()];
    // Both replicas share one public URL (the proxy's); here it is replica B's address.
    publicUrl = `http://127.0.0.1:${portB}`;
    envA = replicaEnv({ port: portA, publicUrl, s3, redisUrl: redis.url, ark });
    envB = replicaEnv({ port: portB, publicUrl, s3, redisUrl: redis.url, ark });
  });
  afterAll(async () => {
    for (const c of servers) c.kill("SIGKILL");
    await redis?.close();
    await s3?.close();
    await ark?.close();
  });

  it("A starts a video and dies; B and a restarted A resume it by its short id, download it once, list and serve it", async () => {
    const a = await start(envA);
    const clientA = await connect(mcpUrl(envA));
    const started = jobOf(
      (await clientA.callTool({
        name: "seedance_generate_video",
        arguments: { prompt: "two replicas, one video", wait_seconds: 0 },
      })) as CallToolResult,
    );
    expect(["submitting", "queued", "running"]).toContain(started.status);
    const jobId = started.job_id;
    expect(jobId.length).toBeLessThanOrEqual(64);
    expect(jobId).toMatch(/^[A-Za-z0-9._~-]+$/);
    a.child.kill("SIGKILL");
    await new Promise((r) => a.child.once("exit", r));
    const videoDownloads = () => requestsTo(ark, (q) => q.path.startsWith("/media/") && q.path.includes(".mp4")).length;
    expect(videoDownloads()).toBe(0);

    // B, and A started again on its own (now empty) output folder, both wait for the job at once.
    await start(envB);
    const envA2 = { ...envA, AIGC_MCP_OUTPUT_DIR: tempDir("aigc-e2e-replica-") };
    await start(envA2);
    const clientB = await connect(mcpUrl(envB));
    const clientA2 = await connect(mcpUrl(envA2));
    const listed = async (c: Client) =>
      ((await c.callTool({ name: "list_jobs", arguments: {} })) as CallToolResult).structuredContent as {
        jobs: Array<{ job_id: string; status: string }>;
      };
    // B lists the job A started before anything on B has touched it: the record is in Redis.
    expect((await listed(clientB)).jobs.map((j) => j.job_id)).toContain(jobId);
    const [onB, onA2] = await Promise.all(
      [clientB, clientA2].map(async (c) =>
        jobOf((await c.callTool({ name: "wait_for_job", arguments: { job_id: jobId, wait_seconds: 60 } })) as CallToolResult),
      ),
    );
    expect(onB!.status).toBe("succeeded");
    expect(onA2!.status).toBe("succeeded");
    const video = onB!.assets[0]!;
    expect(onA2!.assets[0]!.sha256).toBe(video.sha256);
    expect(video.storage).toBe("s3");
    // Exactly one replica downloaded the vendor's video (the download claim in Redis).
    expect(videoDownloads()).toBe(1);

    // One record, succeeded, listed on both replicas.
    for (const c of [clientB, clientA2])
      expect((await listed(c)).jobs.filter((j) => j.job_id === jobId)).toEqual([expect.objectContaining({ status: "succeeded" })]);

    // The download URL over plain HTTP: bytes matching the sha256.
    const res = await fetch(video.download_url!);
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(sha256(bytes)).toBe(video.sha256);

    // Tampered and expired signatures get 403: the presigned bucket URL and the server's /media/ URL.
    const presigned = new URL(video.download_url!);
    presigned.searchParams.set("X-Amz-Signature", "0".repeat(64));
    expect((await fetch(presigned)).status).toBe(403);
    const name = decodeURIComponent(video.uri.slice(video.uri.lastIndexOf("/") + 1));
    const past = Math.floor(Date.now() / 1000) - 5;
    expect((await fetch(`${publicUrl}/media/${encodeURIComponent(name)}?exp=${past}&sig=${signMedia(name, past)}`)).status).toBe(403);
    const exp = Math.floor(Date.now() / 1000) + 600;
    const good = `${publicUrl}/media/${encodeURIComponent(name)}?exp=${exp}&sig=${signMedia(name, exp)}`;
    expect((await fetch(good.replace(/sig=./, (s) => (s.endsWith("A") ? "sig=B" : "sig=A")))).status).toBe(403);
    const served = await fetch(good);
    expect(served.status).toBe(200);
    expect(sha256(Buffer.from(await served.arrayBuffer()))).toBe(video.sha256);

    // resources/list on both replicas names it (from Redis; no replica keeps a local copy), and
    // resources/read of the media:// URI works on both (each reads it back from the bucket).
    for (const c of [clientB, clientA2]) {
      expect((await c.listResources()).resources.map((r) => r.uri)).toContain(video.uri);
      const read = await c.readResource({ uri: video.uri });
      const blob = read.contents[0] && "blob" in read.contents[0] ? read.contents[0].blob : "";
      expect(sha256(Buffer.from(blob, "base64"))).toBe(video.sha256);
    }
    await Promise.all([clientB.close(), clientA2.close()]);
  });
  it("an image A saved while the store dropped every connection reaches the bucket at A's next get_job; B then serves it", async () => {
    const store = await proxyThatHangs(new URL(s3.endpoint));
    const fresh = async (env: Record<string, string>, endpoint = s3.endpoint) => {
      const e = {
        ...env,
        AIGC_MCP_PORT: String(await freePort()),
        AIGC_MCP_OUTPUT_DIR: tempDir("aigc-e2e-replica-"),
        AIGC_MCP_S3_ENDPOINT: endpoint,
      };
      await start(e);
      return connect(mcpUrl(e));
    };
    const [clientA, clientB] = [await fresh(envA, store.url), await fresh(envB)];
    try {
      store.drop();
      const call = (c: Client, name: string, args: Record<string, unknown>) =>
        c.callTool({ name, arguments: args }) as Promise<CallToolResult>;
      const made = jobOf(await call(clientA, "seedream_generate_image", { prompt: "saved while the store was down", delivery: "link" }));
      const asset = made.assets[0]!;
      expect(asset.storage_error).toMatch(/failed/);
      // Only A's folder has it, and Redis says it is in no bucket: B cannot serve it.
      await expect(clientB.readResource({ uri: asset.uri })).rejects.toThrow(/not found/);
      store.forward();
      await new Promise((r) => setTimeout(r, 5200)); // A does not try again within 5 s of the failed upload
      const shown = jobOf(await call(clientA, "get_job", { job_id: made.job_id, delivery: "link" })).assets[0]!;
      expect(shown.storage).toBe("s3");
      expect(shown.storage_error).toBeUndefined();
      const onB = jobOf(await call(clientB, "get_job", { job_id: made.job_id, delivery: "link" })).assets[0]!;
      expect(onB.storage).toBe("s3");
      expect(sha256(Buffer.from(await (await fetch(onB.download_url!)).arrayBuffer()))).toBe(asset.sha256);
      const read = await clientB.readResource({ uri: asset.uri });
      const blob = read.contents[0] && "blob" in read.contents[0] ? read.contents[0].blob : "";
      expect(sha256(Buffer.from(blob, "base64"))).toBe(asset.sha256);
    } finally {
      await Promise.all([clientA.close(), clientB.close()]);
      await store.close();
    }
  }, 60_000);
});

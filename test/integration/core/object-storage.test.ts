import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createServer as createHttpServer } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { AigcError } from "../../../src/errors.js";
import { Bucket, type BucketConfig } from "../../../src/media/bucket.js";
import { startHarness, tempDir, text } from "../../helpers/harness.js";
import { jobOf } from "../../helpers/results.js";
import { startRedis } from "../../helpers/redis.js";
import { startS3, type TestS3 } from "../../helpers/s3.js";
import { hungStore, listening, proxyThatHangs } from "../../helpers/store-faults.js";

const SLOW_DOWN =
  '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>';
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** A Bucket at a local endpoint that is not the test store (hung, slow or failing), with throwaway credentials. */
function bucketAt(endpoint: string, bucket: string, timeoutsMs?: BucketConfig["timeoutsMs"]): Bucket {
  const credentials = { accessKeyId: "k", secretAccessKey: "s".repeat(20) };
  return new Bucket({
    bucket,
    endpoint,
    region: "us-east-1",
    prefix: "",
    forcePathStyle: true,
    ttlS: 60,
    credentials,
    ...(timeoutsMs ? { timeoutsMs } : {}),
  });
}

describe("outputs in an S3-compatible bucket (AIGC_MCP_S3_*)", () => {
  let s3: TestS3;
  beforeAll(async () => {
    s3 = await startS3();
  });
  afterAll(async () => {
    await s3.close();
  });
  /** A Bucket on the test store itself, with its credentials. */
  const storeBucket = () =>
    new Bucket({
      bucket: s3.bucket,
      endpoint: s3.endpoint,
      region: s3.region,
      prefix: "",
      forcePathStyle: true,
      ttlS: 60,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });

  it("uploads every output and hands out a presigned GET that returns the same bytes", async () => {
    const h = await startHarness({ env: { ...s3.env, AIGC_MCP_S3_PREFIX: "team/outputs/" } });
    try {
      const r = await h.call("seedream_generate_image", { prompt: "a red panda" });
      expect(r.isError).toBeFalsy();
      const asset = jobOf(r).assets[0]!;
      expect(asset.storage).toBe("s3");
      expect(existsSync(asset.path!)).toBe(true);
      const name = asset.uri.split("/").pop()!;
      expect(s3.forwarded, s3.forwarded.join("\n")).toContain(`PUT /${s3.bucket}/team/outputs/${name}`);
      const url = new URL(asset.download_url!);
      expect(url.origin).toBe(s3.endpoint);
      expect(url.searchParams.get("X-Amz-Expires")).toBe("604800");
      const res = await fetch(url);
      expect(res.status, s3.refused.join("\n")).toBe(200);
      expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(asset.sha256);
      expect(res.headers.get("content-disposition")).toBe(`inline; filename="${name}"`);
      expect(text(r)).toContain(asset.download_url);
      const tampered = new URL(url);
      tampered.searchParams.set("X-Amz-Expires", "604799");
      expect((await fetch(tampered)).status).toBe(403);
      expect(s3.refused.filter((x) => !x.includes("X-Amz-Expires"))).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it("with AIGC_MCP_KEEP_LOCAL=false keeps no local copy, and still embeds, reads and reuses the file from the bucket", async () => {
    const h = await startHarness({ env: { ...s3.env, AIGC_MCP_KEEP_LOCAL: "false" } });
    try {
      const r = await h.call("seedream_generate_image", { prompt: "a lighthouse" });
      const asset = jobOf(r).assets[0]!;
      expect(asset.path).toBeUndefined();
      expect(readdirSync(h.dir).filter((n) => !n.startsWith("."))).toEqual([]);
      expect(r.content.some((c) => c.type === "resource")).toBe(true);
      rmSync(join(h.dir, ".aigc-mcp", "cache"), { recursive: true, force: true });
      // resources/list names it although no copy is on this disk: the job store says it was generated.
      const listed = (await h.client.listResources()).resources;
      expect(listed).toEqual([expect.objectContaining({ uri: asset.uri, mimeType: asset.mime_type, size: asset.bytes })]);
      const read = await h.client.readResource({ uri: asset.uri });
      const blob = read.contents[0] && "blob" in read.contents[0] ? read.contents[0].blob : "";
      expect(sha256(Buffer.from(blob, "base64"))).toBe(asset.sha256);
      // A media:// output as the input of another call is read back the same way.
      const edit = await h.call("seedream_generate_image", { prompt: "make it blue", images: [asset.uri] });
      expect(edit.isError).toBeFalsy();
    } finally {
      await h.close();
    }
  });

  it("streams a large file up in parts, never as one body", async () => {
    const dir = tempDir("aigc-s3-big-");
    const path = join(dir, "big.mp4");
    writeFileSync(path, Buffer.alloc(20 * 1024 * 1024, 1));
    const bucket = storeBucket();
    const before = s3.forwarded.length;
    // Every body handed to the SDK: a part buffered in memory (lib-storage's Upload copies each part
    // of a stream into one) would hold up to part size × parts in flight of the file (issue 16).
    const spy = vi.spyOn(S3Client.prototype, "send");
    await bucket.upload(path, "big.mp4", "video/mp4");
    const bodies = spy.mock.calls.map((c) => (c[0] as { input?: { Body?: unknown } }).input?.Body);
    spy.mockRestore();
    expect(bodies.length).toBeGreaterThan(3);
    const inMemory = bodies.filter((b) => b instanceof Uint8Array || typeof b === "string").map((b) => (b as Uint8Array).length);
    expect(inMemory).toEqual([]);
    const calls = s3.forwarded.slice(before);
    expect(calls.filter((c) => c.startsWith("PUT /aigc-test/big.mp4?partNumber&uploadId")).length).toBe(3);
    expect(calls).toContain("POST /aigc-test/big.mp4?uploads");
    const back = join(dir, "back.mp4");
    expect(await bucket.download("big.mp4", back)).toBe(true);
    expect(statSync(back).size).toBe(20 * 1024 * 1024);
    expect(await bucket.download("missing.mp4", join(dir, "x"))).toBe(false);
    bucket.close();
  });

  it("a store that accepts the connection and never answers fails the read within its idle timeout", async () => {
    const hung = await hungStore();
    const bucket = bucketAt(hung.url, "hung", { connect: 1000, idle: 800, check: 1500 });
    const started = Date.now();
    try {
      await expect(bucket.download("x.png", join(tempDir("aigc-s3-hung-"), "x.png"))).rejects.toThrow(
        /object storage: reading x.png in bucket hung failed/,
      );
      expect(Date.now() - started).toBeLessThan(15_000); // the SDK retries a timed-out request a few times
      const checking = Date.now();
      const err = await bucket.check().then(
        () => undefined,
        (e: AigcError) => e,
      );
      expect(Date.now() - checking).toBeLessThan(3000); // the start-up check's whole time, retries included
      expect(err?.message).toMatch(/^object storage: checking access in bucket hung failed: no answer within 1.5 s/);
      expect(err?.info.hint).toMatch(/did not answer.*Try again in a minute/);
    } finally {
      bucket.close();
      await hung.close();
    }
  }, 30_000);

  it("a read from a store that never answers gives up after the answer time at each of the SDK's 3 tries, not 3 × the idle time", async () => {
    const hung = await hungStore();
    const bucket = bucketAt(hung.url, "hung", { connect: 1000, idle: 30_000, answer: 500 });
    try {
      const started = Date.now();
      const err = await bucket.download("x.png", join(tempDir("aigc-s3-unanswered-"), "x.png")).then(
        () => undefined,
        (e: AigcError) => e,
      );
      expect(Date.now() - started).toBeLessThan(8000); // 3 × 0.5 s and the SDK's backoff; 3 × 30 s before
      expect(hung.sockets.length).toBe(3); // each try on a new connection
      expect(err?.message).toMatch(/reading x.png in bucket hung failed: no answer within 0.5 s at each of the SDK's tries/);
      expect(err?.info.hint).toMatch(/did not answer.*Try again in a minute/);
      const again = Date.now();
      await expect(bucket.download("x.png", join(tempDir("aigc-s3-unanswered-"), "x.png"), { failFast: true })).rejects.toThrow(
        /left a request unanswered/,
      );
      expect(Date.now() - again).toBeLessThan(100);
      expect(hung.sockets.length).toBe(3);
      expect(bucket.quietForMs()).toBeGreaterThan(25_000); // what /media/ gives as Retry-After
      expect(bucket.quietForMs()).toBeLessThanOrEqual(30_000);
    } finally {
      bucket.close();
      await hung.close();
    }
  }, 20_000);

  it("the answer time ends at the store's answer: a body that flows for longer than it is read whole", async () => {
    const slow = await listening(
      createHttpServer((_req, res) => {
        res.writeHead(200, { "content-type": "image/png", "content-length": "40" }).flushHeaders();
        let sent = 0;
        const timer = setInterval(() => {
          res.write(Buffer.alloc(10, sent));
          if (++sent < 4) return;
          clearInterval(timer);
          res.end();
        }, 400); // 1.6 s in all, each gap within the idle time
      }),
    );
    const bucket = bucketAt(slow.url, "slow", { connect: 1000, idle: 2000, answer: 300 });
    try {
      const path = join(tempDir("aigc-s3-slow-"), "x.png");
      expect(await bucket.download("x.png", path)).toBe(true);
      expect(statSync(path).size).toBe(40);
    } finally {
      bucket.close();
      await new Promise((r) => slow.server.close(r));
    }
  });

  it("a store that starts hanging holds a get_job that would embed its copy about 12 s once (the HEAD's 2 s, the read's 10 s), and the next not at all", async () => {
    const proxy = await proxyThatHangs(new URL(s3.endpoint));
    const env = { ...s3.env, AIGC_MCP_S3_ENDPOINT: proxy.url };
    const h = await startHarness({ env });
    const later = await startHarness({ env, existing: { dir: h.dir, sandbox: h.sandbox } }); // has not seen the object
    try {
      const job = jobOf(await h.call("seedream_generate_image", { prompt: "a fox", delivery: "link" }));
      writeFileSync(job.assets[0]!.path!, "edited");
      proxy.hang();
      const first = Date.now();
      const r = await later.call("get_job", { job_id: job.job_id, delivery: "embed" }, { timeout: 60_000 });
      expect(Date.now() - first).toBeLessThan(20_000);
      expect(r.isError).toBeFalsy();
      expect(r.content.map((c) => c.type)).toEqual(["text", "resource_link"]); // linked, not embedded
      const second = Date.now();
      await later.call("get_job", { job_id: job.job_id, delivery: "embed" });
      expect(Date.now() - second).toBeLessThan(1500);
      // A new output is not held for the upload either: it stays in the output folder only.
      const third = Date.now();
      const made = jobOf(await later.call("seedream_generate_image", { prompt: "a fox again", delivery: "link" }));
      expect(Date.now() - third).toBeLessThan(5000);
      expect(made.assets[0]!.storage).toBeUndefined();
      expect(existsSync(made.assets[0]!.path!)).toBe(true);
    } finally {
      await later.close();
      await h.close();
      await proxy.close();
    }
  }, 90_000);

  it("reads of one bucket copy at the same time all get the file (they share one download)", async () => {
    const h = await startHarness({ env: { ...s3.env, AIGC_MCP_KEEP_LOCAL: "false" } });
    try {
      for (let round = 0; round < 3; round++) {
        const asset = jobOf(await h.call("seedream_generate_image", { prompt: `a fox ${round}`, delivery: "link" })).assets[0]!;
        rmSync(join(h.dir, ".aigc-mcp", "cache"), { recursive: true, force: true });
        const reads = await Promise.all(Array.from({ length: 8 }, () => h.client.readResource({ uri: asset.uri })));
        for (const r of reads) expect(sha256(Buffer.from((r.contents[0] as { blob: string }).blob, "base64"))).toBe(asset.sha256);
      }
    } finally {
      await h.close();
    }
  });

  it("a read the caller cancels says nothing about the store: the next read is not refused as if the store hung", async () => {
    const bucket = storeBucket();
    try {
      const cancelled = new AbortController();
      cancelled.abort();
      await expect(bucket.download("x.png", join(tempDir("aigc-s3-abort-"), "x.png"), { signal: cancelled.signal })).rejects.toThrow();
      expect(await bucket.download("missing.png", join(tempDir("aigc-s3-abort-"), "y.png"), { failFast: true })).toBe(false);
    } finally {
      bucket.close();
    }
  });

  it("a store that is down or failing is told to be tried again, not to have its configuration checked", async () => {
    const failing = createHttpServer((_req, res) => res.writeHead(503, { "content-type": "application/xml" }).end(SLOW_DOWN));
    await new Promise<void>((r) => failing.listen(0, "127.0.0.1", r));
    const closed = createNetServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const at = (port: number) => bucketAt(`http://127.0.0.1:${port}`, "b");
    try {
      for (const port of [closedPort, (failing.address() as AddressInfo).port]) {
        const bucket = at(port);
        const err = await bucket.download("x.png", join(tempDir("aigc-s3-down-"), "x.png")).then(
          () => undefined,
          (e: AigcError) => e,
        );
        bucket.close();
        expect(err?.message).toMatch(/object storage: reading x.png in bucket b failed/);
        expect(err?.info.hint).toMatch(/did not answer, or failed on its side.*Try again in a minute/);
        expect(err?.info.hint).not.toMatch(/AIGC_MCP_S3_BUCKET|AWS_SECRET_ACCESS_KEY/);
      }
    } finally {
      await new Promise((r) => failing.close(r));
    }
  }, 60_000);

  it("refuses to start with a wrong secret, naming the variable and not the secret", async () => {
    const wrong = "wrong-secret-value-123";
    const err = await startHarness({ env: { ...s3.env, AWS_SECRET_ACCESS_KEY: wrong } }).then(
      () => "",
      (e: unknown) => String(e),
    );
    expect(err).toMatch(/AIGC_MCP_S3_BUCKET/);
    expect(err).toMatch(/403/);
    expect(err).toMatch(/AWS_SECRET_ACCESS_KEY/);
    expect(err).not.toMatch(/Try again in a minute/);
    expect(err).not.toContain(wrong);
  });

  it("with Redis, an output whose upload failed and that was then edited is neither listed nor served (Redis knows it is in no bucket)", async () => {
    const redis = await startRedis();
    const down = await startS3("upload-fails");
    const h = await startHarness({ env: { ...down.env, AIGC_MCP_REDIS_URL: redis.url, AIGC_MCP_REDIS_PREFIX: "up-fails:" } });
    try {
      await down.close();
      const asset = jobOf(await h.call("seedream_generate_image", { prompt: "a fox" })).assets[0]!;
      expect(asset.storage).toBeUndefined();
      expect((await h.client.listResources()).resources.map((r) => r.uri)).toContain(asset.uri);
      writeFileSync(asset.path!, "edited");
      expect((await h.client.listResources()).resources.map((r) => r.uri)).not.toContain(asset.uri);
      await expect(h.client.readResource({ uri: asset.uri })).rejects.toThrow(/not found/);
    } finally {
      await h.close();
      await redis.close();
    }
  });

  it("keeps a billed output locally when the upload fails, and every answer says it is not in the bucket and why", async () => {
    const down = await startS3("other-bucket");
    const h = await startHarness({ env: { ...down.env, AIGC_MCP_KEEP_LOCAL: "false" } });
    try {
      await down.close();
      const r = await h.call("seedream_generate_image", { prompt: "a fox", delivery: "link" });
      expect(r.isError).toBeFalsy();
      const job = jobOf(r);
      const asset = job.assets[0]!;
      expect(asset.storage).toBeUndefined();
      expect(existsSync(asset.path!)).toBe(true);
      expect(asset.storage_error).toMatch(/^object storage: uploading .+\.\w+ in bucket other-bucket failed: /);
      const said = /not copied to the bucket \(only in the output folder of the server that saved it\): object storage: uploading/;
      expect(text(r)).toMatch(said);
      expect((r.structuredContent as { message: string }).message).toMatch(/\(not copied to the bucket\)/);
      const later = await h.call("get_job", { job_id: job.job_id, delivery: "link" });
      expect(jobOf(later).assets[0]!.storage_error).toBe(asset.storage_error);
      expect(text(later)).toMatch(said);
      expect(text(await h.call("list_jobs", {}))).toMatch(/\.\w+ \(not copied to the bucket\)/);
    } finally {
      await h.close();
    }
  });

  it("an output whose upload was skipped while the store did not answer says so", async () => {
    const proxy = await proxyThatHangs(new URL(s3.endpoint));
    const endpoint = proxy.url;
    const h = await startHarness({ env: { ...s3.env, AIGC_MCP_S3_ENDPOINT: endpoint, AIGC_MCP_KEEP_LOCAL: "false" } });
    try {
      const first = jobOf(await h.call("seedream_generate_image", { prompt: "a fox", delivery: "link" }));
      expect(first.assets[0]!.storage).toBe("s3");
      expect(first.assets[0]!.storage_error).toBeUndefined();
      proxy.hang();
      rmSync(join(h.dir, ".aigc-mcp", "cache"), { recursive: true, force: true });
      const read = await h.client.readResource({ uri: first.assets[0]!.uri }).catch((e: Error) => e);
      expect(read).toBeInstanceOf(Error);
      expect((read as Error).message).toMatch(/no answer within 6 s/); // the read the store left unanswered
      const made = jobOf(await h.call("seedream_generate_image", { prompt: "a fox again", delivery: "link" }));
      expect(made.assets[0]!.storage).toBeUndefined();
      expect(made.assets[0]!.storage_error).toMatch(/in bucket aigc-test failed: the store left a request unanswered in the last 30 s/);
    } finally {
      await h.close();
      await proxy.close();
    }
  }, 60_000);

  it("a store that refused a connection takes the next upload at once (a refusal is not a store that hangs)", async () => {
    const proxy = await proxyThatHangs(new URL(s3.endpoint));
    const h = await startHarness({ env: { ...s3.env, AIGC_MCP_S3_ENDPOINT: proxy.url } });
    try {
      proxy.drop(); // as while the store restarts
      const refused = jobOf(await h.call("seedream_generate_image", { prompt: "a fox", delivery: "link" })).assets[0]!;
      expect(refused.storage_error).toMatch(/in bucket aigc-test failed: (socket hang up|.*ECONNRESET|.*ECONNREFUSED)/);
      proxy.forward(); // back up
      const next = jobOf(await h.call("seedream_generate_image", { prompt: "a fox again", delivery: "link" })).assets[0]!;
      expect(next.storage_error).toBeUndefined();
      expect(next.storage).toBe("s3");
    } finally {
      await h.close();
      await proxy.close();
    }
  });

  it("an upload error that quotes the secret across its 300-character cut shows no part of it, nor stores one", async () => {
    const secret = "echoed-secret-access-key-0123456789";
    const echo = await listening(
      createHttpServer((req, res) => {
        if (req.method === "HEAD") return void res.writeHead(200).end(); // the start-up check
        req.resume();
        const message = `${"x".repeat(180)} ${secret}`; // the cut at 300 falls inside the secret
        res
          .writeHead(403, { "content-type": "application/xml" })
          .end(`<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>${message}</Message></Error>`);
      }),
    );
    const env = { ...s3.env, AIGC_MCP_S3_ENDPOINT: echo.url, AWS_SECRET_ACCESS_KEY: secret };
    const h = await startHarness({ env });
    try {
      const r = await h.call("seedream_generate_image", { prompt: "a fox", delivery: "link" });
      const asset = jobOf(r).assets[0]!;
      expect(asset.storage_error).toMatch(/AccessDenied|x{100}/);
      const part = secret.slice(0, 8);
      expect(JSON.stringify(r)).not.toContain(part);
      const records = join(h.dir, ".aigc-mcp", "jobs");
      for (const f of readdirSync(records)) expect(readFileSync(join(records, f), "utf8")).not.toContain(part);
    } finally {
      await h.close();
      await new Promise((r) => echo.server.close(r));
    }
  });

  it("a read the store's connection dropped is not taken for a hang: the next read still asks the store", async () => {
    const proxy = await proxyThatHangs(new URL(s3.endpoint));
    const bucket = bucketAt(proxy.url, s3.bucket);
    try {
      proxy.drop();
      const err = await bucket.download("x.png", join(tempDir("aigc-s3-drop-"), "x.png")).then(
        () => undefined,
        (e: AigcError) => e,
      );
      expect(err?.message).not.toMatch(/no answer within/);
      proxy.forward();
      // Refused at once (failFast) only after a store that left a request unanswered; the store answers 403 to these credentials.
      await expect(bucket.download("x.png", join(tempDir("aigc-s3-drop-"), "y.png"), { failFast: true })).rejects.toThrow(/HTTP 403/);
    } finally {
      bucket.close();
      await proxy.close();
    }
  });

  it("with no bucket configured any more, an older output's upload error is not shown", async () => {
    const down = await startS3("gone-bucket");
    const h = await startHarness({ env: down.env });
    try {
      await down.close();
      const job = jobOf(await h.call("seedream_generate_image", { prompt: "a fox", delivery: "link" }));
      expect(job.assets[0]!.storage_error).toBeDefined();
      const plain = await startHarness({ existing: { dir: h.dir, sandbox: h.sandbox } });
      try {
        const r = await plain.call("get_job", { job_id: job.job_id, delivery: "link" });
        expect(jobOf(r).assets[0]!.storage_error).toBeUndefined();
        expect(text(r)).not.toMatch(/not copied to the bucket/);
      } finally {
        await plain.close();
      }
    } finally {
      await h.close();
    }
  });
});

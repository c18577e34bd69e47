import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, tempDir, text } from "../../helpers/harness.js";
import { startRedis } from "../../helpers/redis.js";
import { jobOf } from "../../helpers/results.js";
import { startS3, type TestS3 } from "../../helpers/s3.js";
import { proxyThatHangs } from "../../helpers/store-faults.js";

/** Until `check` holds, at most `ms`. */
async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await sleep(50);
  }
}

describe("outputs whose upload to the bucket failed are uploaded later", () => {
  let s3: TestS3;
  beforeAll(async () => {
    s3 = await startS3("late-uploads");
  });
  afterAll(async () => {
    await s3.close();
  });

  /** A server whose store drops every connection until `store.forward()`; scans only when a test asks. */
  async function withStoreDown(env: Record<string, string> = {}, uploads = {}) {
    const store = await proxyThatHangs(new URL(s3.endpoint));
    const h = await startHarness({
      env: { ...s3.env, AIGC_MCP_S3_ENDPOINT: store.url, ...env },
      uploads: { firstScanMs: 3600_000, retryScanMs: 3600_000, gapMs: 100, ...uploads },
    });
    store.drop();
    const made = jobOf(await h.call("seedream_generate_image", { prompt: "a fox", delivery: "link" }));
    const asset = made.assets[0]!;
    expect(asset.storage_error).toMatch(/in bucket late-uploads failed/);
    const name = asset.uri.split("/").pop()!;
    const uploaded = () => s3.forwarded.some((f) => f.startsWith(`PUT /late-uploads/${name}`));
    return { h, store, made, asset, name, uploaded, close: () => h.close().then(() => store.close()) };
  }

  it("the next result that shows the job uploads it once the store takes uploads again, and says it is in the bucket", async () => {
    const t = await withStoreDown();
    try {
      const still = jobOf(await t.h.call("get_job", { job_id: t.made.job_id, delivery: "link" }));
      expect(still.assets[0]!.storage_error).toBeDefined(); // the store still drops every connection
      t.store.forward();
      await sleep(150); // past the gap after the failed try
      const r = await t.h.call("get_job", { job_id: t.made.job_id, delivery: "link" });
      const asset = jobOf(r).assets[0]!;
      expect(asset.storage_error).toBeUndefined();
      expect(asset.storage).toBe("s3");
      expect(text(r)).not.toMatch(/not copied to the bucket/);
      expect(asset.download_url).toMatch(/X-Amz-Signature=/);
      expect(t.uploaded()).toBe(true);
      const back = await fetch(asset.download_url!);
      expect(Buffer.from(await back.arrayBuffer()).equals(readFileSync(t.asset.path!))).toBe(true);
      expect(text(await t.h.call("list_jobs", {}))).not.toMatch(/not copied to the bucket/);
    } finally {
      await t.close();
    }
  });

  it("a scan uploads it with no one asking; with AIGC_MCP_KEEP_LOCAL=false the local file goes once the record says so", async () => {
    const t = await withStoreDown({ AIGC_MCP_KEEP_LOCAL: "false" });
    try {
      expect(existsSync(t.asset.path!)).toBe(true);
      t.store.forward();
      await sleep(150);
      expect(await t.h.app.uploads.scan()).toEqual({ uploaded: 1, failed: 0, waiting: false });
      expect(existsSync(t.asset.path!)).toBe(false);
      const asset = jobOf(await t.h.call("get_job", { job_id: t.made.job_id, delivery: "link" })).assets[0]!;
      expect(asset).toMatchObject({ storage: "s3", sha256: t.asset.sha256 });
      expect(asset.path).toBeUndefined();
      const read = await t.h.client.readResource({ uri: t.asset.uri }); // read back from the bucket
      expect((read.contents[0] as { blob: string }).blob.length).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });

  it("a scan a minute (here: moments) after the failure uploads it by itself", async () => {
    const t = await withStoreDown({}, { retryScanMs: 400 });
    try {
      t.store.forward();
      await until(t.uploaded);
    } finally {
      await t.close();
    }
  });

  it("a file changed since it was generated (same size, other bytes) is not uploaded as the output", async () => {
    const t = await withStoreDown();
    try {
      const bytes = readFileSync(t.asset.path!);
      bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
      writeFileSync(t.asset.path!, bytes);
      t.store.forward();
      await sleep(150);
      expect(await t.h.app.uploads.scan()).toEqual({ uploaded: 0, failed: 0, waiting: false });
      expect(t.uploaded()).toBe(false);
      const asset = jobOf(await t.h.call("get_job", { job_id: t.made.job_id, delivery: "link" })).assets[0]!;
      expect(asset.storage_error).toBeDefined();
    } finally {
      await t.close();
    }
  });

  it("a store that still fails keeps the output in the folder, with the newer error; a scan stops at the first failure", async () => {
    const t = await withStoreDown();
    try {
      const other = jobOf(await t.h.call("seedream_generate_image", { prompt: "a second fox", delivery: "link" }));
      expect(other.assets[0]!.storage_error).toBeDefined();
      await sleep(150);
      expect(await t.h.app.uploads.scan()).toEqual({ uploaded: 0, failed: 1, waiting: false }); // not a try (and a read) of each
      const asset = jobOf(await t.h.call("get_job", { job_id: t.made.job_id, delivery: "link" })).assets[0]!;
      expect(asset.storage_error).toMatch(/in bucket late-uploads failed/);
      expect(existsSync(asset.path!)).toBe(true);
    } finally {
      await t.close();
    }
  });

  it("with Redis, once uploaded the output is served from the bucket after its local copy is gone (Redis knows where it is kept)", async () => {
    const redis = await startRedis();
    const t = await withStoreDown({ AIGC_MCP_REDIS_URL: redis.url, AIGC_MCP_REDIS_PREFIX: "late:" });
    try {
      rmSync(join(t.h.dir, ".aigc-mcp", "cache"), { recursive: true, force: true });
      t.store.forward();
      await sleep(150);
      expect((await t.h.app.uploads.scan()).uploaded).toBe(1);
      rmSync(t.asset.path!);
      const read = await t.h.client.readResource({ uri: t.asset.uri });
      expect(Buffer.from((read.contents[0] as { blob: string }).blob, "base64").length).toBe(t.asset.bytes);
    } finally {
      await t.close();
      await redis.close();
    }
  });

  it("a late upload that fails when a result shows the job still brings a scan soon after, not only the hourly one", async () => {
    // The first scan comes while the output is within the gap after the result's failed try.
    const t = await withStoreDown({}, { retryScanMs: 600, gapMs: 1000 });
    try {
      await sleep(1100);
      expect(jobOf(await t.h.call("get_job", { job_id: t.made.job_id, delivery: "link" })).assets[0]!.storage_error).toBeDefined();
      t.store.forward();
      await until(t.uploaded, 12_000); // nobody asks again
    } finally {
      await t.close();
    }
  }, 20_000);

  it("while one late upload hangs, other results do not wait for it nor start another", async () => {
    const t = await withStoreDown();
    try {
      const second = jobOf(await t.h.call("seedream_generate_image", { prompt: "another fox", delivery: "link" }));
      await sleep(150);
      t.store.hang();
      let started = Date.now();
      await t.h.call("get_job", { job_id: t.made.job_id, delivery: "link" }); // starts the upload, waits 3 s for it
      expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
      started = Date.now();
      const again = jobOf(await t.h.call("get_job", { job_id: t.made.job_id, delivery: "link" }));
      const other = jobOf(await t.h.call("get_job", { job_id: second.job_id, delivery: "link" }));
      expect(Date.now() - started).toBeLessThan(1000);
      expect([again, other].map((j) => j.assets[0]!.storage_error !== undefined)).toEqual([true, true]);
    } finally {
      await t.close();
    }
  }, 20_000);

  it("another server (its own folder) shows an output not uploaded yet as the saving server's, not as removed", async () => {
    const redis = await startRedis();
    const env = { AIGC_MCP_REDIS_URL: redis.url, AIGC_MCP_REDIS_PREFIX: "late-b:" };
    const t = await withStoreDown(env);
    const b = await startHarness({ env: { ...s3.env, ...env }, uploads: { firstScanMs: 3600_000 } });
    const aside = `${t.h.dir}-elsewhere`; // as on another machine: A's folder is not there for B
    try {
      renameSync(t.h.dir, aside);
      const r = await b.call("get_job", { job_id: t.made.job_id, delivery: "link" });
      const asset = jobOf(r).assets[0]!;
      expect(asset.file).toBeUndefined();
      expect(asset.storage_error).toBeDefined();
      expect(text(r)).toMatch(/not copied to the bucket \(only in the output folder of the server that saved it\)/);
      expect(text(r)).not.toMatch(/removed from the output folder/);
    } finally {
      renameSync(aside, t.h.dir);
      await b.close();
      await t.close();
      await redis.close();
    }
  });

  it("an output saved through another spelling of this server's folder (a symlink) is still this server's to upload", async () => {
    const real = tempDir("aigc-late-real-");
    const link = `${real}-link`;
    symlinkSync(real, link);
    const t = await withStoreDown({ AIGC_MCP_OUTPUT_DIR: link });
    await t.h.close();
    t.store.forward();
    const again = await startHarness({
      env: { ...s3.env, AIGC_MCP_S3_ENDPOINT: t.store.url, AIGC_MCP_OUTPUT_DIR: real },
      uploads: { firstScanMs: 3600_000, gapMs: 100 },
    });
    try {
      expect(t.asset.path!.startsWith(link)).toBe(true);
      await sleep(150);
      const asset = jobOf(await again.call("get_job", { job_id: t.made.job_id, delivery: "link" })).assets[0]!;
      expect(asset.storage).toBe("s3");
      expect(t.uploaded()).toBe(true);
    } finally {
      await again.close();
      await t.store.close();
      rmSync(link, { force: true });
      rmSync(real, { recursive: true, force: true });
    }
  });

  it("a replica whose folder has the same path but not the file leaves it, and its lease, to the server that has it", async () => {
    const redis = await startRedis();
    const env = { AIGC_MCP_REDIS_URL: redis.url, AIGC_MCP_REDIS_PREFIX: "late-same:" };
    const t = await withStoreDown(env);
    const aside = `${t.h.dir}-a`;
    let b: Awaited<ReturnType<typeof startHarness>> | undefined;
    try {
      t.store.forward();
      renameSync(t.h.dir, aside); // B's own folder, at the same path on its machine, without A's file
      mkdirSync(t.h.dir);
      b = await startHarness({ env: { ...s3.env, ...env, AIGC_MCP_OUTPUT_DIR: t.h.dir }, uploads: { firstScanMs: 3600_000, gapMs: 100 } });
      await sleep(150);
      await b.call("get_job", { job_id: t.made.job_id, delivery: "link" });
      expect(await b.app.uploads.scan()).toEqual({ uploaded: 0, failed: 0, waiting: false });
      expect(t.uploaded()).toBe(false);
      await b.close();
      b = undefined;
      rmSync(t.h.dir, { recursive: true, force: true });
      renameSync(aside, t.h.dir);
      expect(await t.h.app.uploads.scan()).toEqual({ uploaded: 1, failed: 0, waiting: false }); // no lease of B's in the way
      expect(readdirSync(t.h.dir).some((f) => f === t.name)).toBe(true);
    } finally {
      await b?.close();
      if (!existsSync(t.h.dir)) renameSync(aside, t.h.dir);
      await t.close();
      await redis.close();
    }
  });

  it("a scan that finds the output just tried by a result looks again a minute (here: a second) later, not in 5 minutes", async () => {
    const t = await withStoreDown({}, { retryScanMs: 1000, gapMs: 300 }); // the first scan comes at 1 s
    try {
      await sleep(800);
      await t.h.call("get_job", { job_id: t.made.job_id, delivery: "link" }); // fails again, so the 1 s scan skips it
      t.store.forward();
      await until(t.uploaded, 3500); // the next scan at 2 s; before, at 6 s
    } finally {
      await t.close();
    }
  });
});

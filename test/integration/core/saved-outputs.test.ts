/**
 * A job's result is a view at answer time: an output removed from the output folder, or overwritten
 * with other bytes, after the job saved it is said to be so by get_job, wait_for_job and list_jobs
 * (text, message and the asset's `file`), while the stored record stays as it was.
 */
import { createHash } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { startHarness, structured, text, type Harness } from "../../helpers/harness.js";
import { jobOf, type JobResult } from "../../helpers/results.js";
import { startS3 } from "../../helpers/s3.js";

const kinds = (r: CallToolResult) => r.content.map((c) => c.type);

describe("outputs removed or changed after they were saved", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const generate = async () => {
    const job = jobOf(await h.call("seedream_generate_image", { prompt: "a lighthouse", delivery: "link" }));
    expect(job.status).toBe("succeeded");
    return { job, asset: job.assets[0]! };
  };

  it("a removed file: get_job and wait_for_job say so in the text, the message and the asset", async () => {
    const { job, asset } = await generate();
    expect(asset.url).toBeDefined();
    expect(Date.parse(asset.expires_at!)).toBeGreaterThan(Date.now());
    rmSync(asset.path!);
    for (const tool of ["get_job", "wait_for_job"]) {
      const r = await h.call(tool, { job_id: job.job_id, delivery: "link" });
      expect(r.isError).toBeFalsy();
      const shown = jobOf(r).assets[0]!;
      expect(shown.file).toBe("missing");
      expect(shown).toMatchObject({ path: asset.path, sha256: asset.sha256, bytes: asset.bytes });
      expect(text(r)).toContain("succeeded. 1 file(s) saved (1 since removed from the output folder):");
      expect(text(r)).toContain(`- ${asset.path} (`);
      expect(text(r)).toContain(
        `  removed from the output folder after it was saved; download it again from the vendor URL above until ${asset.expires_at}`,
      );
      expect(structured<{ message: string }>(r).message).toBe(
        `succeeded: 1 file(s) saved: ${asset.path} (since removed from the output folder)`,
      );
    }
    // The record itself is unchanged: a view at answer time.
    expect((await h.app.jobs.store.load(job.job_id))?.assets[0]).toEqual(asset);
  });

  it("a file overwritten with other bytes is changed; one as saved carries no mark", async () => {
    const { job, asset } = await generate();
    const untouched = jobOf(await h.call("get_job", { job_id: job.job_id }));
    expect(untouched.assets[0]!.file).toBeUndefined();
    const generated = readFileSync(asset.path!);
    writeFileSync(asset.path!, Buffer.alloc(asset.bytes + 7, 1));
    const r = await h.call("get_job", { job_id: job.job_id, delivery: "link" });
    expect(jobOf(r).assets[0]!.file).toBe("changed");
    expect(text(r)).toContain("succeeded. 1 file(s) saved (1 since changed):");
    expect(text(r)).toContain(
      `  changed after it was saved: the file there is no longer the ${asset.bytes} bytes generated; download it again from the vendor URL above until ${asset.expires_at}`,
    );
    expect(structured<{ message: string }>(r).message).toBe(`succeeded: 1 file(s) saved: ${asset.path} (since changed)`);
    // Put back as generated, the file is shown as saved again: nothing of the check was kept.
    writeFileSync(asset.path!, generated);
    expect(jobOf(await h.call("get_job", { job_id: job.job_id })).assets[0]!.file).toBeUndefined();
  });

  it("with several files, the message leads with what became of them, so its 300-character cut cannot hide it", async () => {
    const job = jobOf(await h.call("seedream_generate_image", { prompt: "three kites", max_images: 3, delivery: "link" }));
    rmSync(job.assets[2]!.path!);
    const r = await h.call("get_job", { job_id: job.job_id, delivery: "link" });
    expect(structured<{ message: string }>(r).message).toMatch(
      /^succeeded: 3 file\(s\) saved \(1 since removed from the output folder\): /,
    );
    expect(text(r)).toContain("3 file(s) saved (1 since removed from the output folder)");
  });

  it("list_jobs marks the file in its line and its asset", async () => {
    const { job, asset } = await generate();
    rmSync(asset.path!);
    const r = await h.call("list_jobs", {});
    const listed = structured<{ jobs: JobResult[] }>(r).jobs.find((j) => j.job_id === job.job_id)!;
    expect(listed.assets[0]!.file).toBe("missing");
    expect(text(r)).toContain(`→ ${asset.path} (since removed from the output folder)`);
  });

  it("embed and preview neither embed nor preview a removed file, nor link it when nothing can serve it", async () => {
    const { job, asset } = await generate();
    const name = asset.uri.split("/").pop()!;
    rmSync(asset.path!);
    // The bytes this process still holds from the save (media/fresh-bytes.ts) are not embedded either.
    const embed = await h.call("get_job", { job_id: job.job_id, delivery: "embed" });
    expect(kinds(embed)).toEqual(["text"]);
    expect(text(embed)).toContain("removed from the output folder after it was saved");
    const preview = await h.call("get_job", { job_id: job.job_id, delivery: "preview" });
    expect(kinds(preview)).toEqual(["text"]);
    expect(text(preview)).toContain(`No preview for ${name}: it was removed from the output folder after it was saved.`);
  });

  it("embed neither embeds nor links a changed file with no bucket copy (nothing serves it as generated), and preview shows no preview of the other bytes", async () => {
    const { job, asset } = await generate();
    const name = asset.uri.split("/").pop()!;
    writeFileSync(asset.path!, Buffer.alloc(asset.bytes - 1, 1));
    const embed = await h.call("get_job", { job_id: job.job_id, delivery: "embed" });
    expect(kinds(embed)).toEqual(["text"]);
    expect(text(embed)).toContain(`changed after it was saved: the file there is no longer the ${asset.bytes} bytes generated`);
    // Its media:// URI answers "not found", so no line offers it, nor the link mode's "read its media:// URI".
    expect(text(embed)).not.toContain(`resource: ${asset.uri}`);
    expect(text(await h.call("get_job", { job_id: job.job_id, delivery: "link" }))).not.toContain("media:// URI");
    const preview = await h.call("get_job", { job_id: job.job_id, delivery: "preview" });
    expect(kinds(preview)).toEqual(["text"]);
    expect(text(preview)).toContain(`No preview for ${name}: it was changed after it was saved.`);
  });

  it("says when the vendor URL has expired, so the output cannot be downloaded again", async () => {
    const { job, asset } = await generate();
    const later = await h.restart();
    try {
      const record = (await later.app.jobs.store.load(job.job_id))!;
      const expired = "2020-01-01T00:00:00.000Z";
      await later.app.jobs.store.save({ ...record, assets: [{ ...record.assets[0]!, expires_at: expired }] });
      rmSync(asset.path!);
      const r = await later.call("get_job", { job_id: job.job_id });
      expect(text(r)).toContain(
        `  removed from the output folder after it was saved; its vendor URL expired at ${expired}, so it cannot be downloaded again`,
      );
    } finally {
      await later.close();
    }
  });
});

describe("outputs saved with a bucket, shown by a server with no bucket configured", () => {
  it("are not shown as the bucket's: a removed or changed file is said to be so, and nothing offers what cannot be read", async () => {
    const s3 = await startS3();
    const h = await startHarness({ env: s3.env });
    const later = await startHarness({ existing: { dir: h.dir, sandbox: h.sandbox } });
    try {
      const [gone, edited] = await Promise.all(
        ["a lighthouse", "a kite"].map(async (prompt) => jobOf(await h.call("seedream_generate_image", { prompt, delivery: "link" }))),
      );
      expect(gone!.assets[0]!.storage).toBe("s3");
      rmSync(gone!.assets[0]!.path!);
      writeFileSync(edited!.assets[0]!.path!, Buffer.alloc(edited!.assets[0]!.bytes + 1, 1));
      for (const [job, file] of [
        [gone!, "missing"],
        [edited!, "changed"],
      ] as const) {
        const r = await later.call("get_job", { job_id: job.job_id, delivery: "embed" });
        const shown = jobOf(r).assets[0]!;
        expect(shown).toMatchObject({ file });
        expect(shown.storage).toBeUndefined();
        expect(shown.download_url).toBeUndefined();
        expect(kinds(r)).toEqual(["text"]);
        expect(text(r)).not.toContain("resource: media://");
        expect(text(r)).not.toContain("bucket");
      }
    } finally {
      await later.close();
      await h.close();
      await s3.close();
    }
  });
});

describe("an output kept only in a bucket, shown by a server not set up to use it", () => {
  it("is said to be in a bucket this server does not use, not removed, and nothing offers what it cannot read", async () => {
    const s3 = await startS3();
    const h = await startHarness({ env: { ...s3.env, AIGC_MCP_KEEP_LOCAL: "false" } });
    const later = await startHarness({ existing: { dir: h.dir, sandbox: h.sandbox } });
    try {
      const job = jobOf(await h.call("seedream_generate_image", { prompt: "a lighthouse", delivery: "link" }));
      expect(job.assets[0]).toMatchObject({ storage: "s3" });
      expect(job.assets[0]!.path).toBeUndefined();
      const r = await later.call("get_job", { job_id: job.job_id, delivery: "embed" });
      expect(jobOf(r).assets[0]).toMatchObject({ file: "elsewhere" });
      expect(structured<{ message: string }>(r).message).toBe(
        `succeeded: 1 file(s) saved: ${job.assets[0]!.uri} (in a bucket this server does not use)`,
      );
      expect(text(r)).toContain("kept only in a bucket this server is not set up to use (AIGC_MCP_S3_*)");
      expect(text(r)).not.toContain("removed");
      expect(kinds(r)).toEqual(["text"]);
      // resources/read there says the same, not a bare "not found" (MCP's -32002 still).
      await expect(later.client.readResource({ uri: job.assets[0]!.uri })).rejects.toThrow(
        `Resource ${job.assets[0]!.uri} not found: it is kept only in a bucket this server is not set up to use (AIGC_MCP_S3_*)`,
      );
      await expect(later.client.readResource({ uri: job.assets[0]!.uri })).rejects.toMatchObject({ code: -32002 });
    } finally {
      await later.close();
      await h.close();
      await s3.close();
    }
  });
});

describe("an output removed from the output folder that the bucket still has", () => {
  it("is shown as the bucket's (as on a replica that did not save it), and embedded from the bucket with its download URL", async () => {
    const s3 = await startS3();
    const h = await startHarness({ env: s3.env });
    try {
      const job = jobOf(await h.call("seedream_generate_image", { prompt: "a lighthouse", delivery: "link" }));
      const asset = job.assets[0]!;
      expect(asset.storage).toBe("s3");
      rmSync(asset.path!);
      const r = await h.call("get_job", { job_id: job.job_id, delivery: "embed" });
      const shown = jobOf(r).assets[0]!;
      expect(shown.file).toBeUndefined();
      expect(shown.path).toBeUndefined();
      expect(shown.download_url).toBeDefined();
      expect(text(r)).toContain(`- ${asset.uri} (`);
      expect(text(r)).not.toContain("removed");
      expect(kinds(r)).toEqual(["text", "resource"]);
      const blob = (r.content[1] as { resource: { blob: string } }).resource.blob;
      expect(createHash("sha256").update(Buffer.from(blob, "base64")).digest("hex")).toBe(asset.sha256);
      // Changed locally: named by its path in the message (the bucket's copy did not change), with the bucket's link.
      const other = jobOf(await h.call("seedream_generate_image", { prompt: "a kite", delivery: "link" }));
      const edited = other.assets[0]!;
      writeFileSync(edited.path!, Buffer.alloc(edited.bytes + 1, 1));
      const again = await h.call("get_job", { job_id: other.job_id, delivery: "link" });
      expect(structured<{ message: string }>(again).message).toBe(`succeeded: 1 file(s) saved: ${edited.path} (since changed)`);
      expect(jobOf(again).assets[0]).toMatchObject({ file: "changed", storage: "s3", download_url: expect.any(String) });
      expect(text(again)).toContain("changed after it was saved: the file there is no longer the");
      expect(text(again)).toContain("; the bucket still has it as generated: use its download URL");
      // media:// serves the output as generated: the bucket's copy, not the edited local file; embed embeds that copy.
      const read = (await h.client.readResource({ uri: edited.uri })).contents[0] as { blob: string };
      expect(createHash("sha256").update(Buffer.from(read.blob, "base64")).digest("hex")).toBe(edited.sha256);
      const listed = (await h.client.listResources()).resources.find((x) => x.uri === edited.uri);
      expect(listed?.size).toBe(edited.bytes); // the size served, the bucket's
      const embedded = await h.call("get_job", { job_id: other.job_id, delivery: "embed" });
      expect(kinds(embedded)).toEqual(["text", "resource"]);
      const copy = (embedded.content[1] as { resource: { blob: string } }).resource.blob;
      expect(createHash("sha256").update(Buffer.from(copy, "base64")).digest("hex")).toBe(edited.sha256);
    } finally {
      await h.close();
      await s3.close();
    }
  });
});

describe("an output the bucket no longer holds (a lifecycle rule or a person deleted it)", () => {
  it("is not offered as the bucket's: a local copy is shown and served as such, one without is missing, and neither is linked to the store", async () => {
    const s3 = await startS3();
    const h = await startHarness({ env: s3.env });
    // Another replica (or this one after a restart) on the same folder: it has not seen the objects.
    const later = await startHarness({ env: s3.env, existing: { dir: h.dir, sandbox: h.sandbox } });
    try {
      const [kept, gone] = await Promise.all(
        ["a lighthouse", "a kite"].map(async (prompt) => jobOf(await h.call("seedream_generate_image", { prompt, delivery: "link" }))),
      );
      for (const job of [kept!, gone!]) {
        expect(job.assets[0]!.storage).toBe("s3");
        await s3.deleteObject(job.assets[0]!.uri.split("/").pop()!);
      }
      rmSync(gone!.assets[0]!.path!);

      const local = await later.call("get_job", { job_id: kept!.job_id, delivery: "embed" });
      const shown = jobOf(local).assets[0]!;
      expect(shown.storage).toBeUndefined();
      expect(shown.file).toBeUndefined();
      expect(shown.download_url).toBeUndefined(); // a presigned GET would answer 404 at the store
      expect(kinds(local)).toEqual(["text", "resource"]);
      const blob = (local.content[1] as { resource: { blob: string } }).resource.blob;
      expect(createHash("sha256").update(Buffer.from(blob, "base64")).digest("hex")).toBe(kept!.assets[0]!.sha256);

      const missing = await later.call("get_job", { job_id: gone!.job_id, delivery: "embed" });
      expect(jobOf(missing).assets[0]).toMatchObject({ file: "missing" });
      expect(jobOf(missing).assets[0]!.download_url).toBeUndefined();
      expect(kinds(missing)).toEqual(["text"]);
      expect(text(missing)).not.toContain("bucket");
      const jobs = structured<{ jobs: JobResult[] }>(await later.call("list_jobs", {})).jobs;
      expect(jobs.find((j) => j.job_id === gone!.job_id)!.assets[0]).toMatchObject({ file: "missing" });
      expect(jobs.find((j) => j.job_id === kept!.job_id)!.assets[0]!.storage).toBeUndefined();

      const uris = (await later.client.listResources()).resources.map((r) => r.uri);
      expect(uris).toContain(kept!.assets[0]!.uri);
      expect(uris).not.toContain(gone!.assets[0]!.uri);
      await expect(later.client.readResource({ uri: gone!.assets[0]!.uri })).rejects.toThrow(/not found/);
    } finally {
      await later.close();
      await h.close();
      await s3.close();
    }
  });

  it("kept only in the bucket (AIGC_MCP_KEEP_LOCAL=false): said to be removed from the bucket, not from the output folder", async () => {
    const s3 = await startS3();
    const env = { ...s3.env, AIGC_MCP_KEEP_LOCAL: "false" };
    const h = await startHarness({ env });
    const later = await startHarness({ env, existing: { dir: h.dir, sandbox: h.sandbox } });
    try {
      const job = jobOf(await h.call("seedream_generate_image", { prompt: "a heron", delivery: "link" }));
      expect(job.assets[0]!.path).toBeUndefined();
      await s3.deleteObject(job.assets[0]!.uri.split("/").pop()!);
      const r = await later.call("get_job", { job_id: job.job_id, delivery: "embed" });
      expect(jobOf(r).assets[0]).toMatchObject({ file: "missing" });
      expect(structured<{ message: string }>(r).message).toBe(
        `succeeded: 1 file(s) saved: ${job.assets[0]!.uri} (since removed from the bucket)`,
      );
      expect(text(r)).toContain("removed from the bucket it was kept in after it was saved");
      expect(text(r)).not.toContain("output folder");
      expect(kinds(r)).toEqual(["text"]);
    } finally {
      await later.close();
      await h.close();
      await s3.close();
    }
  });
});

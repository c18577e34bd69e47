/**
 * Issue 12 items 7, 8, 10, 11 and 15 through the SDK client: the delivery modes (AIGC_MCP_DELIVERY
 * and the per-call `delivery`), the one-line `message` in every structuredContent, "Error:" first
 * lines for every failure (schema failures included), audio as an embedded resource, and links
 * that say why they were not embedded.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { imageSize } from "image-size";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { startHarness, structured, text, type Harness } from "../../helpers/harness.js";
import { jobOf } from "../../helpers/results.js";
import { PREVIEW_MAX_BYTES } from "../../../src/tools/delivery.js";

const kinds = (r: CallToolResult) => r.content.map((c) => c.type);
const blobChars = (r: CallToolResult) =>
  r.content.reduce(
    (n, c) => n + (c.type === "resource" && "blob" in c.resource ? c.resource.blob.length : c.type === "image" ? c.data.length : 0),
    0,
  );
const links = (r: CallToolResult) => r.content.flatMap((c) => (c.type === "resource_link" ? [c.description ?? ""] : []));

describe("delivery: AIGC_MCP_DELIVERY=link with per-call overrides", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { AIGC_MCP_DELIVERY: "link" } });
  });
  afterAll(() => h.close());

  it("link: no file data and no resource_link block; the text gives every path and media:// URI", async () => {
    const r = await h.call("seedream_generate_image", { prompt: "a red panda", max_images: 2 });
    expect(r.isError).toBeFalsy();
    expect(kinds(r)).toEqual(["text"]);
    const job = jobOf(r);
    expect(job.assets).toHaveLength(2);
    for (const a of job.assets) {
      expect(text(r)).toContain(a.path!);
      expect(text(r)).toContain(a.uri);
    }
    expect(text(r)).toMatch(/delivery=link/);
    expect(structured<{ message: string }>(r).message).toMatch(/^succeeded: 2 file\(s\) saved: \//);
  });

  it("a call's delivery overrides the variable: embed embeds, preview shows a small image", async () => {
    const embed = await h.call("seedream_generate_image", { prompt: "a red panda", delivery: "embed" });
    expect(kinds(embed)).toEqual(["text", "resource"]);
    const preview = await h.call("seedream_generate_image", { prompt: "a red panda", delivery: "preview" });
    expect(kinds(preview)).toEqual(["text", "image"]);
    const image = preview.content[1] as { data: string; mimeType: string };
    expect(image.mimeType).toBe("image/jpeg");
    expect(Buffer.from(image.data, "base64").length).toBeLessThanOrEqual(PREVIEW_MAX_BYTES);
    // wait_for_job and get_job take it too
    const again = await h.call("get_job", { job_id: jobOf(embed).job_id, delivery: "embed" });
    expect(kinds(again)).toEqual(["text", "resource"]);
    const linked = await h.call("wait_for_job", { job_id: jobOf(embed).job_id, wait_seconds: 0 });
    expect(kinds(linked)).toEqual(["text"]);
  });

  it("audio goes out as an embedded resource with its MIME type (never the audio content type), with its path and URI", async () => {
    const r = await h.call("gateway_speech", { text: "The paper crane took flight.", format: "mp3", wait_seconds: 20, delivery: "embed" });
    const asset = jobOf(r).assets[0]!;
    expect(kinds(r)).toEqual(["text", "resource"]);
    const res = r.content[1] as { resource: { uri: string; mimeType: string; blob: string } };
    expect(res.resource).toMatchObject({ uri: asset.uri, mimeType: "audio/mpeg" });
    expect(text(r)).toContain(asset.path!);
    expect(text(r)).toContain(asset.uri);
    const linked = await h.call("get_job", { job_id: jobOf(r).job_id });
    expect(kinds(linked)).toEqual(["text"]);
    expect(text(linked)).toContain(asset.path!);
    const preview = await h.call("get_job", { job_id: jobOf(r).job_id, delivery: "preview" });
    expect(kinds(preview)).toEqual(["text"]);
  });

  it("a job still running says in structuredContent.message to call wait_for_job with its id", async () => {
    const r = await h.call("seedance_generate_video", { prompt: "a cat surfing", wait_seconds: 0 });
    const job = jobOf(r);
    expect(["queued", "running"]).toContain(job.status);
    expect(structured<{ message: string }>(r).message).toBe(`${job.status}: call wait_for_job with job_id "${job.job_id}" to wait for it`);
    const waited = await h.call("seedance_generate_video", { prompt: "a cat surfing [slow]", wait_seconds: 1 });
    const still = jobOf(waited);
    expect(structured<{ message: string }>(waited).message).toBe(
      `${still.status}: call wait_for_job with job_id "${still.job_id}" to keep waiting`,
    );
  });

  it("every tool declares the one delivery argument when it returns media, and message in its output", async () => {
    const { tools } = await h.client.listTools();
    const media = tools.filter((t) => "assets" in ((t.outputSchema?.properties as object | undefined) ?? {}));
    expect(media.map((t) => t.name)).toEqual(
      expect.arrayContaining(["seedream_generate_image", "get_job", "wait_for_job", "gateway_speech"]),
    );
    for (const t of tools) {
      expect(t.outputSchema?.required, t.name).toContain("message");
      const delivery = (t.inputSchema.properties as Record<string, unknown>).delivery;
      if (media.includes(t))
        // No description: the server instructions say what each mode does (issue 12 item 16, the tool list size).
        expect(delivery, t.name).toEqual({ type: "string", enum: ["embed", "link", "preview"] });
      else expect(delivery, t.name).toBeUndefined();
    }
  });

  it("every tool's structuredContent has a one-line message (list_jobs, list_models, rerank)", async () => {
    for (const [name, args] of [
      ["list_jobs", {}],
      ["list_models", {}],
      ["gateway_rerank", { query: "bird", documents: ["a paper crane", "bamboo"] }],
    ] as const) {
      const r = await h.call(name, args);
      expect(r.isError, name).toBeFalsy();
      const m = structured<{ message: string }>(r).message;
      expect(m, name).toBeTruthy();
      expect(m, name).not.toContain("\n");
    }
  });
});

describe("preview of a full-size image", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ kling: { maxRenderEdge: 2048 } });
  });
  afterAll(() => h.close());

  it("a 2048x2048 PNG gets a downscaled preview under the cap, made once; the original is untouched", async () => {
    const r = await h.call("kling_generate_image", { prompt: "a big panda", aspect_ratio: "1:1", wait_seconds: 20, delivery: "preview" });
    const asset = jobOf(r).assets[0]!;
    expect(asset).toMatchObject({ mime_type: "image/png", width: 2048, height: 2048 });
    expect(asset.bytes).toBeGreaterThan(PREVIEW_MAX_BYTES);
    expect(kinds(r)).toEqual(["text", "image"]);
    const block = r.content[1] as { data: string; mimeType: string };
    expect(block.mimeType).toBe("image/jpeg");
    const preview = Buffer.from(block.data, "base64");
    expect(preview.length).toBeLessThanOrEqual(PREVIEW_MAX_BYTES);
    expect(imageSize(preview)).toMatchObject({ width: 512, height: 512, type: "jpg" });
    expect(text(r)).toMatch(/downscaled to fit 512 px; the full file is at the path/);
    const original = readFileSync(asset.path!);
    expect(createHash("sha256").update(original).digest("hex")).toBe(asset.sha256);
    expect(imageSize(original)).toMatchObject({ width: 2048, height: 2048, type: "png" });
    // cached next to the outputs, and reused by the next call (never encoded again)
    const cached = readdirSync(join(h.dir, ".aigc-mcp/previews"));
    expect(cached).toEqual([expect.stringMatching(/\.png\.[0-9a-f]{12}\.jpg$/)]);
    const file = join(h.dir, ".aigc-mcp/previews", cached[0]!);
    const before = statSync(file);
    const again = await h.call("get_job", { job_id: jobOf(r).job_id, delivery: "preview" });
    expect((again.content[1] as { data: string }).data).toBe(block.data);
    expect(statSync(file)).toMatchObject({ ino: before.ino, mtimeMs: before.mtimeMs });
    expect(readdirSync(join(h.dir, ".aigc-mcp/previews"))).toEqual(cached);
    expect(createHash("sha256").update(readFileSync(asset.path!)).digest("hex")).toBe(asset.sha256);
  });

  it("a video gets no preview, and the text says so plainly", async () => {
    const r = await h.call("kling_text_to_video", { prompt: "a cat", wait_seconds: 20, delivery: "preview" });
    const asset = jobOf(r).assets[0]!;
    expect(asset.mime_type).toBe("video/mp4");
    expect(kinds(r)).toEqual(["text"]);
    expect(text(r)).toContain(`No preview for ${asset.uri.split("/").pop()}: videos have no preview (no vendor sends a cover image).`);
    expect(existsSync(join(h.dir, ".aigc-mcp/previews", `${asset.uri.split("/").pop()}.${asset.sha256.slice(0, 12)}.jpg`))).toBe(false);
  });
});

describe("previews within the result's embed budget", () => {
  it("the first preview always goes; the next ones only while AIGC_MCP_INLINE_MAX_BYTES lasts, each skipped one said", async () => {
    const h = await startHarness({ env: { AIGC_MCP_INLINE_MAX_BYTES: "1000" }, kling: { maxRenderEdge: 256 } });
    try {
      const r = await h.call("kling_generate_image", { prompt: "three pandas", n: 3, wait_seconds: 20, delivery: "preview" });
      const assets = jobOf(r).assets;
      expect(assets).toHaveLength(3);
      expect(kinds(r)).toEqual(["text", "image"]);
      for (const a of assets.slice(1))
        expect(text(r)).toMatch(
          new RegExp(`No preview for ${a.uri.split("/").pop()}: the previews before it used [\\d.]+ \\w+ of this result's 1000 B`),
        );
    } finally {
      await h.close();
    }
  });

  it("none with AIGC_MCP_INLINE_MAX_BYTES=0 (links only)", async () => {
    const h = await startHarness({ env: { AIGC_MCP_INLINE_MAX_BYTES: "0" }, kling: { maxRenderEdge: 256 } });
    try {
      const r = await h.call("kling_generate_image", { prompt: "a panda", wait_seconds: 20, delivery: "preview" });
      expect(kinds(r)).toEqual(["text"]);
      expect(text(r)).toMatch(/No preview for \S+: AIGC_MCP_INLINE_MAX_BYTES is 0 \(links only\)/);
    } finally {
      await h.close();
    }
  });
});

describe("failures start with Error: and the code", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("schema failures name the field and the allowed values in plain words", async () => {
    const bad = await h.call("list_jobs", { status: "bogus" });
    expect(bad.isError).toBe(true);
    expect(text(bad)).toMatch(
      /^Error: InvalidInput: status: must be one of "submitting", "queued", "running", "succeeded", "failed", "cancelled", "expired" \(got "bogus"\)/,
    );
    const missing = await h.call("get_job", {});
    expect(text(missing)).toMatch(/^Error: InvalidInput: job_id: is required \(a string\)/);
    const range = await h.call("list_jobs", { limit: 500 });
    expect(text(range)).toMatch(/^Error: InvalidInput: limit: must be at most 100 \(got 500\)/);
    const mode = await h.call("get_job", { job_id: "job_x", delivery: "inline" });
    expect(text(mode)).toMatch(/^Error: InvalidInput: delivery: must be one of "embed", "link", "preview" \(got "inline"\)/);
    for (const r of [bad, missing, range, mode]) expect(text(r)).not.toMatch(/MCP error|-32602|"code":/);
  });

  it("an unknown tool and a failed job too", async () => {
    const unknown = await h.call("no_such_tool", {});
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toMatch(/^Error: InvalidParams: Tool no_such_tool not found\nWhat to do: Call a tool this server lists/);
    const misspelt = await h.call("seedream_generate_imag", {});
    expect(structured<{ message: string }>(misspelt).message).toMatch(
      /^Error: InvalidParams: Tool seedream_generate_imag not found; did you mean seedream_generate_image\?\nWhat to do: /,
    );
    const blocked = await h.call("seedream_generate_image", { prompt: "a [blocked] panda" });
    expect(blocked.isError).toBe(true);
    const first = text(blocked).split("\n")[0]!;
    expect(first).toMatch(/^Error: \S+ \(Ark, HTTP 400, request id [^)]+\): /);
    expect(structured<{ message: string }>(blocked).message).toBe(first.slice(0, 300));
  });

  it("argument and job-id failures carry structuredContent.message too, and the SDK client accepts them", async () => {
    // After tools/list the SDK Client (1.32) validates structuredContent against outputSchema, errors included (typescript-sdk#1943).
    await h.client.listTools();
    const seed = await h.call("seedance_generate_video", { prompt: "x", seed: "abc" });
    const garbage = await h.call("get_job", { job_id: "garbage" });
    const unknown = await h.call("no_such_tool", {});
    const missing = await h.call("get_job", {});
    for (const r of [seed, garbage, unknown, missing]) {
      expect(r.isError).toBe(true);
      const [first, second] = text(r).split("\n");
      expect(first).toMatch(/^Error: /);
      const todo = second?.startsWith("What to do:") ? `\n${second}` : "";
      expect(structured<{ message: string }>(r).message).toBe(`${first}${todo}`);
    }
    expect(structured<{ message: string }>(seed).message).toMatch(/^Error: InvalidInput: seed/);
    expect(structured<{ message: string }>(garbage).message).toMatch(/^Error: InvalidInput/);
  });
});

describe("links say why they were not embedded (item 15)", () => {
  it("over the budget by itself, or the budget used up by earlier files", async () => {
    const h = await startHarness({ env: { AIGC_MCP_INLINE_MAX_BYTES: "60000" }, ark: { maxRenderEdge: 512 } });
    try {
      const group = await h.call("seedream_generate_image", { prompt: "budget", size: "2048x2048", max_images: 4 });
      const sizes = jobOf(group).assets.map((a) => a.bytes);
      const why = links(group);
      expect(why.length).toBeGreaterThan(0);
      for (const d of why)
        expect(d).toMatch(
          /not embedded: (earlier files used .* of this result's inline budget|larger than the inline budget by itself) \(AIGC_MCP_INLINE_MAX_BYTES=60000\)/,
        );
      if (sizes.every((s) => s <= 60000)) expect(why.some((d) => /earlier files used/.test(d))).toBe(true);
      expect(why.join("\n")).not.toMatch(/too large to embed/);
      expect(blobChars(group)).toBeLessThanOrEqual(Math.ceil(60000 / 3) * 4);
    } finally {
      await h.close();
    }
  });

  it("embedding off: AIGC_MCP_INLINE_MAX_BYTES=0", async () => {
    const h = await startHarness({ env: { AIGC_MCP_INLINE_MAX_BYTES: "0" } });
    try {
      const r = await h.call("seedream_generate_image", { prompt: "off" });
      expect(links(r)).toEqual([expect.stringMatching(/; not embedded: embedding is off \(AIGC_MCP_INLINE_MAX_BYTES=0\)$/)]);
      const big = await h.call("seedream_generate_image", { prompt: "off", size: "2048x2048" });
      expect(links(big)[0]).toMatch(/embedding is off/);
    } finally {
      await h.close();
    }
  });
});

import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AigcError } from "../../../src/errors.js";
import { loadMediaInput, type InputPolicy } from "../../../src/media/inputs.js";
import { MediaStore } from "../../../src/media/store.js";
import { makeJpeg, makeMp4, makePng } from "../../../src/sandbox/media-fixtures.js";
import { startHarness, structured, tempDir, text, type Harness } from "../../helpers/harness.js";
import { requestsTo } from "../../helpers/results.js";

describe("local path inputs", () => {
  const root = tempDir("aigc-roots-");
  const outside = tempDir("aigc-outside-");
  const png = makePng(32, 32);
  writeFileSync(join(root, "ok.png"), png);
  writeFileSync(join(outside, "secret.png"), png);
  mkdirSync(join(root, "sub"));
  symlinkSync(join(outside, "secret.png"), join(root, "sub", "link.png"));
  const media = new MediaStore(tempDir("aigc-out-"), 10 * 1024 * 1024);
  const policy: InputPolicy = { roots: [root], maxBytes: 10 * 1024 * 1024, media };
  const rule = { field: "images[0]", accept: ["image" as const] };

  it("reads a file inside the roots and sniffs its type", async () => {
    const input = await loadMediaInput(join(root, "ok.png"), rule, policy);
    expect(input).toMatchObject({ kind: "bytes", mime: "image/png", width: 32 });
  });
  it.each([
    ["a path outside the roots", () => join(outside, "secret.png")],
    ["a ../ escape", () => join(root, "..", outside.split("/").pop()!, "secret.png")],
    ["a symlink that points outside", () => join(root, "sub", "link.png")],
    ["a file:// URL outside", () => `file://${join(outside, "secret.png")}`],
    // The same answer whether or not the file exists: a model cannot probe the disk outside the roots.
    ["a missing file outside", () => join(outside, "no-such-file.png")],
  ])("rejects %s", async (_name, path) => {
    await expect(loadMediaInput(path(), rule, policy)).rejects.toThrow(/images\[0\]: .*outside the allowed input folders/);
  });
  it("refuses local paths entirely over HTTP without roots, naming the variable", async () => {
    await expect(
      loadMediaInput(join(root, "ok.png"), rule, {
        roots: [],
        refusal: "the server runs over HTTP and AIGC_MCP_INPUT_ROOTS is not set",
        maxBytes: 1e7,
        media,
      }),
    ).rejects.toThrow(/AIGC_MCP_INPUT_ROOTS/);
  });
  it("checks size and type of data: URIs and rejects the wrong media kind", async () => {
    const uri = `data:image/png;base64,${png.toString("base64")}`;
    expect(await loadMediaInput(uri, rule, policy)).toMatchObject({ mime: "image/png" });
    await expect(loadMediaInput(uri, { ...rule, maxBytes: 10 }, policy)).rejects.toThrow(/limit is 10/);
    await expect(loadMediaInput(uri, { ...rule, accept: ["video"] }, policy)).rejects.toThrow(/image\/png; expected video/);
    await expect(loadMediaInput(uri, { ...rule, mimes: ["image/jpeg"] }, policy)).rejects.toThrow(/allowed: image\/jpeg/);
  });
  it("accepts percent-encoded data: URIs (RFC 2397) as bytes, under the same checks", async () => {
    const encoded = [...png].map((b) => (b >= 0x41 && b <= 0x5a ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, "0")}`)).join("");
    const uri = `data:image/png,${encoded}`;
    expect(await loadMediaInput(uri, rule, policy)).toMatchObject({ kind: "bytes", mime: "image/png", width: 32 });
    expect(((await loadMediaInput(uri, rule, policy)) as { data: Buffer }).data.equals(png)).toBe(true);
    await expect(loadMediaInput(uri, { ...rule, maxBytes: 10 }, policy)).rejects.toThrow(/limit is 10/);
    const jpeg = makeJpeg(8, 8);
    const jpegUri = `data:image/jpeg;name=a.jpg,${[...jpeg].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join("")}`;
    expect(await loadMediaInput(jpegUri, rule, policy)).toMatchObject({ mime: "image/jpeg" });
    const head = await loadMediaInput("data:image/jpeg,%FF%D8%FF", rule, policy);
    expect((head as { data: Buffer }).data).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    await expect(loadMediaInput("data:text/plain,hello%20world", rule, policy)).rejects.toThrow(
      /images\[0\]: data URI is not a recognised media file/,
    );
    await expect(loadMediaInput("data:image/png;base64", rule, policy)).rejects.toThrow(/is not a valid data: URI/);
    // A base64 data: URI passed through encodeURIComponent (%2B, %2F, %3D) decodes as browsers decode it.
    const escaped = `data:image/png;base64,${encodeURIComponent(png.toString("base64"))}`;
    expect(escaped).toMatch(/%2[BF]|%3D/);
    expect(((await loadMediaInput(escaped, rule, policy)) as { data: Buffer }).data.equals(png)).toBe(true);
  });
  it("reads a base64 data: URI's data strictly: whitespace and the URL-safe alphabet pass, anything else is refused", async () => {
    const b64 = png.toString("base64");
    const wrapped = `data:image/png;base64,${b64.replace(/(.{76})/g, "$1\r\n")}`;
    expect(((await loadMediaInput(wrapped, rule, policy)) as { data: Buffer }).data.equals(png)).toBe(true);
    const urlSafe = `data:image/png;base64,${png.toString("base64url")}`;
    expect(((await loadMediaInput(urlSafe, rule, policy)) as { data: Buffer }).data.equals(png)).toBe(true);
    for (const bad of ["@@@@", `${b64.slice(0, 40)}!${b64.slice(40)}`, `${b64}=`, `${b64.slice(0, 41)}`, `AAAA=AAA`])
      await expect(loadMediaInput(`data:image/png;base64,${bad}`, rule, policy), bad.slice(0, 20)).rejects.toThrow(
        /^images\[0\]: data URI is not valid base64 \(only A-Z, a-z, 0-9, \+ and \/ or - and _, with = padding at the end; whitespace is ignored\)/,
      );
  });
  it("refuses data: URIs joined by a comma, saying it cannot be split and how to send several", async () => {
    const uri = `data:image/png;base64,${png.toString("base64")}`;
    await expect(loadMediaInput(`${uri},${uri}`, rule, policy)).rejects.toThrow(
      'images[0]: holds several data: URIs joined by a comma; a data: URI cannot be split (its own data follows a comma), so send the images as a JSON array: ["data:…;base64,…", "data:…;base64,…"]',
    );
    await expect(loadMediaInput(`${uri}, ${uri}`, { ...rule, field: "first_frame" }, policy)).rejects.toThrow(
      /^first_frame: holds several data: URIs joined by a comma; .*send one here, and several only where a list is taken, as a JSON array$/,
    );
    const percent = `data:image/png,${[...png].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("")}`;
    await expect(loadMediaInput(`${percent},${percent}`, rule, policy)).rejects.toThrow(/cannot be split/);
  });
  it("refuses a URI of an unsupported scheme, listing what is accepted, instead of reading it as a relative path", async () => {
    for (const uri of ["ftp://example.com/a.jpg", "s3://bucket/a.mp3", "asset://abc", "media://other/a.png"])
      await expect(loadMediaInput(uri, rule, policy), uri).rejects.toThrow(
        new RegExp(
          `^images\\[0\\]: "${uri.replace(/[.]/g, "\\.")}" uses the \\w+:// scheme, which is not accepted here; pass an http\\(s\\) URL, a data: URI, a media://files/… URI of an earlier output or a local file path$`,
        ),
      );
    // Without "//" it reads as a relative path (a file may have that name); the missing file's message names the scheme.
    await expect(loadMediaInput("blob:http://x/abc", rule, { ...policy, roots: [process.cwd()] })).rejects.toThrow(
      /does not exist \(if "blob:http:\/\/x\/abc" is a URI, the blob: scheme is not accepted here/,
    );
    await expect(loadMediaInput("s3://bucket/a.png", { ...rule, references: ["asset"] }, policy)).rejects.toThrow(
      /, a vendor reference \(asset:\/\/…\) or/,
    );
    expect(await loadMediaInput("asset://abc", { ...rule, references: ["asset"] }, policy)).toEqual({ kind: "url", url: "asset://abc" });
  });
  it("reads a long path of base64 characters as a path, and base64 that starts with / as base64", async () => {
    const b64root = tempDir("aigcb");
    const dir = join(b64root, "d".repeat(240));
    mkdirSync(dir);
    writeFileSync(join(dir, "photo"), png);
    const local = { ...policy, roots: [b64root] };
    expect(join(dir, "photo").length).toBeGreaterThan(256);
    expect(await loadMediaInput(join(dir, "photo"), rule, local)).toMatchObject({ kind: "bytes", mime: "image/png" });
    await expect(loadMediaInput(join(dir, "nophoto"), rule, local)).rejects.toThrow(/images\[0\]: file \S+\/nophoto does not exist/);
    const jpeg = makeJpeg(64, 64).toString("base64");
    expect(jpeg.startsWith("/9j/")).toBe(true);
    expect(await loadMediaInput(jpeg, rule, local)).toMatchObject({ kind: "bytes", mime: "image/jpeg" });
  });
  it("passes http(s) URLs through without fetching", async () => {
    expect(await loadMediaInput("https://example.com/a.png", rule, policy)).toEqual({ kind: "url", url: "https://example.com/a.png" });
  });
});

describe("media store", () => {
  it("refuses media:// names that escape the folder", async () => {
    const store = new MediaStore(tempDir("aigc-store-"), 1024 * 1024);
    await expect(store.resolve("media://files/..%2F..%2Fetc%2Fpasswd")).rejects.toThrow(
      /was not found among the files this server generated/,
    );
    await expect(store.resolve("media://files/missing.png")).rejects.toThrow(/was not found among the files this server generated/);
  });
  it("enforces the size cap while streaming and leaves no partial file", async () => {
    const dir = tempDir("aigc-store-");
    const store = new MediaStore(dir, 1000);
    await expect(store.saveBuffer(makeJpeg(256, 256), { stem: "big", expect: "image", vendor: "test" })).rejects.toThrow(/cap/);
    const { readdirSync } = await import("node:fs");
    expect(readdirSync(dir)).toEqual([]);
  });
  it("saves media of another kind than expected (the vendor billed them), and logs it", async () => {
    const store = new MediaStore(tempDir("aigc-store-"), 1024 * 1024);
    const asset = await store.saveBuffer(makeMp4(), { stem: "v", expect: "image", vendor: "test" });
    expect(asset).toMatchObject({ mime_type: "video/mp4" });
    expect(asset.path).toMatch(/v\.mp4$/);
  });
  it("refuses bytes of the wrong kind (an HTML error page instead of a video)", async () => {
    const store = new MediaStore(tempDir("aigc-store-"), 1024 * 1024);
    await expect(store.saveBuffer(Buffer.from("<html>denied</html>"), { stem: "x", expect: "video", vendor: "test" })).rejects.toThrow(
      /expected video data but received .*<html>/,
    );
  });
});

describe("media delivery in results", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { AIGC_MCP_INLINE_MAX_BYTES: "60000" }, ark: { maxRenderEdge: 512 } });
  });
  afterAll(() => h.close());

  it("embeds assets while within the inline budget and links the rest", async () => {
    const r = await h.call("seedream_generate_image", { prompt: "budget", size: "2048x2048", max_images: 4 });
    const s = structured<{ assets: Array<{ bytes: number; uri: string }> }>(r);
    expect(s.assets).toHaveLength(4);
    const embedded = r.content.filter((c) => c.type === "resource");
    const linked = r.content.filter((c) => c.type === "resource_link");
    expect(embedded.length + linked.length).toBe(4);
    const embeddedBytes = embedded.reduce(
      (n, c) => n + Buffer.from((c as { resource: { blob: string } }).resource.blob, "base64").length,
      0,
    );
    expect(embeddedBytes).toBeLessThanOrEqual(60000);
    expect(linked.length).toBeGreaterThan(0);
    for (const c of linked) expect((c as { uri: string }).uri).toMatch(/^media:\/\/files\//);
    // whole result stays far below Claude Desktop's 1 MiB
    expect(JSON.stringify(r).length).toBeLessThan(1024 * 1024);
  });

  it("serves media:// URIs through resources/read and lists them", async () => {
    const r = await h.call("seedream_generate_image", { prompt: "read me" });
    const asset = structured<{ assets: Array<{ uri: string; sha256: string; mime_type: string }> }>(r).assets[0]!;
    const read = await h.client.readResource({ uri: asset.uri });
    const content = read.contents[0] as { blob: string; mimeType: string };
    expect(content.mimeType).toBe("image/jpeg");
    const { createHash } = await import("node:crypto");
    expect(createHash("sha256").update(Buffer.from(content.blob, "base64")).digest("hex")).toBe(asset.sha256);
    const listed = await h.client.listResources();
    expect(listed.resources.map((x) => x.uri)).toContain(asset.uri);
    await expect(h.client.readResource({ uri: "media://files/..%2Fsecret" })).rejects.toThrow();
  });

  it("accepts an earlier output as a media:// input", async () => {
    const r = await h.call("seedream_generate_image", { prompt: "first" });
    const uri = structured<{ assets: Array<{ uri: string }> }>(r).assets[0]!.uri;
    const r2 = await h.call("seedance_generate_video", { prompt: "animate it", first_frame: uri, wait_seconds: 20 });
    expect(structured(r2)).toMatchObject({ status: "succeeded" });
    const sent = requestsTo(h.ark, (x) => x.path.endsWith("/tasks") && x.method === "POST").pop()!;
    const content = (sent.json as { content: Array<{ role?: string; image_url?: { url: string } }> }).content;
    expect(content.find((c) => c.role === "first_frame")!.image_url!.url).toMatch(/^data:image\/jpeg;base64,/);
    expect(text(r2)).toContain(".mp4");
  });
});

describe("this server's own download links as inputs", () => {
  let h: Harness;
  beforeAll(async () => {
    const env = { AIGC_MCP_TRANSPORT: "http", AIGC_MCP_PUBLIC_URL: "http://127.0.0.1:8080", AIGC_MCP_MEDIA_URL_SECRET: "m".repeat(64) };
    h = await startHarness({ env });
  });
  afterAll(() => h.close());

  it("reads the output a download_url names from the output folder, even once the link has expired", async () => {
    const asset = structured<{ assets: Array<{ uri: string; download_url: string }> }>(
      await h.call("seedream_generate_image", { prompt: "first" }),
    ).assets[0]!;
    const name = asset.uri.slice(asset.uri.lastIndexOf("/") + 1);
    const expired = (await h.app.links!.link(name, Date.now() - 30 * 24 * 3600_000)).url;
    for (const url of [asset.download_url, expired]) {
      const r = await h.call("seedance_generate_video", { prompt: "animate it", first_frame: url, wait_seconds: 20 });
      expect(structured(r), text(r)).toMatchObject({ status: "succeeded" });
      const sent = requestsTo(h.ark, (x) => x.path.endsWith("/tasks") && x.method === "POST").pop()!;
      const content = (sent.json as { content: Array<{ role?: string; image_url?: { url: string } }> }).content;
      expect(content.find((c) => c.role === "first_frame")!.image_url!.url).toMatch(/^data:image\/jpeg;base64,/);
    }
  });

  it("takes a link cut short or with another signature as its output too, and says when the output it names is not here", async () => {
    const asset = structured<{ assets: Array<{ uri: string; download_url: string }> }>(
      await h.call("seedream_generate_image", { prompt: "second" }),
    ).assets[0]!;
    for (const url of [asset.download_url.replace(/sig=[^&]+/, "sig=AAAA"), asset.download_url.split("?")[0]!]) {
      const r = await h.call("seedance_generate_video", { prompt: "animate it", first_frame: url, wait_seconds: 20 });
      expect(structured(r), text(r)).toMatchObject({ status: "succeeded" });
    }
    const unknown = (await h.app.links!.link("nothing.jpg")).url;
    const r2 = await h.call("seedance_generate_video", { prompt: "animate it", first_frame: unknown });
    expect(text(r2)).toMatch(
      /^Error: InvalidInput.*first_frame: media:\/\/files\/nothing\.jpg was not found among the files this server generated/,
    );
    // Another path on the same host is any other URL: on a loopback host, refused before any request.
    const other = await h.call("seedance_generate_video", { prompt: "animate it", first_frame: "http://127.0.0.1:8080/files/x.jpg" });
    expect(text(other)).toMatch(/^Error: UnreachableUrl: first_frame: http:\/\/127\.0\.0\.1:8080\/files\/x\.jpg is on 127\.0\.0\.1:8080/);
  });

  it("prices a reference video given by its download_url as by its media:// URI: read here, not a URL of unknown length", async () => {
    const video = structured<{ assets: Array<{ uri: string; download_url: string }> }>(
      await h.call("seedance_generate_video", { prompt: "a kite", wait_seconds: 20 }),
    ).assets[0]!;
    const quote = async (ref: string) =>
      structured<{ cost: { estimated: number; basis: string; lower_bound?: boolean } }>(
        await h.call("estimate_cost", { tool: "seedance_generate_video", arguments: { prompt: "extend it", reference_videos: [ref] } }),
      ).cost;
    const byUri = await quote(video.uri);
    expect(byUri.basis).toMatch(/s of input video/);
    expect(await quote(video.download_url)).toEqual(byUri);
    expect((await quote("https://cdn.example.com/v.mp4")).basis).toMatch(/whose length is not known/);
  });
});

describe("a job store that does not answer", () => {
  it("resources/list, resources/read and a media:// input say so with the store's code, not that the file was not found", async () => {
    const h = await startHarness();
    try {
      const down = new AigcError({ category: "local", code: "RedisUnavailable", message: "the job store did not answer" });
      h.app.media.generated = () => Promise.reject(down);
      h.app.media.recent = () => Promise.reject(down);
      await expect(h.client.listResources()).rejects.toThrow(/Error: RedisUnavailable: the job store did not answer/);
      const uri = "media://files/20261203-000000-ark-image-00000000-1.png";
      const err = await h.client.readResource({ uri }).then(
        () => undefined,
        (e: { code?: number; message: string }) => e,
      );
      expect(err?.code).not.toBe(-32002);
      expect(err?.message).toMatch(/Error: RedisUnavailable: the job store did not answer/);
      const r = await h.call("seedance_generate_video", { prompt: "animate it", first_frame: uri, wait_seconds: 0 });
      expect(text(r)).toMatch(/^Error: RedisUnavailable: the job store did not answer/);
    } finally {
      await h.close();
    }
  });
});

describe("resources/read size limit", () => {
  it("refuses files over the limit and points at the path", async () => {
    const h = await startHarness();
    try {
      const { writeFileSync } = await import("node:fs");
      const { makeMp4 } = await import("../../../src/sandbox/media-fixtures.js");
      const { RESOURCE_READ_MAX_BYTES } = await import("../../../src/server.js");
      const name = "big-video.mp4";
      writeFileSync(join(h.dir, name), makeMp4({ padBytes: RESOURCE_READ_MAX_BYTES + 1 }));
      h.app.media.generated = (n) => Promise.resolve(n === name ? { name } : undefined); // as if a job had saved it
      await expect(h.client.readResource({ uri: `media://files/${name}` })).rejects.toThrow(new RegExp(`read the file at .*${name}`));
    } finally {
      await h.close();
    }
  });
});

describe("partial download cleanup", () => {
  it("removes stale .part files and keeps fresh ones and real media", async () => {
    const { utimesSync, writeFileSync, readdirSync } = await import("node:fs");
    const dir = tempDir("aigc-sweep-");
    const store = new MediaStore(dir, 1024);
    writeFileSync(join(dir, ".old.abcd.part"), "x");
    writeFileSync(join(dir, ".new.abcd.part"), "x");
    writeFileSync(join(dir, "kept.png"), makePng(4, 4));
    const past = (Date.now() - 2 * 3600_000) / 1000;
    utimesSync(join(dir, ".old.abcd.part"), past, past);
    expect(await store.sweepPartials()).toBe(1);
    expect(readdirSync(dir).sort()).toEqual([".new.abcd.part", "kept.png"]);
  });
});

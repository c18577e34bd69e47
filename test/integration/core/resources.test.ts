/**
 * resources/list and resources/read serve only the files this server generated (known to its job
 * store). Any other name answers the same "not found" whether or not such a file exists: a
 * notes.txt in the output folder, path tricks (.., encoded slashes, a subfolder) and symlinks.
 */
import { EventEmitter } from "node:events";
import { mkdirSync, renameSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countProcessMedia } from "../../../src/net/outbound-bodies.js";
import { BodyBudget } from "../../../src/transports/body-budget.js";
import { startHarness, structured, tempDir, text, type Harness } from "../../helpers/harness.js";

const MB = 1 << 20;

async function readError(h: Harness, uri: string): Promise<{ code: number; message: string }> {
  try {
    await h.client.readResource({ uri });
  } catch (err) {
    const e = err as { code: number; message: string };
    return { code: e.code, message: e.message };
  }
  throw new Error(`${uri} was served`);
}

describe("resources serve generated files only", () => {
  let h: Harness;
  let generated: { uri: string; path: string };
  const outside = tempDir("aigc-outside-");
  beforeAll(async () => {
    h = await startHarness();
    const r = await h.call("seedream_generate_image", { prompt: "a generated file" });
    generated = structured<{ assets: Array<{ uri: string; path: string }> }>(r).assets[0]!;
    writeFileSync(join(h.dir, "notes.txt"), "private notes");
    writeFileSync(join(h.dir, "photo.jpg"), "not generated either");
    mkdirSync(join(h.dir, "sub"));
    writeFileSync(join(h.dir, "sub", "notes.txt"), "private notes");
    writeFileSync(join(outside, "secret.txt"), "outside the folder");
    symlinkSync(join(outside, "secret.txt"), join(h.dir, "link.txt"));
  });
  afterAll(() => h.close());

  it("lists only generated files", async () => {
    const uris = (await h.client.listResources()).resources.map((r) => r.uri);
    expect(uris).toEqual([generated.uri]);
  });

  it("serves a generated file", async () => {
    const read = await h.client.readResource({ uri: generated.uri });
    expect((read.contents[0] as { blob: string }).blob.length).toBeGreaterThan(0);
  });

  it("waits for room before it reads a file, as media read for calls do, and says Busy when none comes", async () => {
    const budget = new BodyBudget(MB, 300);
    const owner = new EventEmitter();
    countProcessMedia(budget, owner);
    try {
      const full = budget.holdSending(MB); // the server's requests to vendors leave no room
      const t0 = Date.now();
      const err = await readError(h, generated.uri);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
      const size = statSync(generated.path).size;
      expect(err.message).toBe(
        `MCP error -32603: Busy: ${generated.uri} (${size} bytes) was not read: other calls and reads hold 0 bytes of media loaded and the server ${MB} of its own requests to vendors (each up to AIGC_MCP_MAX_BODY_BYTES_IN_FLIGHT, ${MB}), and no room for ${size} more came within 0.3 s; read it again in a few seconds`,
      );
      full();
      const reading = h.client.readResource({ uri: generated.uri });
      expect(((await reading).contents[0] as { blob: string }).blob.length).toBeGreaterThan(0);
      // Counted while read, given back once answered.
      expect(budget.inLoading).toBe(0);
    } finally {
      owner.emit("close");
    }
  });

  it("answers the same not-found for other files, missing files and path tricks", async () => {
    const uris = [
      "media://files/notes.txt",
      "media://files/photo.jpg",
      "media://files/missing.txt",
      "media://files/..%2Fnotes.txt",
      "media://files/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
      "media://files/sub%2Fnotes.txt",
      "media://files/sub%5Cnotes.txt",
      "media://files/link.txt",
      "media://files/%25",
      // URIs no resource of this server matches: the SDK's own refusal, as plain and with the same code.
      "media://files/a/b.png",
      "file:///etc/passwd",
    ];
    for (const uri of uris) {
      const e = await readError(h, uri);
      expect(e.code, uri).toBe(-32002);
      expect(e.message, uri).toBe(`MCP error -32002: Resource ${uri} not found`);
      expect(e.message, uri).not.toMatch(/exist|outside|private notes|secret/);
      expect(e.message, uri).not.toContain(h.dir);
    }
  });

  it("answers a uri that is no URI at all as invalid params, not as an internal error", async () => {
    // The SDK's own URL parse threw, answered as -32603 "Invalid URL".
    for (const uri of ["not a uri", "files/notes.txt", ""]) {
      const e = await readError(h, uri);
      expect(e.code, uri).toBe(-32602);
      expect(e.message, uri).toMatch(/^MCP error -32602: Invalid params: uri is not a URI; .*media:\/\/files\//);
    }
  });

  it("does not follow a generated name swapped for a symlink", async () => {
    renameSync(generated.path, generated.path + ".moved");
    symlinkSync(join(outside, "secret.txt"), generated.path);
    const e = await readError(h, generated.uri);
    expect(e.code).toBe(-32002);
    expect((await h.client.listResources()).resources).toEqual([]);
  });

  it("does not serve a generated name emptied, as no output this server saved is empty", async () => {
    const r = await h.call("seedream_generate_image", { prompt: "a file emptied later" });
    const asset = structured<{ assets: Array<{ uri: string; path: string }> }>(r).assets[0]!;
    writeFileSync(asset.path, "");
    expect((await readError(h, asset.uri)).code).toBe(-32002);
    // Given as an input, it says not found too, not that the server never made it.
    const input = await h.call("seedance_generate_video", { prompt: "animate it", first_frame: asset.uri, wait_seconds: 0 });
    expect(input.isError).toBe(true);
    expect(text(input)).toMatch(
      /^Error: .*first_frame: media:\/\/files\/\S+ was not found among the files this server generated \(unknown, removed or changed since\)/,
    );
  });

  it("does not serve a generated file changed since it was saved (another size): those are not the bytes generated", async () => {
    const r = await h.call("seedream_generate_image", { prompt: "a file edited later" });
    const asset = structured<{ assets: Array<{ uri: string; path: string; bytes: number }> }>(r).assets[0]!;
    expect((await h.client.readResource({ uri: asset.uri })).contents).toHaveLength(1);
    writeFileSync(asset.path, Buffer.alloc(asset.bytes + 5, 1));
    expect((await readError(h, asset.uri)).code).toBe(-32002);
    expect((await h.client.listResources()).resources.map((x) => x.uri)).not.toContain(asset.uri); // listed only as served
    const input = await h.call("seedance_generate_video", { prompt: "animate it", first_frame: asset.uri, wait_seconds: 0 });
    expect(text(input)).toMatch(/^Error: .*first_frame: media:\/\/files\/\S+ was not found .*\(unknown, removed or changed since\)/);
  });
});

/**
 * Issue 12 delivery=preview, the preview maker itself (src/media/preview.ts): transparency kept as
 * WebP, a huge image previewed without stalling the event loop, images over the pixel limit and
 * undecodable files refused with a reason, and concurrent calls sharing one encoding.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { imageSize } from "image-size";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import type { Asset } from "../../src/jobs/types.js";
import { PREVIEW_DIR, PREVIEW_MAX_BYTES, previewOf, type PreviewOutcome } from "../../src/media/preview.js";
import { tempDir } from "../helpers/harness.js";

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function saved(name: string, data: Buffer, mime: string): { asset: Asset; source: () => Promise<string> } {
  const path = join(dir, name);
  writeFileSync(path, data);
  const asset: Asset = {
    uri: `media://files/${name}`,
    mime_type: mime,
    bytes: data.length,
    sha256: createHash("sha256").update(data).digest("hex"),
    path,
  };
  return { asset, source: () => Promise.resolve(path) };
}

function shown(p: PreviewOutcome): { data: Buffer; mimeType: string } {
  if (!("data" in p)) throw new Error(`no preview: ${p.none}`);
  return p;
}

describe("previewOf", () => {
  it("keeps transparency: a PNG with alpha becomes a WebP with alpha", async () => {
    const png = await sharp({ create: { width: 1200, height: 600, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0.5 } } })
      .png()
      .toBuffer();
    const { asset, source } = saved("alpha.png", png, "image/png");
    const p = shown(await previewOf(dir, asset, source));
    expect(p.mimeType).toBe("image/webp");
    const meta = await sharp(p.data).metadata();
    expect(meta).toMatchObject({ format: "webp", width: 512, height: 256, hasAlpha: true });
    expect(readFileSync(asset.path!)).toEqual(png);
  });

  it("an 8000x8000 image is previewed off the event loop", async () => {
    const big = await sharp({ create: { width: 8000, height: 8000, channels: 3, background: "#3366cc" } })
      .png({ compressionLevel: 1 })
      .toBuffer();
    const { asset, source } = saved("huge.png", big, "image/png");
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const p = shown(await previewOf(dir, asset, source));
    lag.disable();
    expect(imageSize(p.data)).toMatchObject({ width: 512, height: 512 });
    expect(p.data.length).toBeLessThanOrEqual(PREVIEW_MAX_BYTES);
    // Decoding 64 megapixels takes far longer than this; only work on the thread pool keeps the loop free.
    expect(lag.max / 1e6).toBeLessThan(250);
  });

  it("says why there is no preview: over the pixel limit, not decodable, not an image", async () => {
    // A PNG header claiming 12000x12000 (144 megapixels: under sharp's own default limit, over ours): refused from the header, before decoding.
    const header = await sharp({ create: { width: 16, height: 16, channels: 3, background: "#000" } })
      .png()
      .toBuffer();
    header.writeUInt32BE(12000, 16);
    header.writeUInt32BE(12000, 20);
    const huge = saved("claims-huge.png", header, "image/png");
    expect(await previewOf(dir, huge.asset, huge.source)).toEqual({ none: "it is over 100 megapixels" });
    const junk = saved("junk.png", Buffer.from("not an image at all"), "image/png");
    expect(await previewOf(dir, junk.asset, junk.source)).toEqual({ none: expect.stringMatching(/^it could not be decoded \(/) });
    const audio = saved("a.mp3", Buffer.from("ID3"), "audio/mpeg");
    expect(await previewOf(dir, audio.asset, audio.source)).toEqual({ none: "audio files have no preview" });
  });

  it("concurrent calls for one file share one encoding and one cached file", async () => {
    const jpeg = await sharp({ create: { width: 1024, height: 768, channels: 3, background: "#808000" } })
      .jpeg()
      .toBuffer();
    const { asset } = saved("twice.jpg", jpeg, "image/jpeg");
    let reads = 0;
    const source = () => {
      reads++;
      return Promise.resolve(asset.path);
    };
    const [a, b] = await Promise.all([previewOf(dir, asset, source), previewOf(dir, asset, source)]);
    expect(shown(a).data).toEqual(shown(b).data);
    expect(reads).toBe(1);
    expect(readdirSync(join(dir, PREVIEW_DIR)).filter((n) => n.startsWith("twice.jpg."))).toHaveLength(1);
    expect(shown(await previewOf(dir, asset, source)).data).toEqual(shown(a).data);
    expect(reads).toBe(1);
  });
});

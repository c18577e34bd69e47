/**
 * Small previews of generated images for delivery=preview (issue 12): the image downscaled to fit
 * PREVIEW_EDGE on its long side, as JPEG (or WebP when it has transparency), at a quality that
 * lands under PREVIEW_MAX_BYTES. Made the first time a result asks for it and cached in
 * `.aigc-mcp/previews/` under the output folder (named after the file and its sha256), so a
 * later call reuses it and the saved original is never touched. sharp decodes and encodes on
 * libuv's thread pool, so a huge image does not stall the event loop; it is loaded lazily, so a
 * server that never previews never loads it.
 */
import { randomBytes } from "node:crypto";
import { readFile, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Asset } from "../jobs/types.js";
import { loadPackage } from "../load-package.js";
import { mediaName } from "./media-uri.js";
import { makeDirs } from "../make-dirs.js";

/** Largest preview sent: small enough for any client's context and Claude Desktop's limits. */
export const PREVIEW_MAX_BYTES = 96 * 1024;
/** The long side of a preview, in pixels (smaller images keep their size). */
export const PREVIEW_EDGE = 512;
/** Images over this many pixels get no preview (sharp's limitInputPixels): decoding them costs too much memory. */
export const PREVIEW_MAX_INPUT_PIXELS = 100_000_000;
/** Where previews are kept, under the output folder. */
export const PREVIEW_DIR = ".aigc-mcp/previews";

const PREVIEWABLE = new Set(["image/jpeg", "image/png", "image/webp", "image/gif"]);
const QUALITIES = [75, 55, 35];

export interface Preview {
  data: Buffer;
  mimeType: "image/jpeg" | "image/webp";
}

/** A preview, or why there is none (a sentence fragment for the result's text). */
export type PreviewOutcome = Preview | { none: string };

/** Previews being made now, by cache path: concurrent calls for one file share one encoding. */
const making = new Map<string, Promise<PreviewOutcome>>();

type Sharp = (typeof import("sharp"))["default"];
let sharpModule: Promise<Sharp> | undefined;
function loadSharp(): Promise<Sharp> {
  sharpModule ??= loadPackage<typeof import("sharp")>("sharp").then((m) => {
    const sharp = m.default;
    sharp.cache(false); // no file handles or decoded images kept between calls
    return sharp;
  });
  return sharpModule;
}

/**
 * The preview of `asset`, cached under `outputDir`; `source` finds the file's bytes when the
 * preview is not cached yet. Never throws: a file that is not an image, cannot be decoded or is
 * too large gets `{ none: why }`.
 */
export async function previewOf(outputDir: string, asset: Asset, source: () => Promise<string | undefined>): Promise<PreviewOutcome> {
  if (!PREVIEWABLE.has(asset.mime_type)) {
    const kind = asset.mime_type.split("/")[0];
    return { none: kind === "video" ? "videos have no preview (no vendor sends a cover image)" : `${kind} files have no preview` };
  }
  const name = mediaName(asset.uri);
  const stem = join(outputDir, PREVIEW_DIR, `${name}.${asset.sha256.slice(0, 12)}`);
  for (const [ext, mimeType] of [
    ["jpg", "image/jpeg"],
    ["webp", "image/webp"],
  ] as const) {
    const cached = await readFile(`${stem}.${ext}`).catch(() => undefined);
    if (cached) return { data: cached, mimeType };
  }
  let pending = making.get(stem);
  if (!pending) {
    pending = source()
      .then((path) => (path ? make(path, stem) : { none: "the file could not be read back from the output folder or the bucket" }))
      .finally(() => making.delete(stem));
    making.set(stem, pending);
  }
  return pending;
}

async function make(source: string, stem: string): Promise<PreviewOutcome> {
  let sharp: Sharp;
  try {
    sharp = await loadSharp();
  } catch {
    return { none: "the image library (sharp) is not available on this machine" };
  }
  try {
    const image = sharp(source, { limitInputPixels: PREVIEW_MAX_INPUT_PIXELS, failOn: "error" });
    const { hasAlpha } = await image.metadata();
    // Transparency survives as WebP; everything else is JPEG, which every client shows.
    const mimeType = hasAlpha ? "image/webp" : "image/jpeg";
    const resized = image.rotate().resize(PREVIEW_EDGE, PREVIEW_EDGE, { fit: "inside", withoutEnlargement: true }).toColourspace("srgb");
    let data: Buffer | undefined;
    for (const quality of QUALITIES) {
      const out = await (hasAlpha ? resized.clone().webp({ quality }) : resized.clone().jpeg({ quality, mozjpeg: true })).toBuffer();
      if (out.length <= PREVIEW_MAX_BYTES) {
        data = out;
        break;
      }
    }
    if (!data) return { none: `even at low quality its preview is over ${PREVIEW_MAX_BYTES} bytes` };
    await keep(`${stem}.${hasAlpha ? "webp" : "jpg"}`, data);
    return { data, mimeType };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      none: /pixel limit/i.test(message)
        ? `it is over ${PREVIEW_MAX_INPUT_PIXELS / 1e6} megapixels`
        : `it could not be decoded (${message.split("\n")[0]!.slice(0, 120)})`,
    };
  }
}

/** Writes the preview under a temp name and renames it, so a reader never sees half a file. A failed write only costs the cache. */
async function keep(path: string, data: Buffer): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString("hex")}.part`;
  try {
    await makeDirs(join(path, ".."));
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch {
    await unlink(tmp).catch(() => undefined);
  }
}

/**
 * How media reach the client (issue 12): the one `delivery` argument, added by registerTool to every
 * tool whose output carries assets, and the content blocks each mode builds.
 *
 * - embed: each file as an embedded resource while AIGC_MCP_INLINE_MAX_BYTES lasts, a resource_link
 *   for the rest (each link says why it was not embedded).
 * - link: no file data and no resource_link blocks (LangChain turns those into file blocks its chat
 *   models refuse); the text already gives every path, media:// URI and vendor URL.
 * - preview: link, plus each image the model can see as a small `image` block: downscaled to fit
 *   PREVIEW_EDGE px and under PREVIEW_MAX_BYTES, made once and cached (src/media/preview.ts); all
 *   of a result's previews within its embed budget, the first one always (none with a budget of 0).
 */
import { realpath } from "node:fs/promises";
import { dirname } from "node:path";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { DELIVERY_MODES, type DeliveryMode } from "../config.js";
import type { Asset } from "../jobs/types.js";
import { stateWords, type FileState } from "../media/file-state-words.js";
import { PREVIEW_EDGE, PREVIEW_MAX_BYTES, type PreviewOutcome } from "../media/preview.js";
import { openWithin, readOpened } from "../media/open-file.js";

export { PREVIEW_MAX_BYTES };

export const deliverySchema = z.enum(DELIVERY_MODES).optional();

/** A tool returns media when its output carries assets (every generation tool and the job tools). */
export function returnsMedia(output: z.ZodRawShape): boolean {
  return "assets" in output;
}

type Block = CallToolResult["content"][number];

/**
 * An asset as a result shows it: with a fresh `download_url` when one is configured, and what became
 * of its file since it was saved. `maybeElsewhere`, for the words only (never in structuredContent):
 * a missing file this server cannot tell from one in another replica's folder.
 */
export type RenderedAsset = Asset & { download_url?: string; download_expires_at?: string; file?: FileState; maybeElsewhere?: true };

/** Where an asset's bytes can be read on this machine, if anywhere. */
export type LocalPath = (asset: RenderedAsset) => Promise<string | undefined>;

/** The bytes of an asset this process has just saved, still in memory (media/fresh-bytes.ts), if any. */
export type HeldBytes = (asset: Asset) => Buffer | undefined;

/** The cached preview of an asset; `source` finds its bytes when the preview is not made yet (src/media/preview.ts). */
export type PreviewFn = (asset: Asset, source: () => Promise<string | undefined>) => Promise<PreviewOutcome>;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

async function readWhole(asset: RenderedAsset, localPath: LocalPath): Promise<Buffer | undefined> {
  const path = await localPath(asset);
  const folder = path && (await realpath(dirname(path)).catch(() => undefined));
  // As opened, like every local read (media/open-file.ts): a link swapped in for the file is not followed.
  const file = folder ? await openWithin(path, [folder]) : undefined;
  if (!file || typeof file === "string") return undefined;
  try {
    return file.size === asset.bytes ? await readOpened(file, file.size) : undefined;
  } finally {
    await file.fh.close().catch(() => undefined);
  }
}

/**
 * The content blocks for a job's assets in the given mode, and notes for the text (why a file was
 * linked or has no preview). `inlineMaxBytes` is the embed budget for this one result.
 */
export async function assetBlocks(
  assets: RenderedAsset[],
  mode: DeliveryMode,
  inlineMaxBytes: number,
  localPath: LocalPath,
  preview: PreviewFn,
  held: HeldBytes = () => undefined,
): Promise<{ blocks: Block[]; notes: string[] }> {
  const blocks: Block[] = [];
  const notes: string[] = [];
  if (mode === "link") {
    if (assets.some((a) => !lost(a)))
      notes.push(
        assets.some((a) => a.download_url)
          ? "Links only (delivery=link): fetch a file by its download URL (plain HTTP, no token), or read its media:// URI with resources/read."
          : "Links only (delivery=link): open a file by its path, or read its media:// URI with resources/read.",
      );
    return { blocks, notes };
  }
  if (mode === "preview") {
    const without: string[] = [];
    // The previews share the result's embed budget (Claude Desktop refuses a result over 1 MiB); the first always goes.
    let left = inlineMaxBytes;
    for (const asset of assets) {
      const name = asset.uri.split("/").pop() ?? asset.uri;
      // Never a preview of other bytes than the ones generated, nor of a file nothing serves any more.
      const shown = lost(asset) ? { none: notKept(asset, asset.file!) } : await preview(asset, () => localPath(asset));
      if (!("data" in shown)) without.push(`No preview for ${name}: ${shown.none}.`);
      else if (inlineMaxBytes === 0 || (blocks.length && shown.data.length > left))
        without.push(
          inlineMaxBytes === 0
            ? `No preview for ${name}: AIGC_MCP_INLINE_MAX_BYTES is 0 (links only); open the file above.`
            : `No preview for ${name}: the previews before it used ${formatBytes(inlineMaxBytes - left)} of this result's ${formatBytes(inlineMaxBytes)} (AIGC_MCP_INLINE_MAX_BYTES); open the file above, or raise that limit.`,
        );
      else {
        blocks.push({ type: "image", data: shown.data.toString("base64"), mimeType: shown.mimeType });
        left -= shown.data.length;
      }
    }
    if (blocks.length)
      notes.push(
        `Preview${blocks.length > 1 ? "s" : ""} (delivery=preview): downscaled to fit ${PREVIEW_EDGE} px; the full file${assets.length > 1 ? "s are" : " is"} at the ${assets.some((a) => a.file || !a.path) ? "" : "path and "}media:// URI above.`,
      );
    notes.push(...without);
    return { blocks, notes };
  }
  let budget = inlineMaxBytes;
  let spent = 0;
  for (const asset of assets) {
    const name = asset.uri.split("/").pop() ?? asset.uri;
    if (lost(asset)) continue; // nothing to embed or link: the text says what became of it
    const fits = asset.bytes <= budget;
    const data = fits ? (held(asset) ?? (await readWhole(asset, localPath))) : undefined;
    if (data) {
      budget -= asset.bytes;
      spent += asset.bytes;
      blocks.push({ type: "resource", resource: { uri: asset.uri, mimeType: asset.mime_type, blob: data.toString("base64") } });
      continue;
    }
    blocks.push({
      type: "resource_link",
      // A fetchable https URL when there is one (AIGC_MCP_PUBLIC_URL or a bucket), for clients that follow links.
      uri: asset.download_url ?? asset.uri,
      name,
      mimeType: asset.mime_type,
      description: `${asset.role ?? asset.mime_type.split("/")[0]} saved at ${asset.path ?? asset.uri} (${formatBytes(asset.bytes)}); ${whyLinked(asset, inlineMaxBytes, spent, asset.bytes <= budget)}`,
    });
  }
  return { blocks, notes };
}

/**
 * An output nothing serves as generated any more: removed since it was saved, or changed with no
 * copy in the bucket (media://, /media/ and these blocks read the bucket's copy of a changed file;
 * a removed one the bucket keeps is shown as the bucket's, never missing). Its media:// URI answers "not found".
 */
export const lost = (asset: RenderedAsset) =>
  asset.file === "missing" || asset.file === "elsewhere" || (asset.file === "changed" && asset.storage !== "s3");

/** Why a file as it is now is not the output generated: removed, or changed, since it was saved. */
function notKept(asset: RenderedAsset, file: FileState): string {
  return `it ${file === "missing" && asset.maybeElsewhere ? "is" : "was"} ${stateWords(asset, file).done}`;
}

/** Why an asset was linked instead of embedded, in words (issue 12 item 15). */
function whyLinked(asset: RenderedAsset, inlineMaxBytes: number, spent: number, fitted: boolean): string {
  if (inlineMaxBytes === 0) return "not embedded: embedding is off (AIGC_MCP_INLINE_MAX_BYTES=0)";
  if (fitted) return "not embedded: the file could not be read back from the output folder or the bucket";
  if (asset.bytes > inlineMaxBytes)
    return `not embedded: larger than the inline budget by itself (AIGC_MCP_INLINE_MAX_BYTES=${inlineMaxBytes})`;
  return `not embedded: earlier files used ${formatBytes(spent)} of this result's inline budget (AIGC_MCP_INLINE_MAX_BYTES=${inlineMaxBytes})`;
}

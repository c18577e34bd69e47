/**
 * Whether a saved output is still as it was saved, checked each time a result shows it: one lstat,
 * never a hash (get_job may be asked often about large videos), so a change that keeps the size
 * goes unnoticed.
 */
import { lstat } from "node:fs/promises";
import type { Asset } from "../jobs/types.js";
import type { FileState } from "./file-state-words.js";

/**
 * What became of the file at `asset.path` since it was saved, or undefined when it is as saved (or
 * has no local path, or cannot be told). The last step is not followed, as every read of an output
 * (media/store.ts `resolve`, media/open-file.ts): a link or anything else in the file's place is
 * not the file, so it counts as missing.
 */
export async function fileState(asset: Asset): Promise<FileState | undefined> {
  if (!asset.path) return undefined;
  try {
    const info = await lstat(asset.path);
    if (!info.isFile()) return "missing";
    return info.size === asset.bytes ? undefined : "changed";
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ENOTDIR" ? "missing" : undefined;
  }
}

/**
 * The words for a saved output no longer as it was saved, shared by the tool results and the MCP
 * App viewer (no imports: the viewer's browser bundle includes this module).
 */

/**
 * `missing`: no longer in the output folder (or, kept only in a bucket, no longer there);
 * `changed`: other bytes than the ones generated; `elsewhere`: kept only in a bucket this server
 * is not set up to use (another replica's AIGC_MCP_S3_*), so not readable here.
 */
export type FileState = "missing" | "changed" | "elsewhere";

/** What became of a file, in the words every result uses: `done` after "it was", `since` as a short mark. */
export const FILE_STATE_WORDS: Record<FileState, { done: string; since: string }> = {
  missing: { done: "removed from the output folder after it was saved", since: "since removed from the output folder" },
  changed: { done: "changed after it was saved", since: "since changed" },
  elsewhere: {
    done: "kept only in a bucket this server is not set up to use (AIGC_MCP_S3_*); a server that uses it serves the file",
    since: "in a bucket this server does not use",
  },
};

/** Missing with no local path: the output was kept only in a bucket, which no longer has it. */
const GONE_FROM_BUCKET = {
  done: "removed from the bucket it was kept in after it was saved",
  since: "since removed from the bucket",
};

/**
 * Missing where the job store is shared (Redis) and there is no bucket: each replica may have a
 * folder of its own, so this server cannot tell a removed file from one another replica saved.
 */
const NOT_HERE = {
  done: "not in this server's output folder (removed, or saved by another replica with a folder of its own)",
  since: "not in this server's output folder",
};

/**
 * The words for what became of this asset's file: one kept only in a bucket (no `path`) is not
 * missing from the output folder, and one that `maybeElsewhere` (job-result.ts withFileStates) is
 * not said to be removed.
 */
export function stateWords(a: { path?: string; maybeElsewhere?: boolean }, file: FileState): { done: string; since: string } {
  if (file !== "missing") return FILE_STATE_WORDS[file];
  return !a.path ? GONE_FROM_BUCKET : a.maybeElsewhere ? NOT_HERE : FILE_STATE_WORDS.missing;
}

/** The asset fields that say where an output can still be had as generated. */
export interface Recoverable {
  path?: string;
  maybeElsewhere?: boolean;
  bytes: number;
  storage?: "s3";
  download_url?: string;
  url?: string;
  expires_at?: string;
}

/**
 * What became of a file since it was saved and where the output as generated can still be had:
 * `text` (lower-case start; `vendorUrl` names the vendor URL, e.g. "the vendor URL above") and
 * `via`, the link it points to: the bucket's download URL, the vendor URL, or none.
 */
export function notAsSavedWords(
  a: Recoverable,
  file: FileState,
  vendorUrl: string,
  now = Date.now(),
): { text: string; via?: "bucket" | "vendor" } {
  const bytes = file === "changed" ? `: the file there is no longer the ${a.bytes} bytes generated` : "";
  const what = `${stateWords(a, file).done}${bytes}`;
  // media:// and /media/ read the bucket's copy of a removed or changed file (media/store.ts resolve).
  if (a.storage === "s3" && a.download_url)
    return { text: `${what}; the bucket still has it as generated: use its download URL`, via: "bucket" };
  if (!a.url || !a.expires_at) return { text: what };
  return Date.parse(a.expires_at) > now
    ? { text: `${what}; download it again from ${vendorUrl} until ${a.expires_at}`, via: "vendor" }
    : { text: `${what}; its vendor URL expired at ${a.expires_at}, so it cannot be downloaded again` };
}

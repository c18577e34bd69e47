/**
 * Opening a local file only when, once it is open, it is a regular file inside the allowed folders.
 *
 * A check of the path followed by a read of the path can be raced: a symlink swapped in between
 * (the file, or a folder on its way) made the read go outside the folders. So the file is opened
 * first and the checks are made of what was opened: the open handle's type, and the real path's
 * inode against the handle's. O_NONBLOCK keeps a FIFO from blocking the open.
 */
import { constants, type Stats } from "node:fs";
import { open, realpath, stat, type FileHandle } from "node:fs/promises";
import { dirname, sep } from "node:path";
import { AigcError } from "../errors.js";
import { mediaNotFound } from "./media-uri.js";
import type { MediaStore } from "./store.js";

export interface OpenedFile {
  fh: FileHandle;
  /** Bytes, as the open handle's stat gives them. */
  size: number;
}

/** Why a file was not opened: missing (or unreadable), not a regular file, or outside the folders. */
export type NotOpened = "missing" | "not a file" | "outside";

const FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** Whether `path` is one of `roots` or inside one (both as real paths). */
export function within(path: string, roots: string[]): boolean {
  return roots.some((r) => path === r || path.startsWith(r.endsWith(sep) ? r : r + sep));
}

/**
 * Opens `path` for reading when, as opened, it is a regular file whose real path is in `roots`
 * (real paths). The caller closes the handle. Never follows a link at the last step; a link on the
 * way is followed, and then the real path must lead to the very file that was opened.
 */
export async function openWithin(path: string, roots: string[]): Promise<OpenedFile | NotOpened> {
  let fh: FileHandle;
  try {
    fh = await open(path, FLAGS);
  } catch (err) {
    // ELOOP: the last step is a link (O_NOFOLLOW); the caller resolved links already, so one was swapped in.
    return (err as NodeJS.ErrnoException).code === "ELOOP" ? "outside" : "missing";
  }
  const refuse = async (why: NotOpened) => (await fh.close().catch(() => undefined), why);
  let info: Stats;
  try {
    info = await fh.stat();
  } catch {
    return refuse("missing");
  }
  if (!info.isFile()) return refuse("not a file");
  const real = await realpath(path).catch(() => undefined);
  if (!real || !within(real, roots)) return refuse("outside");
  const there = await stat(real).catch(() => undefined);
  if (!there || there.dev !== info.dev || there.ino !== info.ino) return refuse("outside");
  return { fh, size: info.size };
}

/** Reads the first `bytes` bytes of an opened file (fewer when it is shorter now). */
export async function readOpened(file: OpenedFile, bytes: number): Promise<Buffer> {
  const data = Buffer.allocUnsafe(bytes);
  let got = 0;
  while (got < bytes) {
    const { bytesRead } = await file.fh.read(data, got, bytes - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return data.subarray(0, got);
}

/** Whether `err` is the "not found" of a name that is no generated file here (not a store that failed to answer), MediaElsewhere included. */
export function isMediaNotFound(err: unknown): boolean {
  return (err instanceof AigcError && err.code === "MediaNotFound") || isMediaElsewhere(err);
}

/** Whether `err` is the "not found" of an output kept only in a bucket this server does not use (media-uri.ts mediaElsewhere). */
export function isMediaElsewhere(err: unknown): boolean {
  return err instanceof AigcError && err.code === "MediaElsewhere";
}

/**
 * A generated file (a media:// URI or a name), opened as openWithin does, inside the output folder,
 * and of the size generated. Throws MediaNotFound for anything else, as MediaStore.resolve does,
 * or the job store's or the bucket's error when one of them did not answer. `resolved`: the file's
 * MediaStore.resolve answer when the caller has it already. The caller closes the handle.
 */
export async function openGenerated(
  media: Pick<MediaStore, "resolve">,
  uriOrName: string,
  resolved?: { path: string; bytes?: number },
): Promise<OpenedFile> {
  // failFast: while the bucket has just left a request unanswered, its error at once rather than another wait of ~90 s.
  const { path, bytes } = resolved ?? (await media.resolve(uriOrName, { failFast: true }));
  // resolve answers only a real path (no link on its way) in the output folder or its cache: its folder is the root.
  const file = await openWithin(path, [dirname(path)]);
  if (typeof file === "string") throw mediaNotFound(uriOrName);
  // No output is empty (each is sniffed when saved), and one edited since (checked again as opened) is not the output.
  if (file.size === 0 || (bytes !== undefined && file.size !== bytes)) {
    await file.fh.close().catch(() => undefined);
    throw mediaNotFound(uriOrName);
  }
  return file;
}

/**
 * Local disk faults (a full disk, a read-only or unwritable output folder, file limits) told apart
 * from network faults, so they are reported as what they are, naming the folder, and never as
 * "the vendor could not be reached".
 */
import { randomBytes } from "node:crypto";
import { link, lstat, readdir, realpath, stat, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { AigcError } from "../errors.js";
import { makeDirs } from "../make-dirs.js";

const LOCAL_FAULTS: Record<string, string> = {
  ENOSPC: "the disk is full",
  EDQUOT: "the disk quota is used up",
  EROFS: "the file system is read-only",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EFBIG: "the file is larger than this process may write (file size limit)",
  EMFILE: "too many open files",
  ENFILE: "too many open files on this system",
  EIO: "an input/output error",
  ENOTDIR: "a part of its path is not a folder",
  EEXIST: "a file is in the way of the folder",
  // Also what a virtual file system (/proc) answers for a new file in a folder that exists.
  ENOENT: "no file can be made there (the folder is missing, or it is on a file system that takes no new files, such as /proc)",
};

/** The error's errno code when it is a local disk fault. */
export function localFaultCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" && code in LOCAL_FAULTS ? code : undefined;
}

/** `err` as a `local` AigcError naming the folder, or undefined when it is not a local disk fault. */
export function localDiskError(err: unknown, dir: string, vendor?: string, hint?: string): AigcError | undefined {
  if (err instanceof AigcError) return err.category === "local" ? err : undefined;
  const code = localFaultCode(err);
  if (!code) return undefined;
  return new AigcError(
    {
      category: "local",
      code: "LocalDiskError",
      vendor,
      message: `could not write to the output folder ${dir}: ${LOCAL_FAULTS[code]} (${code})`,
      ...(hint ? { hint } : {}),
    },
    { cause: err },
  );
}

/** Writes and removes a small probe file in `dir`; throws the folder's local disk error. */
export async function probeWritable(dir: string): Promise<void> {
  const probe = join(dir, `.write-check-${randomBytes(4).toString("hex")}.part`);
  try {
    await makeDirs(dir);
    await writeFile(probe, "ok");
    await unlink(probe);
  } catch (err) {
    await unlink(probe).catch(() => undefined);
    throw (
      localDiskError(
        err,
        dir,
        undefined,
        "Nothing was sent to the vendor. Free space or fix the output folder (AIGC_MCP_OUTPUT_DIR), then call again.",
      ) ?? err
    );
  }
}

/**
 * Saves data a tool returns but no model should read (embedding vectors) as `<stem>-<time>-<rand>.json`
 * in the output folder, and returns its absolute path. Throws the folder's local disk error.
 */
export async function saveDataFile(dir: string, stem: string, data: unknown): Promise<string> {
  const path = join(dir, `${stem}-${new Date().toISOString().replace(/[:.]/g, "-")}-${randomBytes(3).toString("hex")}.json`);
  try {
    await makeDirs(dir);
    await writeFile(path, JSON.stringify(data));
    return path;
  } catch (err) {
    throw localDiskError(err, dir) ?? err;
  }
}

/**
 * Runs `op` (a write or open of a file in `dir`) and, only when it fails because `dir` is missing,
 * creates `dir` and runs it once more: no mkdir before every write on the hot path.
 */
export async function inFolder<T>(dir: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    await makeDirs(dir);
    return op();
  }
}

/**
 * Creates `target` holding `data`, whole and only if no file has its name: written to a temp file
 * in `tmpDir` (on the same filesystem), then hard-linked into place (link() fails when the name
 * exists), so no reader sees it half-written, even after a crash (a temp file a dead process left
 * is for a sweep to remove). Makes the target's folder when it is missing (a sweep may remove it at
 * any time). Resolves false when the name exists; throws the folder's local disk error.
 */
export async function createWhole(tmpDir: string, target: string, data: string): Promise<boolean> {
  const tmp = join(tmpDir, `.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await inFolder(tmpDir, () => writeFile(tmp, data));
    for (let attempt = 0; ; attempt++) {
      try {
        await link(tmp, target);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT" || attempt >= 3) throw err;
        await makeDirs(dirname(target));
      }
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw localDiskError(err, tmpDir) ?? err;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** A regular file that is no symlink and has none on its way (realpath equals the path), else undefined. */
export async function regularFile(path: string, bytes?: number): Promise<string | undefined> {
  try {
    if ((await realpath(path)) !== path) return undefined;
    const info = await lstat(path);
    return info.isFile() && (bytes === undefined || info.size === bytes) ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes the files in `dir` whose names `match` and that were last written before `cutoffMs`
 * (epoch ms), and returns how many: what a process that died mid-write left (temp and partial
 * files) and expired copies. A missing folder removes nothing.
 */
export async function removeStaleFiles(dir: string, cutoffMs: number, match: (name: string) => boolean = () => true): Promise<number> {
  let removed = 0;
  for (const n of await readdir(dir).catch(() => [] as string[])) {
    if (!match(n)) continue;
    const path = join(dir, n);
    const info = await stat(path).catch(() => undefined);
    if (
      info?.isFile() &&
      info.mtimeMs < cutoffMs &&
      (await unlink(path).then(
        () => true,
        () => false,
      ))
    )
      removed++;
  }
  return removed;
}

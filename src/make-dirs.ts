/**
 * `mkdir -p` that fails instead of spinning. Node's recursive mkdir loops forever at 100% CPU where
 * mkdir answers ENOENT under a parent that exists (any path under /proc: AIGC_MCP_OUTPUT_DIR=/proc/x
 * hung the server with no message); this creates one level at a time, so such a path fails with
 * mkdir's own error. Every folder the server creates goes through it.
 */
import { mkdirSync, statSync } from "node:fs";
import { mkdir, stat } from "node:fs/promises";
import { dirname } from "node:path";

type Options = { mode?: number };

const code = (err: unknown) => (err as NodeJS.ErrnoException).code;

/** Creates `dir` and its missing parents; resolves when it is a folder. Throws mkdir's error (ENOENT, EACCES, ENOTDIR…) otherwise. */
export async function makeDirs(dir: string, options: Options = {}): Promise<void> {
  try {
    await mkdir(dir, options);
    return;
  } catch (err) {
    if (code(err) === "EEXIST" && (await stat(dir)).isDirectory()) return;
    if (code(err) !== "ENOENT" || dirname(dir) === dir) throw err;
  }
  await makeDirs(dirname(dir), options);
  await mkdir(dir, options).catch(async (err: unknown) => {
    if (code(err) !== "EEXIST" || !(await stat(dir)).isDirectory()) throw err;
  });
}

/** makeDirs, synchronously (start-up paths that cannot wait). */
export function makeDirsSync(dir: string, options: Options = {}): void {
  try {
    mkdirSync(dir, options);
    return;
  } catch (err) {
    if (code(err) === "EEXIST" && statSync(dir).isDirectory()) return;
    if (code(err) !== "ENOENT" || dirname(dir) === dir) throw err;
  }
  makeDirsSync(dirname(dir), options);
  try {
    mkdirSync(dir, options);
  } catch (err) {
    if (code(err) !== "EEXIST" || !statSync(dir).isDirectory()) throw err;
  }
}

/**
 * V8's code cache for the bundled server (issue 16, goal 1). dist/index.js runs dist/server.cjs (the
 * whole server, one file) as a `vm.Script` given the code V8 compiled for it in an earlier start, so
 * a start skips parsing and compiling ~3 MB of JavaScript (measured: ~20% of the start-up to the
 * tools/list answer). Node 20 has no such cache for ES modules, and Node 22's `enableCompileCache()`
 * is not needed beside this one.
 *
 * The cache is one file per bundle build, Node version and CPU architecture, written once after the
 * first tools/list answer of a start that found none (or one V8 rejected): it holds V8's bytecode of
 * this package's own code and nothing a call or its caller sent. Where it lives: NODE_COMPILE_CACHE
 * (Node's variable for the same purpose) or the user's cache folder (`$XDG_CACHE_HOME` or
 * `~/.cache`, `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on Windows) + `/aigc-mcp`;
 * NODE_DISABLE_COMPILE_CACHE=1 turns it off. A folder that another user owns or others can write to
 * is not used (a planted cache would run as this process's code).
 */
import { constants, existsSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync, type Stats } from "node:fs";
import { open, readFile, stat } from "node:fs/promises";
import Module, { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { IMPORTER } from "./load-package.js";
import { makeDirsSync } from "./make-dirs.js";

/** What the entry found, shared with the server it runs through one global (two separate bundles). */
export interface CompileCache {
  /** used: V8 took the cached code; rejected: damaged (checksum) or refused by V8 (another V8, flags); absent: none yet; off: no usable folder. */
  status: "used" | "rejected" | "absent" | "off";
  /** The cache file (absent for `off`); its folder also keeps the tool list (src/stored-tool-list.ts). */
  file?: string;
  /** The bundle's build hash (sha256 of dist/server.cjs, 16 hex characters). */
  build: string;
  /** Why the cache is off or could not be read, for the log. */
  reason?: string;
  /**
   * Writes the cache when the start did not use one: V8's code for every function compiled so far;
   * when it used one, marks it used instead (its modification time: other builds' housekeeping
   * removes files untouched for 30 days, and a used file is never rewritten).
   * Synchronous, one event-loop turn of a few ms once per build: it must land even when the client
   * ends the process right after the tools/list answer. Returns the file and its size, or undefined
   * when there is nothing to write; throws a file-system error.
   */
  save(): { file: string; bytes: number } | undefined;
}

const KEY = Symbol.for("aigc-mcp.compile-cache");
/** Cache files of other builds untouched this long are removed when a new one is written. */
const STALE_MS = 30 * 24 * 3600 * 1000;

/** The state the entry left, or undefined when the server runs from tsc's modules (no bundle). */
export function compileCache(): CompileCache | undefined {
  return (globalThis as { [KEY]?: CompileCache })[KEY];
}

/**
 * Runs the CommonJS bundle `bundle` (a `file:` URL) with the code cache for `hash` (the bundle's
 * content hash, fixed at build time: V8 itself checks only the source's length). Resolves to false
 * when there is no bundle there, so the caller runs the modules instead; what the bundle throws while
 * it loads rejects. The files are read asynchronously, side by side (nothing on the start path
 * blocks the event loop on the file system). `beside`, given the cache folder, runs first
 * (src/early-answers.ts): it resolves once its own reads are done, and the bundle runs when its
 * `ready` settles. It must not reject.
 */
export async function runBundle(
  bundle: URL,
  hash: string,
  env: NodeJS.ProcessEnv = process.env,
  beside?: (dir: string) => Promise<{ ready: Promise<void> } | undefined>,
): Promise<boolean> {
  const file = fileURLToPath(bundle);
  // the early answers read their file first: the bundle's reads would hold the thread pool
  const found = await cacheFolder(env);
  const early = beside && "dir" in found ? await beside(found.dir) : undefined;
  const [source, bundleStat, cache] = await Promise.all([
    // ASCII only (scripts/bundle.mjs): latin1 decodes it by copying, into a one-byte string
    readFile(file, "latin1").catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return undefined;
      throw err;
    }),
    stat(file).catch(() => undefined),
    readCache(found, env, hash),
  ]);
  if (source === undefined || !bundleStat) return false;
  // what follows takes the main thread for ~150 ms: after the answers
  await early?.ready;
  // the checksum binds the data to this build and this very bundle file (another build's cache, or an edited bundle, runs stale code)
  const stamp = `${hash} ${bundleStat.size} ${bundleStat.mtimeMs}`;
  const { cacheFile } = cache;
  const cachedData = cache.file && checked(cache.file, stamp);
  const damaged = cache.file !== undefined && !cachedData;
  const reason = damaged ? "the cache file does not match its checksum" : cache.reason;
  // Node 20 runs no import() written inside a script made from a code cache: the server loads its
  // optional packages through this module's import() instead (src/load-package.ts).
  (globalThis as { [IMPORTER]?: (specifier: string) => Promise<unknown> })[IMPORTER] = (specifier) => import(specifier);
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const status = damaged ? "rejected" : !cachedData ? cache.status : script.cachedDataRejected ? "rejected" : "used";
  let saved = false;
  const state: CompileCache = {
    status,
    build: hash,
    ...(cacheFile ? { file: cacheFile } : {}),
    ...(reason ? { reason } : {}),
    save() {
      if (!cacheFile || saved) return undefined;
      saved = true;
      if (status === "used") {
        const now = new Date();
        utimesSync(cacheFile, now, now);
        return undefined;
      }
      const data = script.createCachedData();
      const dir = dirname(cacheFile);
      ensureFolder(dir);
      replaceFileSync(cacheFile, Buffer.concat([checksum(stamp, data), data]));
      removeStale(dir, cacheFile);
      return { file: cacheFile, bytes: data.length };
    },
  };
  (globalThis as { [KEY]?: CompileCache })[KEY] = state;
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  const module = { exports: {} };
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return true;
}

/**
 * A cache file starts with the sha256 of the bundle's stamp and V8's data. V8 checks only a header
 * and the source's length: data damaged after the header (a bad disk, a partial write) was taken and
 * crashed every start, and data of other code of the same length ran that code.
 */
const checksum = (stamp: string, data: Buffer) => sha256().update(stamp).update(data).digest();

/** node:crypto loads on first use: ~10 ms that a start answered early (src/early-answers.ts) spends after its answers. */
const sha256 = () => process.getBuiltinModule("node:crypto").createHash("sha256");

/** V8's data in a cache file, or undefined when it does not match its checksum. */
function checked(file: Buffer, stamp: string): Buffer | undefined {
  const data = file.subarray(32);
  return file.length > 32 && checksum(stamp, data).equals(file.subarray(0, 32)) ? data : undefined;
}

interface CacheRead {
  /** Before its contents are checked: off (no folder), absent (no file, or an unreadable one). */
  status: "off" | "absent";
  cacheFile?: string;
  /** The file's bytes, when there is one. */
  file?: Buffer;
  reason?: string;
}

/** The cache file for `hash` in the cache folder, read whole. */
async function readCache(folder: { dir: string } | { reason: string }, env: NodeJS.ProcessEnv, hash: string): Promise<CacheRead> {
  if ("reason" in folder) return { status: "off", reason: folder.reason };
  const cacheFile = join(folder.dir, `server-${hash}-${process.version}-${process.arch}${flagsTag(env)}.cache`);
  try {
    return { status: "absent", cacheFile, file: await readRegularFile(cacheFile, MAX_CACHE_BYTES) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { status: "absent", cacheFile, ...(code === "ENOENT" ? {} : { reason: (err as Error).message }) };
  }
}

/** A cache file larger than this is not read (V8's data for the whole server is 1.2–2 MB). */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * The bytes of `file` when it is a regular file of at most `maxBytes`; rejects otherwise (ENOENT
 * when missing). Opened without blocking: a FIFO planted under a cache file's name would otherwise
 * hold the read, and so the start, forever, and a device such as /dev/zero reports no size. Read
 * as the size it had when opened, in as few thread-pool trips as can be (each is ~1 ms of a start's
 * critical path); the file is closed without waiting.
 */
export async function readRegularFile(file: string, maxBytes: number): Promise<Buffer> {
  const handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new Error(`${file} is not a regular file`);
    if (st.size > maxBytes) throw new Error(`${file} is larger than ${maxBytes} bytes`);
    const data = Buffer.allocUnsafe(st.size);
    let got = 0;
    while (got < data.length) {
      const { bytesRead } = await handle.read(data, got, data.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return data.subarray(0, got);
  } finally {
    handle.close().catch(() => undefined);
  }
}

/**
 * "-<8 hex>" naming the Node and V8 options the process runs with (command line and NODE_OPTIONS), or
 * "" without any: V8 refuses code cached under other V8 flags, so clients that start the server with
 * different options keep a file each instead of replacing each other's at every start.
 */
function flagsTag(env: NodeJS.ProcessEnv): string {
  const flags = [...process.execArgv, env.NODE_OPTIONS ?? ""].join(" ").trim();
  return flags ? `-${sha256().update(flags).digest("hex").slice(0, 8)}` : "";
}

/**
 * The cache folder, or why there is none. It is not created here: a start that writes nothing
 * (`--version`, `--help`, a configuration error) leaves no folder behind; save() creates it.
 */
async function cacheFolder(env: NodeJS.ProcessEnv): Promise<{ dir: string } | { reason: string }> {
  if (env.NODE_DISABLE_COMPILE_CACHE) return { reason: "NODE_DISABLE_COMPILE_CACHE is set" };
  const dir = env.NODE_COMPILE_CACHE ? resolve(env.NODE_COMPILE_CACHE) : userCacheFolder(env);
  if (!dir) return { reason: "no cache folder: neither NODE_COMPILE_CACHE nor a home folder is set" };
  try {
    const problem = folderProblem(dir, await stat(dir));
    return problem ? { reason: problem } : { dir };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { dir };
    return { reason: `no cache folder: ${(err as Error).message}` };
  }
}

/** Why `dir` (as `st` describes it) must not hold code this process runs, or undefined. */
function folderProblem(dir: string, st: Stats): string | undefined {
  if (process.platform === "win32") return undefined;
  if (st.uid !== process.getuid?.()) return `${dir} belongs to another user`;
  if (st.mode & 0o022) return `${dir} can be written by others (chmod go-w ${dir})`;
  return undefined;
}

/**
 * Creates the cache folder (0700) when missing and checks it as cacheFolder does; throws why it
 * cannot be used. As root, a missing folder is created only inside a folder root owns: `sudo -E`
 * keeps the user's HOME, and a root-owned ~/.cache/aigc-mcp would refuse the user's own starts.
 */
function ensureFolder(dir: string): void {
  if (!existsSync(dir)) {
    if (process.getuid?.() === 0) {
      let parent = dirname(dir);
      while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
      if (statSync(parent).uid !== 0) throw new Error(`${parent} belongs to another user: as root, no cache folder is created in it`);
    }
    makeDirsSync(dir, { mode: 0o700 });
  }
  const problem = folderProblem(dir, statSync(dir));
  if (problem) throw new Error(problem);
}

/** The user's cache folder + /aigc-mcp, or "" without a home folder (a relative XDG_CACHE_HOME is ignored, as the XDG spec says). */
function userCacheFolder(env: NodeJS.ProcessEnv): string {
  const home = homedir();
  const base =
    process.platform === "win32"
      ? env.LOCALAPPDATA || (home && join(home, "AppData", "Local"))
      : process.platform === "darwin"
        ? home && join(home, "Library", "Caches")
        : env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME)
          ? env.XDG_CACHE_HOME
          : home && join(home, ".cache");
  return base && isAbsolute(base) ? join(base, "aigc-mcp") : "";
}

/**
 * Writes `data` to `file` (0600) through a temp file beside it, `.<pid>-<ms><tag>.tmp`, renamed over
 * it: a reader finds the old file or the new one, never part of one. Throws a file-system error.
 */
export function replaceFileSync(file: string, data: string | Buffer, tag = ""): void {
  const tmp = join(dirname(file), `.${process.pid}-${Date.now()}${tag}.tmp`);
  try {
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** The files removeStale may remove: compile caches, stored tool lists (src/stored-tool-list.ts), temp files of crashed writes. */
export const CACHE_FILES = /^(server-.+\.cache|tools-[0-9a-f]+\.jsonl?|\..+\.tmp)$/;

/** Removes the files in `dir` matching `names`, other than `keep`, not modified for 30 days. */
export function removeStale(dir: string, keep: string, names = CACHE_FILES): void {
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (path === keep || !names.test(name)) continue;
    try {
      if (now - statSync(path).mtimeMs > STALE_MS) rmSync(path, { force: true });
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
}

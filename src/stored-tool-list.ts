/**
 * The tools/list answer kept between starts, beside the compile cache (issue 16, goal 1). Converting
 * the tools' zod schemas to JSON Schema for the list is ~40 ms of a start's ~250 ms of CPU, and the
 * answer is the same at every start with the same build and configuration. So a stdio start first
 * lists what the last start with the same key listed, then (in idle time, src/tools/listing.ts)
 * builds the answer anyway and compares: when something the key does not cover changed the list,
 * the server lists the new answer from then on, tells the client with notifications/tools/list_changed
 * and rewrites the file.
 *
 * The key: the bundle's build hash, every variable the server declares but the log level (AIGC_MCP_*
 * and each vendor's; a secret counts only as set or not, its value is never part of it), and the
 * path, size and modification time of the models and prices files. The file holds the answer as clients receive it (names,
 * descriptions, schemas, annotations) and the server's initialize answer (its name, version,
 * capabilities and instructions) for src/early-answers.ts: nothing secret, nothing a call sent.
 */
import { stat, utimes } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { readRegularFile, removeStale, replaceFileSync } from "./compile-cache.js";
import type { Env, EnvVar } from "./config.js";
import { expandHome } from "./home-path.js";
import { isObject } from "./is-object.js";

/** The tools/list result, as the SDK sends it. */
export type ListResult = { tools: Array<Record<string, unknown>> };

/**
 * The server's initialize answer, for src/early-answers.ts: the result without its protocolVersion,
 * which depends on the client's (the SDK answers the requested version when it is in `supported`,
 * else `latest`), and the SDK's lists of versions.
 */
export interface StoredHandshake {
  supported: string[];
  latest: string;
  result: Record<string, unknown>;
}

/** Where a start's answers are kept, and the answers found there (absent on a first start, or when unreadable). */
export interface StoredToolList {
  file: string;
  /** A digest (digest128) of the build and configuration, also in the file's name. */
  key: string;
  answer?: ListResult;
  initialize?: StoredHandshake;
}

/** A declared variable, as the key needs it: a secret counts as set or not; a vendor's is not part of a --sandbox start's key. */
export type KeyVar = Pick<EnvVar, "name" | "secret"> & { vendor?: boolean };

/** Stored lists (and those of earlier builds, one JSON document: `.json`), and temp files of crashed writes. */
const STORED_LISTS = /^(tools-[0-9a-f]+\.jsonl?|\..+-tools\.tmp)$/;

/** A stored answer larger than this is not read (the list of every tool is ~100 KB). */
const MAX_BYTES = 4 * 1024 * 1024;

/**
 * The stored file, its two lines read apart: the key and initialize answer (parsed), and the tool
 * list's text (parsed by parseList), so that src/early-answers.ts answers initialize before it
 * spends ~2 ms parsing the list. `where` is the compile cache's folder and the bundle's build hash
 * (none when the cache is off), `vars` the variables the list may depend on (src/plugins.ts
 * listVars), `sandbox` whether the start runs with --sandbox (the environment is the one it was given). The models and prices files (AIGC_MCP_MODELS_FILE, AIGC_MCP_PRICES_FILE) count by path,
 * size and modification time. Without a file, or with another key or a malformed first line, only
 * `file` and `key` are set. Never rejects.
 */
export async function readStoredFile(
  where: { dir: string; build: string } | undefined,
  env: Env,
  vars: readonly KeyVar[],
  sandbox = false,
): Promise<StoredFile | undefined> {
  if (!where) return undefined;
  const stamps = await Promise.all([env.AIGC_MCP_MODELS_FILE, env.AIGC_MCP_PRICES_FILE].map(fileStamp));
  // the variables set (an empty one is unset, as the configuration reads it); a secret only as set;
  // --sandbox replaces every vendor's with its simulators' (new ports at each start)
  const settings = vars.filter((v) => env[v.name] && !(sandbox && v.vendor)).map((v) => [v.name, v.secret ? "set" : env[v.name]]);
  const key = digest128(JSON.stringify([where.build, settings, stamps, ...(sandbox ? ["--sandbox"] : [])]));
  const file = join(where.dir, `tools-${key}.jsonl`);
  try {
    const text = (await readRegularFile(file, MAX_BYTES)).toString("utf8");
    const nl = text.indexOf("\n");
    if (nl === -1) return { file, key };
    const header = JSON.parse(text.slice(0, nl)) as { key?: unknown; initialize?: unknown };
    if (header.key !== key) return { file, key };
    const initialize = isHandshake(header.initialize) ? header.initialize : undefined;
    return { file, key, listText: text.slice(nl + 1).trim(), ...(initialize ? { initialize } : {}) };
  } catch {
    return { file, key };
  }
}

/** The stored file as read by readStoredFile: the tool list still as text. */
export interface StoredFile {
  file: string;
  key: string;
  initialize?: StoredHandshake;
  listText?: string;
}

/** A stored tool list's text as a tools/list result, or undefined when it does not parse as one. */
export function parseList(text: string): ListResult | undefined {
  try {
    const list = JSON.parse(text) as unknown;
    return isListResult(list) ? list : undefined;
  } catch {
    return undefined;
  }
}

/** The stored answers for this build and configuration (readStoredFile, with the list parsed); the answers are absent when the list does not parse. */
export async function readToolList(
  where: { dir: string; build: string } | undefined,
  env: Env,
  vars: readonly KeyVar[],
  sandbox = false,
): Promise<StoredToolList | undefined> {
  const stored = await readStoredFile(where, env, vars, sandbox);
  if (!stored) return undefined;
  const answer = stored.listText === undefined ? undefined : parseList(stored.listText);
  if (!answer) return { file: stored.file, key: stored.key };
  return { file: stored.file, key: stored.key, answer, ...(stored.initialize ? { initialize: stored.initialize } : {}) };
}

/**
 * Writes the stored list's file (atomically, 0600): a first line with the key and `initialize`, a
 * second with `answer` (JSON Lines). Removes the stored lists of other builds and configurations
 * untouched for 30 days (the compile cache in use is not rewritten at each
 * start, so it is left to its own write). Synchronous, once per start at most, after the answer
 * went out: it must land even when the client ends the process right after. Throws a file-system error.
 */
export function writeToolList(stored: StoredToolList, answer: ListResult, initialize?: StoredHandshake): void {
  const header = JSON.stringify({ key: stored.key, ...(initialize ? { initialize } : {}) });
  replaceFileSync(stored.file, `${header}\n${JSON.stringify(answer)}\n`, "-tools");
  removeStale(dirname(stored.file), stored.file, STORED_LISTS);
}

/** What the key holds of a file the list depends on (a variable's value, resolved as the configuration does): its path, size and modification time. */
async function fileStamp(value: string | undefined): Promise<unknown[]> {
  if (!value) return [];
  const file = resolve(expandHome(value));
  try {
    const s = await stat(file);
    return [file, s.size, s.mtimeMs];
  } catch {
    return [file, "missing"];
  }
}

/**
 * Marks a stored list as used (its modification time): housekeeping removes lists untouched for 30
 * days, and a list is written only when it changes. Never rejects.
 */
export async function touchStoredList(stored: StoredToolList): Promise<void> {
  const now = new Date();
  await utimes(stored.file, now, now).catch(() => undefined);
}

/**
 * The shape MCP gives a tools/list result, checked field by field where a client would fail on it
 * (a name, object schemas, text where text goes). The SDK's zod schema says the same, but its first
 * parse costs ~13 ms of the start this file saves time for.
 */
function isListResult(v: unknown): v is ListResult {
  const tools = isObject(v) ? v.tools : undefined;
  return Array.isArray(tools) && tools.every(isTool);
}

function isTool(t: unknown): boolean {
  if (!isObject(t) || typeof t.name !== "string") return false;
  const text = (x: unknown) => x === undefined || typeof x === "string";
  const objectSchema = (x: unknown) => isObject(x) && x.type === "object";
  const object = (x: unknown) => x === undefined || isObject(x);
  return (
    text(t.title) &&
    text(t.description) &&
    objectSchema(t.inputSchema) &&
    (t.outputSchema === undefined || objectSchema(t.outputSchema)) &&
    object(t.annotations) &&
    object(t.execution) &&
    object(t._meta)
  );
}

function isHandshake(v: unknown): v is StoredHandshake {
  return (
    isObject(v) &&
    Array.isArray(v.supported) &&
    v.supported.every((x) => typeof x === "string") &&
    typeof v.latest === "string" &&
    isObject(v.result) &&
    !("protocolVersion" in v.result) &&
    isObject(v.result.capabilities) &&
    isObject(v.result.serverInfo) &&
    typeof v.result.serverInfo.name === "string"
  );
}

/**
 * 128 bits (32 hex characters) of `text`: four FNV-1a lanes over its UTF-16 units, each with its own
 * offset, finished with MurmurHash3's fmix32. Not node:crypto: loading it costs ~10 ms of the start
 * the stored list saves time for, and the key only tells configurations apart (it guards against
 * nothing: whoever can write the cache folder can plant code there).
 */
export function digest128(text: string): string {
  const lanes = [0x811c9dc5, 0x01000193, 0x9e3779b9, 0x85ebca6b];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    for (let l = 0; l < 4; l++) lanes[l] = Math.imul(lanes[l]! ^ c, 0x01000193);
  }
  return lanes.map((h) => (fmix32(h) >>> 0).toString(16).padStart(8, "0")).join("");
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

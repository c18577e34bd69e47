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
 * descriptions, schemas, annotations): nothing secret, nothing a call sent.
 */
import { createHash } from "node:crypto";
import { stat, utimes } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { CompileCache } from "./compile-cache.js";
import { readRegularFile, removeStale, replaceFileSync } from "./compile-cache.js";
import type { Env, EnvVar } from "./config.js";

/** The tools/list result, as the SDK sends it. */
export type ListResult = { tools: Array<Record<string, unknown>> };

/** Where a start's answer is kept, and the answer found there (absent on a first start, or when unreadable). */
export interface StoredToolList {
  file: string;
  /** sha256 (hex) of the build and configuration; the file name holds its first 32 characters. */
  key: string;
  answer?: ListResult;
}

const STORED_LISTS = /^(tools-[0-9a-f]+\.json|\..+-tools\.tmp)$/;

/** A stored answer larger than this is not read (the list of every tool is ~100 KB). */
const MAX_BYTES = 4 * 1024 * 1024;

/**
 * The stored answer for this build and configuration: `cache` is the compile cache the entry found
 * (its folder and build hash; none when it is off), `vars` the variables the list may depend on, `files` the
 * models and prices files when set. Never rejects: an unreadable or malformed file counts as absent.
 */
export async function readToolList(
  cache: CompileCache | undefined,
  env: Env,
  vars: readonly EnvVar[],
  files: ReadonlyArray<string | undefined>,
): Promise<StoredToolList | undefined> {
  if (!cache?.file) return undefined;
  const stamps = await Promise.all(files.map(fileStamp));
  const settings = vars.map((v) => [v.name, v.secret ? (env[v.name] ? "set" : "") : (env[v.name] ?? "")]);
  const key = createHash("sha256")
    .update(JSON.stringify([cache.build, settings, stamps]))
    .digest("hex");
  const file = join(dirname(cache.file), `tools-${key.slice(0, 32)}.json`);
  try {
    const stored = JSON.parse((await readRegularFile(file, MAX_BYTES)).toString("utf8")) as { key?: unknown; answer?: unknown };
    return stored.key === key && isListResult(stored.answer) ? { file, key, answer: stored.answer } : { file, key };
  } catch {
    return { file, key };
  }
}

/**
 * Writes `answer` to the stored list's file (atomically, 0600) and removes the stored lists of other
 * builds and configurations untouched for 30 days (the compile cache in use is not rewritten at each
 * start, so it is left to its own write). Synchronous, once per start at most, after the answer
 * went out: it must land even when the client ends the process right after. Throws a file-system error.
 */
export function writeToolList(stored: StoredToolList, answer: ListResult): void {
  replaceFileSync(stored.file, JSON.stringify({ key: stored.key, answer }), "-tools");
  removeStale(dirname(stored.file), stored.file, STORED_LISTS);
}

/** What the key holds of a file the list depends on: its path, size and modification time. */
async function fileStamp(file: string | undefined): Promise<unknown[]> {
  if (!file) return [];
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

/** A JSON object (not null, not an array). */
export const isObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === "object" && !Array.isArray(x);

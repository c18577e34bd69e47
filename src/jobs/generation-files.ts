/** File names and reads under generations.ts: its two layouts' names, generation lists and JSON reads. */
import { readdir, readFile } from "node:fs/promises";

/** A name safe as a file name. */
export const fileName = (name: string) => name.replace(/[^A-Za-z0-9_-]/g, "_");

/** The name and generation of a flat layout's file (`<name>.<n>.json`), if it is one. */
export function flatEntry(entry: string): { name: string; gen: number } | undefined {
  const m = /^(.+)\.(\d+)\.json$/.exec(entry);
  return m?.[1] ? { name: m[1], gen: Number(m[2]) } : undefined;
}

/** The generation numbers in `entries` named `<prefix><n>.json`, highest first. */
export function gens(entries: string[], prefix: string): number[] {
  return entries
    .filter((n) => n.startsWith(prefix) && n.endsWith(".json"))
    .map((n) => Number(n.slice(prefix.length, -".json".length)))
    .filter((g) => Number.isSafeInteger(g) && g > 0)
    .sort((x, y) => y - x);
}

/** The names of a flat layout in `dir` with their highest generation (empty when `dir` is missing). */
export async function listFlat(dir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const e of await readdir(dir).catch(() => [] as string[])) {
    const f = flatEntry(e);
    if (f && f.gen > (out.get(f.name) ?? 0)) out.set(f.name, f.gen);
  }
  return out;
}

/** The parsed JSON file at `path`, or undefined when it is missing or not JSON. */
export async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}

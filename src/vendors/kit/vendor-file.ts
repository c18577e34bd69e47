/**
 * What AIGC_MCP_MODELS_FILE and AIGC_MCP_PRICES_FILE share: a JSON object keyed by vendor id, read
 * at start-up and dated by its modification time as the source of what it changes.
 */
import { readFile, stat } from "node:fs/promises";
import { visit } from "jsonc-parser";
import { ConfigError } from "../../config.js";
import type { Source } from "./catalog.js";

/**
 * Reads `path` as `{"<vendor id>": …}`. Throws ConfigError naming `variable` and the file when it
 * is missing, not JSON, not an object, keyed by something other than one of `vendorIds`, or has a
 * key written twice in one object (JSON.parse would keep the last one without a word).
 */
export async function readVendorFile(
  path: string,
  variable: string,
  vendorIds: readonly string[],
): Promise<{ raw: Record<string, unknown>; source: Source }> {
  let raw: unknown;
  let text: string;
  try {
    text = await readFile(path, "utf8");
    raw = JSON.parse(text);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : `is not readable JSON (${(err as Error).message})`;
    throw new ConfigError(variable, `${path} ${why}`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new ConfigError(variable, `${path}: must be an object keyed by vendor id (${vendorIds.join(", ")})`);
  const twice = duplicateKey(text);
  if (twice)
    throw new ConfigError(
      variable,
      `${path}: "${twice.path}" is written twice (the second time on line ${twice.line}); merge the two into one`,
    );
  const unknown = Object.keys(raw).find((k) => !vendorIds.includes(k));
  if (unknown) throw new ConfigError(variable, `${path}: "${unknown}" is not a vendor id (${vendorIds.join(", ")})`);
  const source = { url: `file://${path}`, date: (await stat(path)).mtime.toISOString().slice(0, 10) };
  return { raw: raw as Record<string, unknown>, source };
}

/** The first key written twice in one object of `text` (valid JSON), as a dotted path, and the line of its second occurrence. */
function duplicateKey(text: string): { path: string; line: number } | undefined {
  const objects: Array<Set<string>> = [];
  let found: { path: string; line: number } | undefined;
  visit(text, {
    onObjectBegin: () => void objects.push(new Set()),
    onObjectEnd: () => void objects.pop(),
    onObjectProperty: (name, _offset, _length, line, _column, pathOf) => {
      const keys = objects.at(-1)!;
      if (keys.has(name)) found ??= { path: [...pathOf(), name].join("."), line: line + 1 };
      keys.add(name);
    },
  });
  return found;
}

/**
 * What AIGC_MCP_MODELS_FILE and AIGC_MCP_PRICES_FILE share: a JSON object keyed by vendor id, read
 * at start-up and dated by its modification time as the source of what it changes.
 */
import { readFile, stat } from "node:fs/promises";
import { ConfigError } from "../../config.js";
import type { Source } from "./catalog.js";

/**
 * Reads `path` as `{"<vendor id>": …}`. Throws ConfigError naming `variable` and the file when it
 * is missing, not JSON, not an object, or keyed by something other than one of `vendorIds`.
 */
export async function readVendorFile(
  path: string,
  variable: string,
  vendorIds: readonly string[],
): Promise<{ raw: Record<string, unknown>; source: Source }> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, "utf8"));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : `is not readable JSON (${(err as Error).message})`;
    throw new ConfigError(variable, `${path} ${why}`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new ConfigError(variable, `${path}: must be an object keyed by vendor id (${vendorIds.join(", ")})`);
  const unknown = Object.keys(raw).find((k) => !vendorIds.includes(k));
  if (unknown) throw new ConfigError(variable, `${path}: "${unknown}" is not a vendor id (${vendorIds.join(", ")})`);
  const source = { url: `file://${path}`, date: (await stat(path)).mtime.toISOString().slice(0, 10) };
  return { raw: raw as Record<string, unknown>, source };
}

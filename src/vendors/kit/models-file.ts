/**
 * `AIGC_MCP_MODELS_FILE`: a JSON file that adds models, changes capabilities or marks models
 * retired without waiting for a release. Shape: `{"<vendor id>": [<entry>, …], …}` where an entry
 * is a `ModelOverride` (see catalog.ts). Validated with zod at start-up; a bad file stops the
 * server with one line naming the bad entry.
 */
import { readFile, stat } from "node:fs/promises";
import { z } from "zod";
import { ConfigError } from "../../config.js";
import type { Catalog, ModelOverride, Source } from "./catalog.js";

const VARIABLE = "AIGC_MCP_MODELS_FILE";
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD");
const capability = z.union([
  z.boolean(),
  z.number().int().min(0),
  z.array(z.union([z.string(), z.number()])).min(1),
  z.object({ min: z.number(), max: z.number() }).strict(),
  z.literal("required"),
]);
const capabilities = z.record(z.string().min(1), capability);

const entry = z
  .object({
    id: z.string().min(1).max(128),
    label: z.string().min(1).max(200).optional(),
    aliases: z.array(z.string().min(1).max(128)).optional(),
    endpoints: z.array(z.string().min(1)).min(1).optional(),
    status: z.enum(["active", "retiring", "retired"]).optional(),
    statusDate: date.optional(),
    successor: z.string().min(1).max(128).optional(),
    retiredOn: z
      .record(z.string().min(1), z.object({ statusDate: date.optional(), successor: z.string().min(1).max(128).optional() }).strict())
      .optional(),
    capabilities: capabilities.optional(),
    byEndpoint: z.record(z.string().min(1), capabilities).optional(),
    note: z.string().max(2000).optional(),
  })
  .strict();

export interface ModelsFile {
  /** Entries by vendor id. */
  models: Record<string, ModelOverride[]>;
  /** The file as the source of what it changes (dated by its modification time). */
  source: Source;
}

/** Reads and validates the file. Throws ConfigError (one line, naming the entry) on any problem. */
export async function loadModelsFile(path: string, vendorIds: readonly string[]): Promise<ModelsFile> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, "utf8"));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : `is not readable JSON (${(err as Error).message})`;
    throw new ConfigError(VARIABLE, `${path} ${why}`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError(VARIABLE, `${path}: must be an object keyed by vendor id (${vendorIds.join(", ")})`);
  }
  const unknown = Object.keys(raw).find((k) => !vendorIds.includes(k));
  if (unknown) throw new ConfigError(VARIABLE, `${path}: "${unknown}" is not a vendor id (${vendorIds.join(", ")})`);
  const parsed = z.record(z.string(), z.array(entry)).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path
      .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
      .join("")
      .replace(/^\./, "");
    throw new ConfigError(VARIABLE, `${path}: ${where || "top level"}: ${issue.message}`);
  }
  const modified = (await stat(path)).mtime.toISOString().slice(0, 10);
  return { models: parsed.data, source: { url: `file://${path}`, date: modified } };
}

/** A vendor's catalog with the file's entries for that vendor merged in. Throws ConfigError naming a bad entry. */
export function withModelsFile(catalog: Catalog, file: ModelsFile | undefined): Catalog {
  if (!file) return catalog;
  try {
    return catalog.merged(file.models[catalog.vendor], file.source);
  } catch (err) {
    throw new ConfigError(VARIABLE, `${catalog.vendor}: ${(err as Error).message}`);
  }
}

/**
 * `AIGC_MCP_MODELS_FILE`: a JSON file that adds models, changes capabilities or marks models
 * retired without waiting for a release. Shape: `{"<vendor id>": [<entry>, …], …}` where an entry
 * is a `ModelOverride` (see catalog.ts). Validated with zod at start-up; a bad file stops the
 * server with one line naming the bad entry.
 */
import { z } from "zod";
import { ConfigError } from "../../config.js";
import { nearest } from "../../nearest.js";
import type { Catalog, Source } from "./catalog.js";
import type { ModelOverride } from "./merge-models.js";
import { PriceBook, type PriceEntry } from "./price.js";
import { filePrice, fromFile, type FilePrice } from "./prices-file.js";
import { readVendorFile } from "./vendor-file.js";

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
    price: filePrice.optional(),
    priceByEndpoint: z.record(z.string().min(1), filePrice).optional(),
  })
  .strict();

export interface ModelsFile {
  /** Entries by vendor id. */
  models: Record<string, ModelOverride[]>;
  /** The file as the source of what it changes (dated by its modification time). */
  source: Source;
  /** AIGC_MCP_PRICES_FILE's entries by vendor id (prices-file.ts), ahead of every built-in price. */
  prices?: Record<string, PriceEntry[]>;
}

/**
 * A vendor's prices: `builtIn` (a catalog's `priceEntries()`, models-file prices merged in, or the
 * table of a vendor without a catalog) behind the prices file's entries for the vendor.
 */
export function priceBook(vendor: string, builtIn: PriceEntry[], file: ModelsFile | undefined): PriceBook {
  return new PriceBook(vendor, builtIn).withEntries(file?.prices?.[vendor]);
}

const ENTRY_FIELDS = Object.keys(entry.shape);

/** The models file's path, from its source URL. */
const pathOf = (file: ModelsFile): string => file.source.url.replace(/^file:\/\//, "");

/** `<path>: <vendor> entry <i> (id "<id>"), field <field>: <message>`: every models-file error names the file, the entry and the field. */
function where(path: string, vendor: string, index: number | undefined, id: unknown, field: string, message: string): string {
  const e = index === undefined ? vendor : `${vendor} entry ${index}${typeof id === "string" ? ` (id "${id}")` : ""}`;
  return `${path}: ${e}${field ? `, field ${field}` : ""}: ${message}`;
}

/** Reads and validates the file. Throws ConfigError (one line, naming the entry) on any problem. */
export async function loadModelsFile(path: string, vendorIds: readonly string[]): Promise<ModelsFile> {
  const { raw, source } = await readVendorFile(path, VARIABLE, vendorIds);
  const parsed = z.record(z.string(), z.array(entry)).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const [vendor, index, ...field] = issue.path;
    const entries = raw[String(vendor)];
    const id = Array.isArray(entries) && typeof index === "number" ? (entries[index] as { id?: unknown } | undefined)?.id : undefined;
    let message = issue.message.replace(/^Invalid input: expected array, received (\w+)$/, "must be a list, got $1");
    let fieldName = field
      .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
      .join("")
      .replace(/^\./, "");
    if (issue.code === "unrecognized_keys" && field.length === 0) {
      const key = issue.keys[0]!;
      const near = nearest(key, ENTRY_FIELDS);
      fieldName = key;
      message = `is not a field of an entry${near ? `; did you mean ${near}?` : ""} (fields: ${ENTRY_FIELDS.join(", ")})`;
    } else if (index === undefined) {
      message = `must be a list of model entries ([{"id": …}, …]), ${message.replace(/^Invalid input: /, "")}`;
    }
    throw new ConfigError(VARIABLE, where(path, String(vendor), typeof index === "number" ? index : undefined, id, fieldName, message));
  }
  const priced = (p: FilePrice | undefined) => p && fromFile(p, source);
  const models = Object.fromEntries(
    Object.entries(parsed.data).map(([vendor, list]) => [
      vendor,
      list.map(({ price, priceByEndpoint, ...rest }): ModelOverride => ({
        ...rest,
        ...(price ? { price: priced(price) } : {}),
        ...(priceByEndpoint
          ? { priceByEndpoint: Object.fromEntries(Object.entries(priceByEndpoint).map(([k, v]) => [k, priced(v)!])) }
          : {}),
      })),
    ]),
  );
  return { models, source };
}

/**
 * A vendor's catalog with the file's entries for that vendor merged in. Throws ConfigError naming
 * the file, the entry and the field: a new model without endpoints, a `byEndpoint` or
 * `priceByEndpoint` key that is not one of the model's endpoints, or (for a vendor with a built-in
 * catalog) a successor that names a model neither the catalog nor the file has.
 */
export function withModelsFile(catalog: Catalog, file: ModelsFile | undefined): Catalog {
  if (!file) return catalog;
  const path = pathOf(file);
  const entries = file.models[catalog.vendor] ?? [];
  const fail = (i: number, field: string, message: string): never => {
    throw new ConfigError(VARIABLE, where(path, catalog.vendor, i, entries[i]!.id, field, message));
  };
  entries.forEach((o, i) => {
    if (!catalog.find(o.id) && !o.endpoints?.length)
      fail(i, "endpoints", `${o.id} is new (not in aigc-mcp's catalog), so it needs "endpoints"`);
  });
  const merged = catalog.merged(entries, file.source);
  // An endpoint the model does not have would be kept and never read: a misspelt one must not pass silently.
  entries.forEach((o, i) => {
    const endpoints = merged.find(o.id)?.endpoints ?? [];
    for (const field of ["byEndpoint", "priceByEndpoint"] as const)
      for (const endpoint of Object.keys(o[field] ?? {})) {
        if (endpoints.includes(endpoint)) continue;
        const near = nearest(endpoint, endpoints);
        fail(
          i,
          `${field}.${endpoint}`,
          `${o.id} has no endpoint ${endpoint}${near ? `; did you mean ${near}?` : ""} (its endpoints: ${endpoints.join(", ")})`,
        );
      }
  });
  // Without a built-in catalog (a vendor whose models are the customer's own server's) a successor
  // may be any model that server has, so only a vendor with a catalog can say one exists nowhere.
  if (!catalog.models.length) return merged;
  const ids = merged.models.flatMap((m) => [m.id, ...(m.aliases ?? [])]);
  entries.forEach((o, i) => {
    const successors: Array<[string, string | undefined]> = [
      ["successor", o.successor],
      ...Object.entries(o.retiredOn ?? {}).map(([family, r]): [string, string | undefined] => [
        `retiredOn.${family}.successor`,
        r.successor,
      ]),
    ];
    for (const [field, id] of successors) {
      if (id === undefined || merged.find(id)) continue;
      const near = nearest(id, ids);
      fail(
        i,
        field,
        `${id} is not a model of ${catalog.vendor}${near ? `; did you mean ${near}?` : ""} (add it as an entry with "endpoints" if it is new)`,
      );
    }
  });
  return merged;
}

/**
 * Warnings for `vendor`'s entries whose capabilities (or `byEndpoint` capabilities) name an argument
 * no model check of the vendor's tools can see (`names`: their argument names, or "any" when a tool
 * hands the vendor's own fields to the check): such a capability is never checked, so a misspelt one
 * would pass silently. A superset: a tool that checks fewer of its arguments (Animo: aspect_ratio
 * only) leaves the others unnamed. A warning, not a refusal: only the check's advice is at stake.
 * Each names the file, the entry, the field and the nearest argument.
 */
export function unusedCapabilities(file: ModelsFile | undefined, vendor: string, names: ReadonlySet<string> | "any"): string[] {
  if (!file || names === "any") return [];
  const path = pathOf(file);
  const known = [...names].sort();
  const out: string[] = [];
  (file.models[vendor] ?? []).forEach((o, i) => {
    const groups: Array<[string, Record<string, unknown>]> = [
      ["capabilities", o.capabilities ?? {}],
      ...Object.entries(o.byEndpoint ?? {}).map(([endpoint, caps]): [string, Record<string, unknown>] => [`byEndpoint.${endpoint}`, caps]),
    ];
    for (const [field, caps] of groups)
      for (const key of Object.keys(caps)) {
        if (names.has(key)) continue;
        const near = nearest(key, known);
        out.push(
          `${VARIABLE}: ` +
            where(
              path,
              vendor,
              i,
              o.id,
              `${field}.${key}`,
              `no ${vendor} tool's model check sees an argument ${key}, so this capability is never checked${near ? `; did you mean ${near}?` : ""}`,
            ),
        );
      }
  });
  return out;
}

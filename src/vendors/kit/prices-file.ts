/**
 * `AIGC_MCP_PRICES_FILE`: your prices, replacing the built-in list prices (contract prices,
 * discounts, resource packs) and giving the ones no vendor publishes. Shape: `{"<vendor id>":
 * [<entry>, …], …}`, an entry being `{model, endpoint?, currency, unit, amount}` or `{…, rates:
 * [{when?, amount}, …]}` (`model` `*` = every model of the vendor). Models-file entries may carry a
 * `price` of the same shape (without `model`). Validated with zod at start-up; a bad file stops the
 * server with one line naming the entry.
 */
import { z } from "zod";
import { ConfigError } from "../../config.js";
import { nearest } from "../../nearest.js";
import type { Source } from "./catalog.js";
import { CURRENCIES, PRICE_UNITS, type Price, type PriceEntry } from "./price.js";
import { readVendorFile } from "./vendor-file.js";

const VARIABLE = "AIGC_MCP_PRICES_FILE";

const dims = z.record(z.string().min(1).max(64), z.union([z.string().max(64), z.number(), z.boolean()]));
const rate = z.object({ when: dims.optional(), amount: z.number().min(0) }).strict();

/** A price as files write it: one `amount`, or `rates` picked by the call's dimensions. */
export const filePrice = z
  .object({
    currency: z.enum(CURRENCIES),
    unit: z.enum(Object.keys(PRICE_UNITS) as [keyof typeof PRICE_UNITS]),
    amount: z.number().min(0).optional(),
    rates: z.array(rate).min(1).max(200).optional(),
    note: z.string().max(2000).optional(),
  })
  .strict()
  .refine((p) => (p.amount === undefined) !== (p.rates === undefined), { message: 'give either "amount" or "rates"' });
export type FilePrice = z.output<typeof filePrice>;

const entry = z
  // Trimmed as calls' model ids are (bounds.ts modelId): " *" would otherwise never match.
  .object({ model: z.string().trim().min(1).max(128), endpoint: z.string().trim().min(1).max(128).optional() })
  .passthrough()
  .transform((e, ctx) => {
    const { model, endpoint, ...rest } = e;
    const parsed = filePrice.safeParse(rest);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: "custom", message: issue.message });
      return z.NEVER;
    }
    return { model, endpoint, price: parsed.data };
  });

/** A file price as a Price, the file being its source (confidence `contract`). */
export function fromFile(p: FilePrice, source: Source): Price {
  return {
    currency: p.currency,
    unit: p.unit,
    rates: p.rates ?? [{ amount: p.amount! }],
    source,
    confidence: "contract",
    ...(p.note ? { note: p.note } : {}),
  };
}

export interface PricesFile {
  entries: Record<string, PriceEntry[]>;
  source: Source;
}

/**
 * Reads and validates the file. `endpoints` gives, per vendor id, the endpoint families its prices
 * are looked up under (VendorPlugin.priceEndpoints): an entry naming another never matches. Throws
 * ConfigError (one line, naming the vendor, entry and field) on any problem.
 */
export async function loadPricesFile(
  path: string,
  vendorIds: readonly string[],
  endpoints: Readonly<Record<string, readonly string[]>> = {},
): Promise<PricesFile> {
  const { raw, source } = await readVendorFile(path, VARIABLE, vendorIds);
  const parsed = z.record(z.string(), z.array(entry).max(10_000)).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const [vendor, index, ...field] = issue.path;
    const at = typeof index === "number" ? ` entry ${index}` : "";
    const name = field.map(String).join(".");
    throw new ConfigError(VARIABLE, `${path}: ${String(vendor)}${at}${name ? `, field ${name}` : ""}: ${issue.message}`);
  }
  for (const [vendor, list] of Object.entries(parsed.data)) {
    const seen = new Map<string, number>();
    for (const [i, e] of list.entries()) {
      const known = endpoints[vendor];
      if (e.endpoint && known && !known.includes(e.endpoint)) {
        const near = nearest(e.endpoint, known);
        throw new ConfigError(
          VARIABLE,
          `${path}: ${vendor} entry ${i}: endpoint "${e.endpoint}" is none of ${vendor}'s, so this price would never be used${near ? `; did you mean "${near}"?` : ""} (${vendor}'s: ${known.join(", ")}; list_models names each tool's)`,
        );
      }
      const key = `${e.model}\n${e.endpoint ?? ""}`;
      const first = seen.get(key);
      if (first !== undefined)
        throw new ConfigError(
          VARIABLE,
          `${path}: ${vendor} entry ${i}: model "${e.model}"${e.endpoint ? ` on endpoint "${e.endpoint}"` : ""} is priced already by entry ${first}, and only the first would count; to price the same model (or "*") differently per kind of call, give each entry its "endpoint" (list_models names each tool's)`,
        );
      seen.set(key, i);
    }
  }
  const entries = Object.fromEntries(
    Object.entries(parsed.data).map(([vendor, list]) => [
      vendor,
      list.map((e) => ({ model: e.model, ...(e.endpoint ? { endpoint: e.endpoint } : {}), price: fromFile(e.price, source) })),
    ]),
  );
  return { entries, source };
}

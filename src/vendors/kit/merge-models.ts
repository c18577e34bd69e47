/** A models file's entries merged into a vendor's built-in catalog (AIGC_MCP_MODELS_FILE, models-file.ts). */
import type { Capabilities, CatalogModel, ModelStatus, Source } from "./catalog.js";
import type { Price } from "./price.js";

/** A models-file entry: a new model (needs endpoints), or changes to a known one (any fields). */
export interface ModelOverride {
  id: string;
  label?: string;
  aliases?: string[];
  endpoints?: string[];
  status?: ModelStatus;
  statusDate?: string;
  successor?: string;
  retiredOn?: CatalogModel["retiredOn"];
  capabilities?: Capabilities;
  byEndpoint?: Record<string, Capabilities>;
  note?: string;
  price?: Price;
  priceByEndpoint?: Record<string, Price>;
}

/**
 * Merges models-file entries into built-in models: a known id (or alias) gets the given fields,
 * capabilities merged key by key (a model-wide one replaces the built-in per-endpoint values of
 * that key; `byEndpoint` merges per endpoint, key by key); a new id is added. The file is recorded as a source of each
 * entry it touches. Throws Error naming the entry when a new model has no endpoints.
 */
export function mergeModels(base: readonly CatalogModel[], overrides: readonly ModelOverride[], source: Source): CatalogModel[] {
  const out = base.map((m) => ({ ...m }));
  for (const o of overrides) {
    const i = out.findIndex((m) => m.id === o.id || m.aliases?.includes(o.id));
    const known = i >= 0 ? out[i] : undefined;
    if (!known && !o.endpoints?.length) throw new Error(`model ${o.id} is new, so it needs "endpoints"`);
    const merged: CatalogModel = {
      ...(known ?? { id: o.id, label: o.id, endpoints: [], status: "active", capabilities: {}, sources: [] }),
      ...o,
      id: known?.id ?? o.id,
      label: o.label ?? known?.label ?? o.id,
      endpoints: o.endpoints ?? known?.endpoints ?? [],
      status: o.status ?? known?.status ?? "active",
      capabilities: { ...known?.capabilities, ...o.capabilities },
      byEndpoint: mergeByEndpoint(known?.byEndpoint, o.capabilities, o.byEndpoint),
      // A price for every endpoint replaces the built-in per-endpoint ones it does not name.
      priceByEndpoint: { ...(o.price ? {} : known?.priceByEndpoint), ...o.priceByEndpoint },
      sources: [...(known?.sources ?? []), source],
    };
    if (known) out[i] = merged;
    else out.push(merged);
  }
  return out;
}

/**
 * The per-endpoint capabilities after a models-file entry: the built-in ones without the keys the
 * entry gives model-wide (else they would still override the file's value on their endpoint),
 * then the entry's own per-endpoint ones, key by key.
 */
function mergeByEndpoint(
  known: CatalogModel["byEndpoint"],
  wide: Capabilities | undefined,
  given: Record<string, Capabilities> | undefined,
): Record<string, Capabilities> {
  const out: Record<string, Capabilities> = {};
  for (const [endpoint, caps] of Object.entries(known ?? {}))
    out[endpoint] = Object.fromEntries(Object.entries(caps).filter(([key]) => !wide || !(key in wide)));
  for (const [endpoint, caps] of Object.entries(given ?? {})) out[endpoint] = { ...out[endpoint], ...caps };
  return out;
}

/** The prices of one vendor's models, built in and from the prices file, looked up per model and endpoint family. */
import type { Catalog } from "./catalog.js";
import type { Price } from "./price.js";

/** A price for one model (or every model: `*`), on one endpoint family or all of them. */
export interface PriceEntry {
  model: string;
  endpoint?: string;
  price: Price;
}

/**
 * One vendor's prices: the built-in ones (catalog models' `price`/`priceByEndpoint`, or a table
 * for vendors without a catalog) with the prices file's entries in front. `find` looks for the
 * model on the endpoint, the model on any endpoint, then `*` the same way.
 */
export class PriceBook {
  constructor(
    readonly vendor: string,
    readonly entries: readonly PriceEntry[],
    /** How many of `entries`, from the start, are the prices file's (withEntries). */
    private readonly overrides = 0,
  ) {}

  /**
   * A model's own price first: the prices file's (on the endpoint, then on any, so that a file price
   * without an endpoint replaces a built-in per-endpoint one), then the built-in one (models-file
   * prices included); then `*`, the file's before a built-in one: `*` prices the models that have
   * no price of their own.
   */
  find(model: string, endpoint?: string): Price | undefined {
    const on = (list: readonly PriceEntry[], m: string) =>
      list.find((e) => e.model === m && endpoint !== undefined && e.endpoint === endpoint) ??
      list.find((e) => e.model === m && e.endpoint === undefined);
    const file = this.entries.slice(0, this.overrides);
    return (on(file, model) ?? on(this.entries, model) ?? on(file, "*") ?? on(this.entries, "*"))?.price;
  }

  /** A copy with `first` ahead of these entries (a prices file overrides the built-in prices). */
  withEntries(first: readonly PriceEntry[] | undefined): PriceBook {
    return first?.length ? new PriceBook(this.vendor, [...first, ...this.entries], this.overrides + first.length) : this;
  }
}

/** The prices a catalog's models carry, as PriceBook entries (each id and alias; per endpoint family where they differ). */
export function catalogPrices(catalog: Catalog): PriceEntry[] {
  return catalog.models.flatMap((m) =>
    [m.id, ...(m.aliases ?? [])].flatMap((model) => [
      ...Object.entries(m.priceByEndpoint ?? {}).map(([endpoint, price]) => ({ model, endpoint, price })),
      ...(m.price ? [{ model, price: m.price }] : []),
    ]),
  );
}

/** What both Ark tools say about models. */
import type { Catalog } from "../../vendors/kit/catalog.js";

/** The current (active) models of an endpoint family, for a tool description. */
export function currentModels(catalog: Catalog, endpoint: string): string {
  return catalog
    .forEndpoint(endpoint)
    .filter((m) => m.status === "active")
    .map((m) => m.id)
    .join(", ");
}

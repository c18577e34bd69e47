/**
 * Kling's endpoint families under its two API design standards. Legacy: `/v1/<family>` with the
 * model in the body (`model_name`), tasks at `/v1/<family>/{id}`, status `succeed`. New (Kling 3.0
 * Turbo and later): the model in the path (`/<product>/<model>`), `{prompt | contents[], settings,
 * options}`, one task lookup for every product (`GET /tasks`), status `succeeded`, API key only.
 */
export const VIDEO_FAMILIES = ["videos/text2video", "videos/image2video", "videos/multi-image2video", "videos/omni-video"] as const;
export const IMAGE_FAMILIES = ["images/generations", "images/multi-image2image", "images/omni-image"] as const;
export type VideoFamily = (typeof VIDEO_FAMILIES)[number];
export type ImageFamily = (typeof IMAGE_FAMILIES)[number];
export type KlingFamily = VideoFamily | ImageFamily;
export const isKlingFamily = (f: string | undefined): f is KlingFamily =>
  (VIDEO_FAMILIES as readonly string[]).includes(f ?? "") || (IMAGE_FAMILIES as readonly string[]).includes(f ?? "");

/** New-standard video products (`POST /<product>/<model>`). */
export const NEW_PRODUCTS = ["text-to-video", "image-to-video"] as const;
export type NewProduct = (typeof NEW_PRODUCTS)[number];
export const isNewProduct = (p: string | undefined): p is NewProduct => (NEW_PRODUCTS as readonly string[]).includes(p ?? "");

/** Which standard a call goes to: the legacy family, or the new product with the model in the path. */
export type KlingRoute = { standard: "legacy"; family: KlingFamily } | { standard: "new"; product: NewProduct; model: string };

/** The legacy family and the new product that serve one video tool. */
export const VIDEO_ROUTES = {
  t2v: { family: "videos/text2video", product: "text-to-video" },
  i2v: { family: "videos/image2video", product: "image-to-video" },
} as const satisfies Record<string, { family: VideoFamily; product: NewProduct }>;

/**
 * Where a text- or image-to-video call goes: the new standard when the catalog lists the model for
 * the new product and not for the legacy family (e.g. kling-3.0-turbo, which exists only there),
 * otherwise the legacy family (unknown models included: their name is sent as `model_name`).
 */
export function videoRoute(kind: keyof typeof VIDEO_ROUTES, endpoints: readonly string[] | undefined, model: string): KlingRoute {
  const r = VIDEO_ROUTES[kind];
  if (endpoints?.includes(r.product) && !endpoints.includes(r.family)) return { standard: "new", product: r.product, model };
  return { standard: "legacy", family: r.family };
}

/** The catalog endpoint name of a route (the legacy family, or the new product). */
export const routeEndpoint = (r: KlingRoute): string => (r.standard === "legacy" ? r.family : r.product);

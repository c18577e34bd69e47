/**
 * The one policy for every URL this server downloads itself (caller-supplied inputs and vendor
 * output URLs): http(s) only; the host is resolved and every address checked (no loopback,
 * private, shared, link-local, multicast, reserved or cloud-metadata address) unless the host is
 * allow-listed; the socket connects to the address that was checked (the check runs inside the
 * connection's own DNS lookup, so a rebinding answer cannot switch it); every redirect is checked
 * again. Callers turn any failure into one "could not download <url>" so that answers never tell a
 * refused address from a closed port or an HTTP status.
 */
import { isIP } from "node:net";
import type { Dispatcher } from "undici";
import { AigcError } from "../errors.js";
import { isInternalHost, isMetadataHost, isPublicAddress } from "./addresses.js";
import { discard, httpOpen, safeUrl, type HttpOptions } from "./http.js";
import { checkedLookup, DownloadRefused } from "./lookups.js";
import { pool } from "./pools.js";
import { loadUndici } from "./undici.js";

export { isInternalHost, isMetadataHost, isPublicAddress };

export interface FetchPolicy {
  /** `host` or `host:port` entries, lowercase, fetched whatever address they resolve to. */
  allow: ReadonlySet<string>;
  /**
   * `host:port` of the configured vendor endpoints (also in `allow`): the vendors' own hosts, so a
   * URL there is one the vendor reaches itself. In the sandbox these are the simulators, which
   * stand for the vendors and their public CDNs.
   */
  vendor: ReadonlySet<string>;
}

export const OPEN_POLICY_NOTE =
  "Hosts on loopback or private addresses are only fetched when listed in AIGC_MCP_FETCH_ALLOW_HOSTS (never list a link-local or cloud metadata address).";

/**
 * A policy from allow-list entries (`host`, `host:port`, or a URL whose host:port is taken) and the
 * configured vendor endpoint URLs (allowed too, and known as the vendors' own hosts).
 */
export function fetchPolicy(entries: Iterable<string>, vendorEndpoints: Iterable<string> = []): FetchPolicy {
  const entry = (raw: string): string | undefined => {
    const e = raw.trim().toLowerCase();
    if (!e || !/^https?:\/\//.test(e)) return e || undefined;
    try {
      const u = new URL(e);
      return `${u.hostname}:${portOf(u)}`;
    } catch {
      return undefined; // not a URL after all; ignored
    }
  };
  const allow = new Set<string>();
  const vendor = new Set<string>();
  for (const raw of entries) {
    const e = entry(raw);
    if (e) allow.add(e);
  }
  for (const raw of vendorEndpoints) {
    const e = /^https?:\/\//i.test(raw.trim()) ? entry(raw) : undefined;
    if (!e) continue;
    allow.add(e);
    vendor.add(e);
  }
  return { allow, vendor };
}

const portOf = (u: URL): string => u.port || (u.protocol === "https:" ? "443" : "80");

export { allowedLookup, checkedLookup, DownloadRefused } from "./lookups.js";

function allowed(u: URL, policy: FetchPolicy): boolean {
  const host = u.hostname.toLowerCase();
  return policy.allow.has(host) || policy.allow.has(`${host}:${portOf(u)}`);
}

/**
 * What to do with an http(s) URL given as a media input, before any vendor call (every vendor and
 * every URL field, through loadMediaInput): `forward` it to the vendor (a public host, or a
 * configured vendor endpoint's own host), or `download` it here and send the bytes (an internal
 * host the operator listed in AIGC_MCP_FETCH_ALLOW_HOSTS). Any other internal host is refused,
 * naming the host, the variable and Dify's FILES_URL (its usual source): the vendor would accept
 * the task and fail it after submission.
 */
export function routeInputUrl(field: string, url: string, policy: FetchPolicy): "forward" | "download" {
  const u = new URL(url);
  if (!isInternalHost(u.hostname)) return "forward";
  const hostPort = `${u.hostname.toLowerCase()}:${portOf(u)}`;
  if (policy.vendor.has(hostPort)) return "forward";
  if (allowed(u, policy)) return "download";
  throw new AigcError({
    category: "invalid_input",
    code: "UnreachableUrl",
    message: `${field}: ${safeUrl(url)} is on ${u.host}, a loopback, private, link-local or single-label host that the vendor cannot reach from the internet, so it was not sent`,
    hint: isMetadataHost(u.hostname)
      ? `${u.host} is a link-local or cloud metadata address, never one to allow-list: pass the file itself as a data: URI (its bytes), a local file or a public http(s) URL.`
      : `If it comes from a self-hosted Dify, set Dify's FILES_URL to an address the vendor can reach (a public URL of your Dify), or let this server download it and send the bytes by adding ${u.host} to AIGC_MCP_FETCH_ALLOW_HOSTS. ` +
        "Otherwise pass a public http(s) URL, a data: URI or a local file.",
  });
}

/**
 * routeInputUrl for every http(s) URL among the string values of a body sent to the vendor as is (a
 * raw passthrough): such a body cannot carry downloaded bytes in a URL's place, so a URL this
 * server would download (an allow-listed internal host) is refused too. `field` names the body;
 * errors name the path to the value (`body.image_urls[0]`).
 */
export function checkPassthroughUrls(field: string, value: unknown, policy: FetchPolicy): void {
  if (Array.isArray(value)) return value.forEach((v, i) => checkPassthroughUrls(`${field}[${i}]`, v, policy));
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) checkPassthroughUrls(`${field}.${k}`, v, policy);
    return;
  }
  if (typeof value !== "string" || !/^\s*https?:\/\//i.test(value) || !URL.canParse(value.trim())) return;
  if (routeInputUrl(field, value.trim(), policy) === "forward") return;
  throw new AigcError({
    category: "invalid_input",
    code: "UnreachableUrl",
    message: `${field}: ${safeUrl(value.trim())} is on ${new URL(value.trim()).host}, which the vendor cannot reach, and this field is sent to the vendor as is`,
    hint: "Only the tool's media fields (e.g. images) are downloaded here from an allow-listed host and sent as bytes: pass the file there, or give a public http(s) URL.",
  });
}

/** The dispatcher a URL may be fetched with, or a refusal (scheme, or a literal non-public address). */
export async function dispatcherFor(url: string, policy: FetchPolicy): Promise<Dispatcher | undefined> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new DownloadRefused("not a valid URL");
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new DownloadRefused(`${u.protocol} URLs are not fetched`);
  if (u.username || u.password) throw new DownloadRefused("URLs with credentials are not fetched");
  const literal = u.hostname.replace(/^\[|\]$/g, "");
  if (allowed(u, policy)) {
    // Listed names skip the public-address check, never the metadata one: a listed name may resolve anywhere.
    if (isIP(literal) && isMetadataHost(literal)) throw new DownloadRefused(`${literal} is a link-local or cloud metadata address`);
    return undefined; // the shared agent, whose lookup refuses only metadata addresses (net/lookups.ts)
  }
  // An IP literal never reaches the lookup, so it is checked here.
  if (isIP(literal) && !isPublicAddress(literal))
    throw new DownloadRefused(`${literal} is not a public address`, isMetadataHost(literal) ? undefined : u.hostname);
  const { Agent } = await loadUndici();
  return pool("checked", (o) => new Agent({ connect: { timeout: 10_000, lookup: checkedLookup }, ...o }));
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/**
 * Opens a GET under the policy, following up to five redirects (each one checked again). Returns
 * the final response (any status) and its URL. A 2xx response whose Content-Length is over
 * `maxBytes` is refused at its headers (`tooLarge`, by default ResponseTooLarge) rather than read
 * until the cap or a timeout. Throws DownloadRefused, or the AigcError of httpOpen.
 */
export async function openChecked(
  url: string,
  policy: FetchPolicy,
  opts: Omit<HttpOptions, "method" | "body" | "retry" | "dispatcher"> & { tooLarge?: (declared: number, max: number) => Error },
): Promise<Awaited<ReturnType<typeof httpOpen>> & { url: string }> {
  const { tooLarge, ...http } = opts;
  let current = url;
  for (let hop = 0; ; hop++) {
    const dispatcher = await dispatcherFor(current, policy);
    const res = await httpOpen(current, { ...http, method: "GET", dispatcher });
    const location = res.headers.location;
    if (!REDIRECTS.has(res.status) || !location) {
      const declared = Number(res.headers["content-length"]);
      if (opts.maxBytes === undefined || res.status < 200 || res.status >= 300 || !(declared > opts.maxBytes))
        return { ...res, url: current };
      discard(res.body);
      throw tooLarge?.(declared, opts.maxBytes) ?? declaredTooLarge(opts.vendor, current, declared, opts.maxBytes);
    }
    discard(res.body);
    if (hop >= MAX_REDIRECTS) throw new DownloadRefused(`more than ${MAX_REDIRECTS} redirects`);
    current = new URL(location, current).toString();
  }
}

function declaredTooLarge(vendor: string, url: string, declared: number, max: number): AigcError {
  const message = `${safeUrl(url)} declares ${declared} bytes (Content-Length), more than the ${max}-byte limit`;
  return new AigcError({ category: "too_large", code: "ResponseTooLarge", vendor, message });
}

/** The one error shown for a caller-supplied URL that could not be fetched, whatever the reason. */
export function downloadFailed(field: string, url: string, requirement: string): AigcError {
  return new AigcError({
    category: "invalid_input",
    code: "DownloadFailed",
    message: `${field}: could not download ${safeUrl(url)}`,
    hint:
      `Pass ${requirement} at a publicly readable http(s) URL, a data: URI or a local file. ` +
      `Why it failed is in the server's log (info level), not in this answer, so answers cannot be used to map the network. ${OPEN_POLICY_NOTE}`,
  });
}

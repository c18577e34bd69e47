/**
 * The one policy for every URL this server downloads itself (caller-supplied inputs and vendor
 * output URLs): http(s) only; the host is resolved and every address checked (no loopback,
 * private, shared, link-local, multicast, reserved or cloud-metadata address) unless the host is
 * allow-listed; the socket connects to the address that was checked (the check runs inside the
 * connection's own DNS lookup, so a rebinding answer cannot switch it); every redirect is checked
 * again. Callers turn any failure into one "could not download <url>" so that answers never tell a
 * refused address from a closed port or an HTTP status.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import { BlockList, isIP } from "node:net";
import { Agent, type Dispatcher } from "undici";
import { AigcError } from "../errors.js";
import { CONNECTIONS_PER_ORIGIN, discard, httpOpen, safeUrl, type HttpOptions } from "./http.js";

export interface FetchPolicy {
  /** `host` or `host:port` entries, lowercase, fetched whatever address they resolve to. */
  allow: ReadonlySet<string>;
}

export const OPEN_POLICY_NOTE =
  "Hosts on loopback, private, link-local or metadata addresses are only fetched when listed in AIGC_MCP_FETCH_ALLOW_HOSTS.";

/** A policy from allow-list entries (`host`, `host:port`, or a URL whose host:port is taken). */
export function fetchPolicy(entries: Iterable<string>): FetchPolicy {
  const allow = new Set<string>();
  for (const raw of entries) {
    const e = raw.trim().toLowerCase();
    if (!e) continue;
    if (/^https?:\/\//.test(e)) {
      try {
        const u = new URL(e);
        allow.add(`${u.hostname}:${u.port || (u.protocol === "https:" ? "443" : "80")}`);
      } catch {
        // not a URL after all; ignored
      }
    } else allow.add(e);
  }
  return { allow };
}

const BLOCKED = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT; also Alibaba Cloud's metadata 100.100.100.200
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local; AWS/GCP/Azure metadata 169.254.169.254
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved and broadcast
] as const)
  BLOCKED.addSubnet(net, bits, "ipv4");
for (const [net, bits] of [
  ["::", 128],
  ["::1", 128],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7], // unique local; AWS's IPv6 metadata fd00:ec2::254
  ["fe80::", 10],
  ["fec0::", 10],
  ["ff00::", 8],
] as const)
  BLOCKED.addSubnet(net, bits, "ipv6");

/** True for an address a download may connect to without an allow-list entry. */
export function isPublicAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return !BLOCKED.check(ip, "ipv4");
  if (family !== 6) return false;
  const lower = ip.toLowerCase();
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible and NAT64 (64:ff9b::/96) addresses carry an IPv4 address.
  const embedded = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower)?.[1];
  if (embedded) return isPublicAddress(embedded);
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const n = (parseInt(hex[1]!, 16) << 16) | parseInt(hex[2]!, 16);
    return isPublicAddress([24, 16, 8, 0].map((s) => (n >>> s) & 255).join("."));
  }
  return !BLOCKED.check(lower, "ipv6");
}

/** Why a download was refused before it connected; callers log it and show "could not download". */
export class DownloadRefused extends Error {
  readonly code = "EDOWNLOADREFUSED";
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup that fails when any address of the name is not public: the socket connects to what this returns. */
export function checkedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const bad = addresses.find((a) => !isPublicAddress(a.address));
    if (bad || !addresses.length) {
      return callback(new DownloadRefused(`${hostname} resolves to ${bad?.address ?? "no address"}, which is not a public address`), []);
    }
    if (options.all) callback(null, addresses);
    else callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}

const checkedAgent = new Agent({
  connect: { timeout: 10_000, lookup: checkedLookup },
  connections: CONNECTIONS_PER_ORIGIN,
  keepAliveTimeout: 10_000,
  headersTimeout: 180_000,
  bodyTimeout: 180_000,
});

function allowed(u: URL, policy: FetchPolicy): boolean {
  const host = u.hostname.toLowerCase();
  const port = u.port || (u.protocol === "https:" ? "443" : "80");
  return policy.allow.has(host) || policy.allow.has(`${host}:${port}`);
}

/** The dispatcher a URL may be fetched with, or a refusal (scheme, or a literal non-public address). */
export function dispatcherFor(url: string, policy: FetchPolicy): Dispatcher | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new DownloadRefused("not a valid URL");
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new DownloadRefused(`${u.protocol} URLs are not fetched`);
  if (u.username || u.password) throw new DownloadRefused("URLs with credentials are not fetched");
  if (allowed(u, policy)) return undefined; // the shared agent, no address check
  const literal = u.hostname.replace(/^\[|\]$/g, "");
  // An IP literal never reaches the lookup, so it is checked here.
  if (isIP(literal) && !isPublicAddress(literal)) throw new DownloadRefused(`${literal} is not a public address`);
  return checkedAgent;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/**
 * Opens a GET under the policy, following up to five redirects (each one checked again). Returns
 * the final response (any status) and its URL. Throws DownloadRefused, or the AigcError of httpOpen.
 */
export async function openChecked(
  url: string,
  policy: FetchPolicy,
  opts: Omit<HttpOptions, "method" | "body" | "retry" | "dispatcher">,
): Promise<Awaited<ReturnType<typeof httpOpen>> & { url: string }> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const dispatcher = dispatcherFor(current, policy);
    const res = await httpOpen(current, { ...opts, method: "GET", dispatcher });
    const location = res.headers.location;
    if (!REDIRECTS.has(res.status) || !location) return { ...res, url: current };
    discard(res.body);
    if (hop >= MAX_REDIRECTS) throw new DownloadRefused(`more than ${MAX_REDIRECTS} redirects`);
    current = new URL(location, current).toString();
  }
}

/** The one error shown for a caller-supplied URL that could not be fetched, whatever the reason. */
export function downloadFailed(field: string, url: string, requirement: string): AigcError {
  return new AigcError({
    category: "invalid_input",
    code: "DownloadFailed",
    message: `${field}: could not download ${safeUrl(url)}`,
    hint: `Pass ${requirement} at a publicly readable http(s) URL, a data: URI or a local file. ${OPEN_POLICY_NOTE}`,
  });
}

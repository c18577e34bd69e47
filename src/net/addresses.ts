/**
 * Which IP addresses and host names count as public, internal or cloud metadata. IPv6 addresses are
 * judged on their 16 bytes, so every spelling of an address that carries an IPv4 one (mapped,
 * compatible, translated, 6to4, NAT64, Teredo) is judged by the IPv4 rules too.
 */
import { BlockList, isIP } from "node:net";

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

/** The 16 bytes of a valid IPv6 text (any spelling: `::`, a trailing dotted IPv4, a `%zone`). */
function v6Bytes(text: string): number[] {
  const [head = "", tail] = text.replace(/%.*$/, "").split("::") as [string, string | undefined];
  const groups = (part: string): number[] =>
    part
      ? part.split(":").flatMap((g) => {
          if (!g.includes(".")) return [parseInt(g, 16)];
          const [a, b, c, d] = g.split(".").map(Number) as [number, number, number, number];
          return [(a << 8) | b, (c << 8) | d];
        })
      : [];
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const words = [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
  return words.flatMap((w) => [w >> 8, w & 255]);
}

const zero = (b: number[], from: number, to: number) => b.slice(from, to).every((x) => x === 0);
const v4At = (b: number[], at: number[]) => at.map((i) => b[i]).join(".");
const LAST32 = [12, 13, 14, 15];

/**
 * Every IPv4 address an IPv6 address carries: IPv4-mapped (::ffff:0:0/96), IPv4-compatible (::/96),
 * IPv4-translated (::ffff:0:0:0/96), NAT64 (64:ff9b::/96; 64:ff9b:1::/48 at each RFC 6052 prefix
 * length, since the operator picks it), 6to4 (2002::/16, bits 16–47) and Teredo (2001::/32, the
 * client's address XORed in the last 32 bits).
 */
export function embeddedV4(ip: string): string[] {
  const b = v6Bytes(ip);
  if (zero(b, 0, 10) && ((b[10] === 0xff && b[11] === 0xff) || (b[10] === 0 && b[11] === 0))) return [v4At(b, LAST32)];
  if (zero(b, 0, 8) && b[8] === 0xff && b[9] === 0xff && zero(b, 10, 12)) return [v4At(b, LAST32)];
  const word = (i: number) => (b[i]! << 8) | b[i + 1]!;
  if (word(0) === 0x64 && word(2) === 0xff9b && zero(b, 4, 12)) return [v4At(b, LAST32)];
  if (word(0) === 0x64 && word(2) === 0xff9b && word(4) === 1)
    return [[6, 7, 9, 10], [7, 9, 10, 11], [9, 10, 11, 12], LAST32].map((at) => v4At(b, at));
  if (word(0) === 0x2002) return [v4At(b, [2, 3, 4, 5])];
  if (word(0) === 0x2001 && word(2) === 0) return [LAST32.map((i) => b[i]! ^ 255).join(".")];
  return [];
}

/** True for an address a download may connect to without an allow-list entry. */
export function isPublicAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return !BLOCKED.check(ip, "ipv4");
  if (family !== 6) return false;
  const bare = ip.toLowerCase().replace(/%.*$/, "");
  return !BLOCKED.check(bare, "ipv6") && embeddedV4(bare).every((v4) => !BLOCKED.check(v4, "ipv4"));
}

/** Link-local ranges and the cloud metadata services' addresses and names: never a file's host, never to allow-list. */
const METADATA = new BlockList();
METADATA.addSubnet("169.254.0.0", 16, "ipv4"); // AWS, GCP, Azure, Oracle: 169.254.169.254
METADATA.addAddress("100.100.100.200", "ipv4"); // Alibaba Cloud
METADATA.addSubnet("fe80::", 10, "ipv6");
METADATA.addAddress("fd00:ec2::254", "ipv6"); // AWS over IPv6
const METADATA_NAMES = new Set(["metadata", "metadata.google.internal", "instance-data", "instance-data.ec2.internal"]);

const bareHost = (hostname: string) =>
  hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "");

/** True for a link-local or cloud metadata host (judged from the text, like isInternalHost). */
export function isMetadataHost(hostname: string): boolean {
  const h = bareHost(hostname);
  if (METADATA_NAMES.has(h)) return true;
  if (isIP(h) === 4) return METADATA.check(h, "ipv4");
  if (isIP(h) !== 6) return false;
  const bare = h.replace(/%.*$/, "");
  return METADATA.check(bare, "ipv6") || embeddedV4(bare).some((v4) => METADATA.check(v4, "ipv4"));
}

/** Name suffixes reserved for private networks: never resolvable from the internet. */
const PRIVATE_SUFFIXES = [".localhost", ".local", ".internal", ".home.arpa"];

/**
 * True for a URL host a cloud vendor cannot reach from the internet: a loopback, private (RFC 1918,
 * ULA), link-local or other non-public IP literal, a single-label name (`api`, `localhost`,
 * `minio`: only a local resolver or Docker's knows it) or a name under a private-use suffix
 * (`host.docker.internal`, `nas.local`). Judged from the text alone, without DNS, so it answers the
 * same whatever the network holds.
 */
export function isInternalHost(hostname: string): boolean {
  const h = bareHost(hostname);
  if (isIP(h)) return !isPublicAddress(h);
  return !h.includes(".") || PRIVATE_SUFFIXES.some((s) => h.endsWith(s));
}

/** The first allow-list entry (`name`, `name:port`, `[v6]:port`, a bare IPv6 or a URL) naming a link-local or metadata host. */
export function metadataEntry(entries: readonly string[]): string | undefined {
  return entries.find((raw) => {
    const e = raw.trim();
    if (isIP(e)) return isMetadataHost(e);
    try {
      return isMetadataHost(new URL(/^https?:\/\//i.test(e) ? e : `http://${e}`).hostname);
    } catch {
      return false;
    }
  });
}

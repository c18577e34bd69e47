/** Start-up warnings for settings that have no effect (without a companion setting, or not a variable of this server), or that leave clients refused. */
import { isIPv6 } from "node:net";
import { networkInterfaces } from "node:os";
import { isLoopbackHost, type Env } from "./config.js";
import { nearest } from "./nearest.js";

/** Variables that do nothing unless one of the variables after them is set (`idle`: a value that asks for nothing anyway). */
const NEEDS: Array<[variable: string, needs: string[], without: string, idle?: string]> = [
  ["AIGC_MCP_MEDIA_URL_SECRET", ["AIGC_MCP_PUBLIC_URL"], "no download URLs are signed or served"],
  ["AIGC_MCP_MEDIA_URL_TTL_S", ["AIGC_MCP_PUBLIC_URL", "AIGC_MCP_S3_BUCKET"], "no download URLs are made"],
  // `false` is a choice made, not a setting without effect: it warns of nothing.
  ["AIGC_MCP_TASK_CALLBACKS", ["AIGC_MCP_PUBLIC_URL"], "no vendor can call back, so jobs only poll", "false"],
  ["AIGC_MCP_REDIS_PREFIX", ["AIGC_MCP_REDIS_URL"], "job records stay in the output folder"],
  ...["AIGC_MCP_S3_ENDPOINT", "AIGC_MCP_S3_REGION", "AIGC_MCP_S3_PREFIX", "AIGC_MCP_S3_FORCE_PATH_STYLE", "AIGC_MCP_KEEP_LOCAL"].map(
    (v): [string, string[], string] => [v, ["AIGC_MCP_S3_BUCKET"], "outputs stay in the output folder only"],
  ),
];

/**
 * Start-up warnings for settings that are silently without effect: a variable set whose companion
 * is not (AIGC_MCP_MEDIA_URL_SECRET without AIGC_MCP_PUBLIC_URL, S3 settings without a bucket).
 */
export function configWarnings(env: Env): string[] {
  const set = (name: string) => Boolean(env[name]);
  return NEEDS.filter(([v, needs, , idle]) => set(v) && env[v] !== idle && !needs.some(set)).map(
    ([v, needs, without]) =>
      `${v} is set but ${needs.join(" or ")} is not, so it has no effect (${without}): set ${needs.join(" or ")}, or unset ${v}`,
  );
}

/**
 * Start-up warnings for `AIGC_MCP_*` variables set (any case) that are none of `known`, the declared
 * ones: a misspelt name (AIGC_MCP_OUTPUTDIR) is otherwise ignored without a word. Each names the
 * nearest known variable when one is close. Other prefixes are left alone: vendor-style names
 * (VOLC_*, AWS_*) are shared with other tools' variables.
 */
export function unknownVariableWarnings(env: Env, known: readonly string[]): string[] {
  const names = new Set(known);
  return Object.keys(env)
    .filter((name) => /^AIGC_MCP_/i.test(name) && !names.has(name) && env[name])
    .sort()
    .map((name) => {
      const near = nearest(name, known);
      return `${name} is not a variable of this server and has no effect${near ? `; did you mean ${near}?` : ""} (aigc-mcp --help lists the variables)`;
    });
}

/**
 * Start-up warnings for a combination that works but not as replicas may expect: job records shared
 * in Redis with no bucket, so an output is readable only by the server whose folder holds it.
 */
export function sharingWarnings(env: Env): string[] {
  if (!env.AIGC_MCP_REDIS_URL || env.AIGC_MCP_S3_BUCKET) return [];
  return [
    "AIGC_MCP_REDIS_URL is set but AIGC_MCP_S3_BUCKET is not: job records are shared, outputs are not. An output is readable only by the server whose output folder holds it, so a replica with a folder of its own says another's outputs are not in its output folder. Set AIGC_MCP_S3_BUCKET, or give the replicas one shared output folder",
  ];
}

/**
 * The start-up warning for an HTTP server on a non-loopback address that answers only loopback Host
 * names (no AIGC_MCP_ALLOWED_HOSTS, nor AIGC_MCP_PUBLIC_URL's host): a client using the machine's
 * address or name gets 403. On every interface (0.0.0.0, ::) it names the URL that does answer (the
 * one logged, http://0.0.0.0:…, does not) and one of `addresses`, this machine's own, as the example.
 */
export function openHostWarning(
  host: string,
  port: number,
  allowedHosts: readonly string[],
  addresses: readonly string[],
): string | undefined {
  if (isLoopbackHost(host) || allowedHosts.length) return undefined;
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  const loopback = bare === "0.0.0.0" ? "127.0.0.1" : isIPv6(bare) && new URL(`http://[${bare}]`).hostname === "[::]" ? "[::1]" : undefined;
  const example = loopback ? (addresses[0] ?? "mcp.example.com") : host;
  return (
    `listening on ${host} but AIGC_MCP_ALLOWED_HOSTS is not set, so only loopback Host names are answered` +
    (loopback ? ` (http://${loopback}:${port}/mcp, or through a proxy or port forward that sends one)` : "") +
    `: a client using this machine's address or name gets 403. Set the names clients use (name or name:port, comma-separated), e.g. AIGC_MCP_ALLOWED_HOSTS=${example}`
  );
}

/** This machine's non-loopback IPv4 addresses (openHostWarning's example). */
export function machineAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => !a.internal && a.family === "IPv4")
    .map((a) => a.address);
}

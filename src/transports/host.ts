/**
 * Host and Origin checks for the HTTP endpoint (DNS rebinding). A browser page on a name its
 * owner points at 127.0.0.1 sends that name as Host and Origin, so only what cannot be rebound
 * counts as loopback: IP literals in 127.0.0.0/8, ::1 and the exact name `localhost`
 * (`isLoopbackHost`). Every other name must be in the allow-list.
 */
import { isLoopbackHost } from "../config.js";

/** `host[:port]` as RFC 9110 allows it in a Host header; undefined when it is not one. */
export function parseHostHeader(value: string): { name: string; port?: number } | undefined {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]+)(?::(\d{1,5}))?$/.exec(value.trim());
  if (!m) return undefined;
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && port > 65535) return undefined;
  return { name: m[1]!.toLowerCase(), ...(port !== undefined ? { port } : {}) };
}

export interface HostPolicy {
  allowedHosts: string[];
  allowedOrigins: string[];
}

/** Loopback literal or `localhost`, else an allow-listed name (`name` or `name:port`), else refused. */
export function hostAllowed(header: string | undefined, policy: HostPolicy): boolean {
  if (!header) return false;
  const parsed = parseHostHeader(header);
  if (!parsed) return false;
  if (isLoopbackHost(parsed.name)) return true;
  const allowed = policy.allowedHosts.map((h) => h.toLowerCase());
  if (allowed.includes("*")) return true;
  return allowed.includes(parsed.name) || (parsed.port !== undefined && allowed.includes(`${parsed.name}:${parsed.port}`));
}

/** No Origin (not a browser), an allow-listed origin, or an http(s) origin on a loopback literal or `localhost`. */
export function originAllowed(origin: string | undefined, policy: HostPolicy): boolean {
  if (origin === undefined) return true;
  if (policy.allowedOrigins.includes(origin)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  // Compare the origin as sent, not as the URL parser normalises it (it turns 2130706433 into 127.0.0.1).
  const sent = /^https?:\/\/(\[[^\]]+\]|[^:/]+)(?::\d{1,5})?\/?$/i.exec(origin);
  return Boolean(sent && isLoopbackHost(sent[1]!));
}

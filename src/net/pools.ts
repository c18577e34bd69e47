/** The process's outbound socket pools (undici dispatchers), one per name, sized per vendor origin. */
import type { Dispatcher } from "undici";

/**
 * Sockets per vendor origin. Each is a file descriptor, so a burst of calls queues in the pool
 * instead of failing with EMFILE after the vendor billed. It follows the calls the server holds at
 * once (`AIGC_MCP_MAX_CONNECTIONS`: each open call over HTTP holds one; see setConnectionsPerOrigin):
 * a fixed 64 made calls the server had accepted wait for a socket (600 synchronous Seedream renders
 * of 5 s in flight took 47 s instead of 5), and how many may run at once is the vendor's to say (it
 * answers 429, which is retried).
 */
let connectionsPerOrigin = 256;

const POOL_TIMEOUTS = { keepAliveTimeout: 10_000, headersTimeout: 180_000, bodyTimeout: 180_000 } as const;

/** The process's outbound pools by name, made on first use with the current settings. */
const pools = new Map<string, Dispatcher>();

/**
 * Sets the sockets kept per vendor origin (createContext passes `AIGC_MCP_MAX_CONNECTIONS`). Pools
 * made with another size are closed once their requests end, and made again on the next request.
 */
export function setConnectionsPerOrigin(n: number): void {
  const next = Math.max(1, Math.floor(n));
  if (next === connectionsPerOrigin) return;
  connectionsPerOrigin = next;
  for (const p of pools.values()) void p.close().catch(() => undefined);
  pools.clear();
}

/**
 * The outbound pool `name` (the shared one, the URL fetch policy's checked one): made by `make` with
 * the settings every pool shares, once per process and pool size.
 */
export function pool(name: string, make: (options: typeof POOL_TIMEOUTS & { connections: number }) => Dispatcher): Dispatcher {
  let p = pools.get(name);
  if (!p) pools.set(name, (p = make({ ...POOL_TIMEOUTS, connections: connectionsPerOrigin })));
  return p;
}

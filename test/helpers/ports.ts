/**
 * A port for a process a test starts on a port it must know beforehand (Redis, a replica, a proxy).
 *
 * Asking the kernel for one (`listen(0)`) and closing it races: the port comes from the ephemeral
 * range, which every outgoing connection and every other `listen(0)` of the parallel test files
 * draws from too, so it can be taken before the process listens on it (a replica restarted on its
 * port once failed with EADDRINUSE in CI). This picks a free port below that range instead, which
 * nothing takes unasked.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

const LOWEST = 10_000;

/** The kernel's ephemeral range on Linux; elsewhere IANA's (49152–65535), which macOS and Windows use. */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 49_152;
  } catch {
    return 49_152;
  }
}

function tryListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

/** A port on 127.0.0.1 that was free a moment ago and that no outgoing connection or `listen(0)` will take. */
export async function freePort(): Promise<number> {
  const high = ephemeralLow() - 1;
  if (high - LOWEST < 1000) throw new Error(`the ephemeral port range starts at ${high + 1}: too low to pick a port below it`);
  for (let i = 0; i < 100; i++) {
    const port = LOWEST + Math.floor(Math.random() * (high - LOWEST));
    if (await tryListen(port)) return port;
  }
  throw new Error(`no free port found between ${LOWEST} and ${high} in 100 tries`);
}

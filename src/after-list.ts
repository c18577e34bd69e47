/**
 * Work for the idle time after a tools/list answer, the moment a client has what it waits for at
 * start (issue 16): the compile cache is written when this start found none (src/compile-cache.ts),
 * then undici loads (src/net/undici.ts). The cache holds what a start runs up to that answer, not
 * undici's code: every start reads the whole cache before it runs anything, and undici is not needed
 * until later. Both happen once per process (each guards itself); neither throws.
 */
import { compileCache } from "./compile-cache.js";
import { log } from "./log.js";
import { preloadUndici } from "./net/undici.js";
import { withStartFlags } from "./net/v8-flags.js";

export function afterToolsListed(): void {
  setImmediate(() => {
    try {
      // with the flags every start has: V8 stamps them on the cache (a large stream may be running)
      const saved = withStartFlags(() => compileCache()?.save());
      if (saved) log.debug(`compile cache written: ${saved.file} (${saved.bytes} bytes)`);
    } catch (err) {
      // a folder that cannot take it costs every start its cache: said as a warning
      log.warn(`compile cache not written: ${(err as Error).message}`);
    }
  });
  preloadUndici(); // queued after the cache's write
}

/**
 * The one way to load a package from node_modules on first use (sharp, the AWS SDK, ioredis, the
 * media sniffers; scripts/bundle.mjs keeps them out of the bundle). In the bundle, dist/index.js
 * runs the server as a `vm.Script` with V8's code cache (src/compile-cache.ts), and Node 20 cannot
 * run an `import()` written inside such a script ("A dynamic import callback was not specified"):
 * the entry registers its own `import()`, which resolves from the same folder. Run from tsc's
 * modules, this file's own `import()` does it.
 *
 * Usage: `await loadPackage<typeof import("file-type")>("file-type")`. Rejects as `import()` does
 * (ERR_MODULE_NOT_FOUND when the package is not installed).
 */
export const IMPORTER = Symbol.for("aigc-mcp.import");

type Importer = (specifier: string) => Promise<unknown>;

export function loadPackage<T>(specifier: string): Promise<T> {
  const importer = (globalThis as { [IMPORTER]?: Importer })[IMPORTER] ?? ((s: string) => import(s));
  return importer(specifier) as Promise<T>;
}

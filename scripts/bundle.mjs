// The start-up build (issue 16): src/index.ts (which enables the compile cache and imports main.ts) into ESM
// file, dist/index.js, which `bin`, `npm start`, mcp.json, the Dockerfile and the e2e tests run.
// Most of an unbundled start is resolving and loading ~300 modules one by one; one file is parsed
// once. tsc's own entry is kept as dist/index.unbundled.js (bench/startup.mjs times both), and the
// rest of tsc's dist/** stays for the tests and the bench, which import single modules.
//
// The bundle sits at the dist/ root, so every `new URL("./x", import.meta.url)` (the viewer's HTML,
// demo.js's entry), `new URL("../package.json", import.meta.url)` and the gateway schema worker's
// createRequire(import.meta.url) resolve as from tsc's dist/index.js.
// External, loaded from node_modules on first use and never at start: sharp (native .node files) and
// what is only reached through a dynamic import: the object store (aws-sdk), Redis, the media
// sniffers. undici is bundled but split into its own chunk (dist/chunk-*.js), which src/net/undici.ts
// imports after the tool list is answered or on the first request: one file, not its ~100 (loaded
// from node_modules they stalled the event loop for 100-370 ms in the middle of the first call).
import { readdirSync, renameSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { build } from "esbuild";
import { writeNotices } from "./notices.mjs";

const root = new URL("../", import.meta.url);
const dist = (/** @type {string} */ p) => new URL(`dist/${p}`, root).pathname;
const pkg = JSON.parse(readFileSync(new URL("package.json", root), "utf8"));

export const EXTERNAL = ["sharp", "@aws-sdk/*", "ioredis", "music-metadata", "file-type", "image-size"];

/**
 * zod's 50 message locales are a sixth of the bundle, and nothing here calls z.config(z.locales.xx()):
 * only English (zod's default, imported by zod itself) is kept; `z.locales` has just `en`.
 * @type {import("esbuild").Plugin}
 */
const englishOnly = {
  name: "zod-english-only",
  setup(b) {
    // The path relative to the project: esbuild writes it into a comment, and an absolute one made
    // the output (and its chunk names) differ by the folder it was built in.
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      /[/\\]zod[/\\]/.test(args.importer)
        ? { path: relative(root.pathname, join(args.resolveDir, args.path)), namespace: "zod-locales" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
      contents: 'export { default as en } from "./en.js";',
      resolveDir: dirname(join(root.pathname, args.path)),
      loader: "js",
    }));
  },
};

renameSync(dist("index.js"), dist("index.unbundled.js"));
renameSync(dist("index.js.map"), dist("index.unbundled.js.map"));
for (const old of readdirSync(dist(""))) if (old.startsWith("chunk-")) rmSync(dist(old));
const result = await build({
  entryPoints: [new URL("src/index.ts", root).pathname],
  outdir: dist(""),
  entryNames: "[name]",
  chunkNames: "chunk-[hash]",
  splitting: true,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external: EXTERNAL,
  // Bundled CommonJS packages (undici, ajv) call require() for Node's built-ins: give the ESM file one.
  banner: {
    js: 'import { createRequire as __aigcCreateRequire } from "node:module";\nconst require = __aigcCreateRequire(import.meta.url);',
  },
  define: { AIGC_MCP_BUILD_VERSION: JSON.stringify(pkg.version) },
  sourcemap: "linked",
  legalComments: "none",
  plugins: [englishOnly],
  metafile: true,
  logLevel: "warning",
});
const files = Object.entries(result.metafile.outputs).filter(([name]) => name.endsWith(".js"));
const kib = (/** @type {number} */ n) => `${(n / 1024).toFixed(0)} KiB`;
console.log(`bundle: ${files.map(([name, o]) => `${name.replace(/.*\/dist\//, "dist/")} ${kib(o.bytes)}`).join(", ")}`);
const viewer = JSON.parse(readFileSync(dist("viewer.meta.json"), "utf8"));
const bundled = writeNotices([result.metafile, viewer], root.pathname, dist("THIRD-PARTY-LICENSES.txt"));
console.log(`bundled packages (their licenses in dist/THIRD-PARTY-LICENSES.txt): ${bundled.join(", ")}`);

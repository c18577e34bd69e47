// The start-up build (issue 16): the whole server, src/main.ts and everything it imports, as one
// CommonJS file, dist/server.cjs, and the entry, dist/index.js (src/index.ts), which runs it with V8's
// code cache (src/compile-cache.ts): `bin`, `npm start`, mcp.json, the Dockerfile and the e2e tests
// run it. Unbundled, most of a start was resolving and loading ~300 modules one by one; bundled into
// ES module chunks, ~3 MB to parse and compile at every start, which Node 20 cannot cache for ES
// modules. One CommonJS file run as a vm.Script can be: with the cache a start compiles almost nothing.
// CommonJS keeps what the code loads on demand lazy: esbuild wraps such modules (undici, the
// sandbox's simulators, the vendors' tools) in functions run on their first import.
// tsc's own entry is kept as dist/index.unbundled.js (bench/startup.mjs times both; without the
// build-time hash it imports main.js), and the rest of tsc's dist/** stays for the tests and the bench,
// which import single modules.
//
// The bundle sits at the dist/ root, so every `new URL("./x", import.meta.url)` (the viewer's HTML,
// demo.js's entry), `new URL("../package.json", import.meta.url)` and the gateway schema worker's
// createRequire(import.meta.url) resolve as from tsc's dist/index.js (import.meta.url is the bundle's
// file URL, made from __filename).
// External, loaded from node_modules on first use and never at start: sharp (native .node files) and
// what is only reached through a dynamic import: the object store (aws-sdk), Redis, the media sniffers.
import { createHash } from "node:crypto";
import { readdirSync, renameSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { build, transform } from "esbuild";
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

/**
 * Makes the bundle ASCII only, so the entry reads it as latin1 (src/compile-cache.ts): decoding is a
 * copy instead of UTF-8 validation (~7 ms of a start), and V8 keeps the source as a one-byte string,
 * 3 MB instead of 6. esbuild escapes non-ASCII characters in strings, not in comments or regular
 * expression literals: in a comment each non-ASCII UTF-16 unit becomes "?" (the columns, and so the
 * source map, stay right); one outside the comments fails the build (write it as \uXXXX there).
 * @param {string} file
 */
async function asciiOnly(file) {
  const text = readFileSync(file, "utf8");
  if (!/[\u0080-\uffff]/.test(text)) return;
  const { code } = await transform(text, { loader: "js", minifyWhitespace: true, legalComments: "none" });
  const outside = /.{0,40}[\u0080-\uffff].{0,40}/.exec(code);
  if (outside) throw new Error(`${file}: a non-ASCII character outside comments, write it as \\uXXXX in the source: ${outside[0]}`);
  writeFileSync(file, text.replace(/[\u0080-\uffff]/g, "?"));
}

renameSync(dist("index.js"), dist("index.unbundled.js"));
renameSync(dist("index.js.map"), dist("index.unbundled.js.map"));
/** What both builds share: one Node 20 file each, linked source maps, and a metafile for the notices. */
const NODE_FILE = /** @type {const} */ ({
  bundle: true,
  platform: "node",
  target: "node20",
  // jsonc-parser's main is a UMD file whose require() calls esbuild cannot follow; its ES module build bundles.
  alias: { "jsonc-parser": "jsonc-parser/lib/esm/main.js" },
  sourcemap: "linked",
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
});
for (const old of readdirSync(dist(""))) if (old.startsWith("chunk-") || old.startsWith("server.cjs")) rmSync(dist(old));
const server = await build({
  entryPoints: [new URL("src/main.ts", root).pathname],
  outfile: dist("server.cjs"),
  ...NODE_FILE,
  format: "cjs",
  external: EXTERNAL,
  // ES module semantics the code was written for: strict mode, and import.meta.url as the file's URL.
  banner: { js: '"use strict";\nconst __aigcImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  define: { AIGC_MCP_BUILD_VERSION: JSON.stringify(pkg.version), "import.meta.url": "__aigcImportMetaUrl" },
  plugins: [englishOnly],
});
await asciiOnly(dist("server.cjs"));
const hash = createHash("sha256")
  .update(readFileSync(dist("server.cjs")))
  .digest("hex")
  .slice(0, 16);
const { listVars } = await import(new URL("dist/plugins.js", root).href);
const entry = await build({
  entryPoints: [new URL("src/index.ts", root).pathname],
  outfile: dist("index.js"),
  ...NODE_FILE,
  format: "esm",
  // the modules' entry, imported only when there is no bundle beside it
  external: ["./main.js"],
  // the stored tool list's key (src/early-answers.ts), from tsc's modules of the same source
  define: { AIGC_MCP_BUNDLE_HASH: JSON.stringify(hash), AIGC_MCP_LIST_VARS: JSON.stringify(listVars()) },
});
const files = [server, entry].flatMap((r) => Object.entries(r.metafile.outputs)).filter(([name]) => /\.c?js$/.test(name));
const kib = (/** @type {number} */ n) => `${(n / 1024).toFixed(0)} KiB`;
console.log(`bundle: ${files.map(([name, o]) => `${name.replace(/.*\/dist\//, "dist/")} ${kib(o.bytes)}`).join(", ")}`);
const viewer = JSON.parse(readFileSync(dist("viewer.meta.json"), "utf8"));
const bundled = writeNotices([server.metafile, entry.metafile, viewer], root.pathname, dist("THIRD-PARTY-LICENSES.txt"));
console.log(`bundled packages (their licenses in dist/THIRD-PARTY-LICENSES.txt): ${bundled.join(", ")}`);

// `npm run build` step: bundles the MCP App view (src/viewer/) with esbuild and inlines the script
// and the CSS into one self-contained HTML file, dist/viewer.html (no external domain, no fetch: it
// works under the default MCP Apps CSP). Fails when the file reaches 150 kB.
//
// The view needs the official ext-apps `App`, which brings the MCP SDK's protocol and zod. Bundled
// as published that is 509 kB; three source rewrites, each checked to have matched, bring it to
// about 130 kB without changing what the view runs:
//  1. ext-apps imports zod as `import { z } from "zod/v4"`, a re-exported namespace esbuild cannot
//     shake (every zod locale and JSON-Schema converter is kept); `import * as z` is the same object
//     and shakes.
//  2. Its `registerTool` (tools a view offers the host) loads zod lazily to convert schemas to JSON
//     Schema; the viewer offers no tools, so that import is cut.
//  3. zod's JSON-Schema converters are replaced by stubs that throw (only `toJSONSchema` uses them),
//     and ext-apps' `.describe("…")` texts on its message schemas (documentation: validation
//     ignores them, 9 kB) are dropped.
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import ts from "typescript";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SRC = `${ROOT}src/viewer/`;
const OUT = `${ROOT}dist/viewer.html`;
export const MAX_BYTES = 150_000;

/**
 * Removes `x.describe("literal")` calls, keeping `x`.
 * @param {string} code
 */
function dropDescribe(code) {
  const sf = ts.createSourceFile("m.js", code, ts.ScriptTarget.Latest, true);
  /** @type {Array<[number, number]>} */
  const cuts = [];
  /** @param {ts.Node} node */
  const visit = (node) => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === "describe" &&
      node.arguments.length === 1 &&
      ts.isStringLiteralLike(/** @type {ts.Expression} */ (node.arguments[0]))
    ) {
      cuts.push([node.expression.expression.end, node.end]);
    }
    node.forEachChild(visit);
  };
  visit(sf);
  let out = code;
  for (const [from, to] of cuts.sort((a, b) => b[0] - a[0])) out = out.slice(0, from) + out.slice(to);
  return { out, count: cuts.length };
}

/**
 * @param {string} text
 * @param {RegExp | string} pattern
 * @param {string} by
 * @param {string} what
 */
function rewrite(text, pattern, by, what) {
  const out = text.replace(pattern, () => by);
  if (out === text) throw new Error(`build-viewer: ${what} not found: the ext-apps or zod upgrade changed it; review this script`);
  return out;
}

/** @type {esbuild.Plugin} */
const slim = {
  name: "slim-ext-apps",
  setup(build) {
    build.onLoad({ filter: /[\\/]@modelcontextprotocol[\\/]ext-apps[\\/]dist[\\/]src[\\/]app\.js$/ }, async (args) => {
      let code = await readFile(args.path, "utf8");
      code = code.replace(/import\{z as (\w+)\}from"zod\/v4"/g, (_m, /** @type {string} */ name) => `import*as ${name} from"zod/v4"`);
      if (/import\{z as \w+\}from"zod\/v4"/.test(code) || !code.includes('from"zod/v4"'))
        throw new Error("build-viewer: ext-apps' zod import changed; review this script");
      code = rewrite(code, 'await import("zod/v4")', 'await Promise.reject(Error("no JSON Schema in the viewer"))', "the lazy zod import");
      const { out, count } = dropDescribe(code);
      if (count < 50) throw new Error(`build-viewer: only ${count} .describe() calls in ext-apps; review this script`);
      return { contents: out, loader: "js" };
    });
    build.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]core[\\/](json-schema-processors|to-json-schema)\.js$/ }, async (args) => {
      const code = await readFile(args.path, "utf8");
      const names = [...code.matchAll(/^export (?:async )?(?:function|const|class) (\w+)|^export \{ \w+ as (\w+) \}/gm)].map(
        (m) => m[1] ?? m[2],
      );
      if (names.length < 5) throw new Error(`build-viewer: ${args.path} exports changed; review this script`);
      const stub = names.map((n) => `export function ${n}() { throw new Error("zod JSON Schema is not in the viewer bundle"); }`);
      return { contents: stub.join("\n"), loader: "js" };
    });
  },
};

const result = await esbuild.build({
  entryPoints: [`${SRC}app.ts`],
  bundle: true,
  minify: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  write: false,
  legalComments: "none",
  plugins: [slim],
  logLevel: "warning",
  metafile: true,
});
const script = /** @type {esbuild.OutputFile} */ (result.outputFiles[0]).text;
const css = (await esbuild.transform(await readFile(`${SRC}styles.css`, "utf8"), { loader: "css", minify: true })).code;
if (/<\/script/i.test(script) || /<\/style/i.test(css)) throw new Error("build-viewer: the bundle contains a closing tag");
const template = await readFile(`${SRC}index.html`, "utf8");
const html = rewrite(rewrite(template, "/*STYLES*/", css.trim(), "the styles marker"), "/*SCRIPT*/", script.trim(), "the script marker");
const size = Buffer.byteLength(html);
if (size >= MAX_BYTES) throw new Error(`build-viewer: dist/viewer.html is ${size} bytes, over the ${MAX_BYTES}-byte limit`);
await writeFile(OUT, html);
console.log(`dist/viewer.html: ${size} bytes`);
// scripts/bundle.mjs lists the packages inlined here in dist/THIRD-PARTY-LICENSES.txt.
await writeFile(`${ROOT}dist/viewer.meta.json`, JSON.stringify(result.metafile));

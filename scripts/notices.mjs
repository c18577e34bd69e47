// The licenses of the packages bundled into dist/ (issue 16): the package ships their code inside its
// chunks and dist/viewer.html, not in node_modules, so their notices go with it as
// dist/THIRD-PARTY-LICENSES.txt. The list comes from esbuild's metafiles (the files it actually
// bundled), not from package.json.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * Writes `out` with each bundled package's name, version, license field and license file text.
 * @param {import("esbuild").Metafile[]} metafiles
 * @param {string} root the project folder (metafile input paths are relative to it)
 * @param {string} out
 * @returns {string[]} the bundled packages' names, sorted
 */
export function writeNotices(metafiles, root, out) {
  /** package folder → the folders of its files that were inlined */
  const packages = new Map();
  for (const input of metafiles.flatMap((m) => Object.keys(m.inputs))) {
    // the innermost node_modules/<name> or node_modules/@scope/<name> holding the file
    const at = input.lastIndexOf("node_modules/");
    if (at < 0 || /^[\w-]+:/.test(input)) continue; // a plugin's namespace (zod-locales:…): its real files are inputs too
    const name = /^(?:@[^/]+\/)?[^/]+/.exec(input.slice(at + "node_modules/".length))?.[0];
    if (!name) continue;
    const dir = input.slice(0, at) + `node_modules/${name}`;
    packages.set(dir, (packages.get(dir) ?? new Set()).add(dirname(input)));
  }
  const entries = [...packages].map(([dir, folders]) => {
    const pkg = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8"));
    const own = licenseIn(root, dir);
    const text = own
      ? readFileSync(join(root, dir, own), "utf8").trim()
      : `(no license file in the package; package.json says ${pkg.license})`;
    // code a package vendors from elsewhere keeps its license beside it (undici's lib/web/fetch/LICENSE)
    const nested = new Set();
    for (const folder of folders)
      for (let d = folder; d.length > dir.length; d = dirname(d)) {
        const file = licenseIn(root, d);
        if (file) nested.add(`${d}/${file}`);
      }
    const extra = [...nested]
      .sort()
      .map((f) => `\n\n${f.slice(dir.length + 1)} (code ${pkg.name} includes):\n\n${readFileSync(join(root, f), "utf8").trim()}`);
    return { name: pkg.name, version: pkg.version, license: pkg.license, text: text + extra.join("") };
  });
  // one entry per name@version (two folders may hold the same version)
  const unique = [...new Map(entries.map((e) => [`${e.name}@${e.version}`, e])).values()];
  unique.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const body = unique.map((e) => `${e.name}@${e.version} (${e.license})\n\n${e.text}\n`).join(`\n${"-".repeat(72)}\n\n`);
  writeFileSync(out, `aigc-mcp's dist/ bundles code from these packages, under these licenses.\n\n${body}`);
  return [...new Set(unique.map((e) => e.name))];
}

/** The license file's name in `dir` (LICENSE, LICENCE, LICENSE.md…), if there is one. */
function licenseIn(/** @type {string} */ root, /** @type {string} */ dir) {
  return readdirSync(join(root, dir)).find((f) => /^licen[cs]e(\.(md|txt))?$/i.test(f));
}

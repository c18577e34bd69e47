/**
 * Issue 16 (tryout): what `npm pack` ships is what a user runs. The package holds the bundle
 * (dist/index.js and dist/server.cjs), the viewer's HTML, the bundled packages' licenses and the documents,
 * not tsc's module tree, its declarations or source maps (nothing starts node with
 * --enable-source-maps); every file the bundle loads is in it, every package it imports is a
 * dependency, and every dependency is one it imports (a bundled package is a dev dependency: the
 * install would fetch it for nothing). The tarball installed into an empty
 * project (offline, from npm's cache, with this repository's lockfile pins) starts as
 * `node_modules/.bin/aigc-mcp` from another folder without building anything.
 * Uses dist/ as `npm run build` left it (`--ignore-scripts`: packing here must not rebuild it under the
 * other e2e tests).
 */
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/harness.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  name: string;
  version: string;
  bin: Record<string, string>;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};
const exec = promisify(execFile);
const npm = (args: string[], cwd: string) =>
  exec("npm", args, { cwd, env: { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false" }, maxBuffer: 64 << 20 });

interface Packed {
  filename: string;
  files: Array<{ path: string; mode: number }>;
}

describe("the npm package", () => {
  let packed: Packed;
  let tarball: string;
  beforeAll(async () => {
    const out = tempDir("aigc-pack-");
    const { stdout } = await npm(["pack", "--json", "--ignore-scripts", "--pack-destination", out], ROOT);
    packed = (JSON.parse(stdout) as Packed[])[0]!;
    tarball = join(out, packed.filename);
  }, 120_000);

  it("holds the entry, the bundle, the viewer and the documents, and nothing of tsc's tree", () => {
    const paths = packed.files.map((f) => f.path).sort();
    const extra = paths.filter(
      (p) =>
        ![
          "dist/index.js",
          "dist/server.cjs",
          "dist/viewer.html",
          "dist/THIRD-PARTY-LICENSES.txt",
          "package.json",
          "README.md",
          "PRIVACY.md",
          "LICENSE",
          "mcp.json",
        ].includes(p),
    );
    expect(extra).toEqual([]);
    for (const p of ["dist/index.js", "dist/server.cjs", "dist/viewer.html", "README.md", "PRIVACY.md", "LICENSE", "mcp.json"])
      expect(paths).toContain(p);
    expect(paths.filter((p) => p.endsWith(".map") || p.endsWith(".d.ts"))).toEqual([]);
    // bin is in it and executable
    const bin = packed.files.find((f) => f.path === pkg.bin["aigc-mcp"]!.replace(/^\.\//, ""));
    expect(bin).toBeDefined();
    expect(bin!.mode & 0o111).not.toBe(0);
  });

  it("has every file the bundle loads; the packages it imports are exactly the dependencies", () => {
    const paths = new Set(packed.files.map((f) => f.path));
    const imported = new Set<string>();
    const builtins = new Set(builtinModules);
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      expect(paths, `${file} is loaded but not packed`).toContain(file);
      const code = readFileSync(join(ROOT, file), "utf8");
      // static and dynamic imports, require() of bundled CommonJS, loadPackage() (src/load-package.ts) and
      // the gateway schema worker's load()
      // (esbuild writes double quotes; undici's JSDoc types use single)
      for (const [, spec] of code.matchAll(/(?:\bfrom\s*|\bimport\(\s*|\brequire\(|\bload\(|\bloadPackage\d*\()"([@\w./:-]+)"/g)) {
        const s = spec!;
        if (file === "dist/index.js" && s === "./main.js") continue; // only without dist/server.cjs beside it (tsc's tree alone)
        if (s.startsWith("./")) visit(`dist/${s.slice(2)}`);
        else if (s.startsWith("node:") || builtins.has(s)) continue;
        else {
          const name = s.startsWith("@") ? s.split("/").slice(0, 2).join("/") : s.split("/")[0]!;
          imported.add(name);
          expect(Object.keys(pkg.dependencies), `${file} imports ${s}`).toContain(name);
        }
      }
      // files read beside the bundle at run time: new URL("./viewer.html", import.meta.url), "../package.json",
      // the entry's "./server.cjs" (import.meta.url is __aigcImportMetaUrl in the CommonJS bundle)
      for (const [, rel] of code.matchAll(/new URL\("(\.\.?\/[^"]+)", (?:import\.meta\.url|__aigcImportMetaUrl)\)/g)) {
        const target = rel!.startsWith("../") ? rel!.slice(3) : `dist/${rel!.slice(2)}`;
        if (target.endsWith(".js") && !paths.has(target)) continue; // demo.js's entry: not shipped with the package
        expect(paths, `${file} reads ${rel}`).toContain(target);
        if (target.endsWith(".cjs")) visit(target);
      }
    };
    visit(pkg.bin["aigc-mcp"]!.replace(/^\.\//, ""));
    expect([...seen]).toContain("dist/server.cjs");
    expect(Object.keys(pkg.dependencies).filter((d) => !imported.has(d))).toEqual([]);
  });

  it("ships the licenses of the packages bundled into dist/ (they are not installed beside it)", () => {
    const notices = readFileSync(join(ROOT, "dist", "THIRD-PARTY-LICENSES.txt"), "utf8");
    for (const name of ["@modelcontextprotocol/sdk", "@modelcontextprotocol/ext-apps", "zod", "undici", "jose", "eventsource-parser"])
      expect(notices).toMatch(new RegExp(`^${name.replace("/", "\\/")}@\\d+\\.\\d+\\.\\d+ \\(MIT\\)\\n\\n\\S`, "m"));
    expect(notices).not.toMatch(/@aws-sdk|ioredis|sharp@/);
    // a license a package keeps beside code it vendors goes too
    expect(notices).toMatch(/^lib\/web\/fetch\/LICENSE \(code undici includes\):\n\n\S/m);
  });

  it("installs offline into an empty project and runs as node_modules/.bin/aigc-mcp from another folder", async () => {
    const project = tempDir("aigc-install-");
    // The tarball's own dependencies, pinned as this repository's lockfile resolved them (an offline
    // install then needs nothing but npm's cache, which `npm ci` filled).
    const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
      lockfileVersion: number;
      packages: Record<string, { dev?: boolean; devOptional?: boolean; link?: boolean }>;
    };
    const packages: Record<string, unknown> = {
      "": { name: "install-test", version: "1.0.0", dependencies: { [pkg.name]: `file:${tarball}` } },
      [`node_modules/${pkg.name}`]: {
        version: pkg.version,
        resolved: `file:${tarball}`,
        license: "MIT",
        dependencies: pkg.dependencies,
        bin: pkg.bin,
      },
    };
    for (const [path, entry] of Object.entries(lock.packages))
      if (path.startsWith("node_modules/") && !entry.dev && !entry.devOptional && !entry.link) packages[path] = entry;
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "install-test", version: "1.0.0", private: true, dependencies: { [pkg.name]: `file:${tarball}` } }),
    );
    writeFileSync(
      join(project, "package-lock.json"),
      JSON.stringify({ name: "install-test", version: "1.0.0", lockfileVersion: 3, requires: true, packages }),
    );
    const installed = await npm(["ci", "--offline", "--no-audit", "--no-fund"], project);
    // The tarball is built: installing it builds nothing (no dev dependencies, no sources to build).
    expect(installed.stderr).not.toMatch(/npm run build|tsc/);

    const bin = join(project, "node_modules", ".bin", "aigc-mcp");
    const elsewhere = join(tempDir("aigc-cwd-"), "sub");
    mkdirSync(elsewhere);
    const env = { PATH: process.env.PATH ?? "", AIGC_MCP_OUTPUT_DIR: join(elsewhere, "out") };
    const version = await exec(bin, ["--version"], { cwd: elsewhere, env });
    expect(version.stdout.trim()).toContain(pkg.version);

    const client = new Client({ name: "e2e", version: "1.0.0" });
    await client.connect(new StdioClientTransport({ command: bin, args: ["--sandbox"], cwd: elsewhere, env, stderr: "ignore" }));
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(["seedream_generate_image", "kling_text_to_video", "get_job"]));
      // the viewer's HTML comes from the installed package
      const viewer = await client.readResource({ uri: "ui://aigc-mcp/viewer" });
      expect(String((viewer.contents[0] as { text?: string }).text)).toMatch(/<html/i);
    } finally {
      await client.close();
    }
  }, 240_000);

  it("builds on prepare: a clone's npm install, a git install (npx github:…) and npm pack build it", () => {
    expect(pkg.scripts.prepare).toMatch(/npm run build/);
  });
});

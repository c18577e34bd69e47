/**
 * The project's shape, checked (in the spirit of vercel/ai's konsistent): one id and two folders
 * per vendor, vendor ids named only inside those folders and the plugin list, env declarations
 * that --help and the README can rely on, and source files short enough to read.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { CORE_ENV } from "../../src/config.js";
import { PLUGINS } from "../../src/plugins.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const IDS = PLUGINS.map((p) => p.id);

/** Folders under src/vendors/ that are not a vendor: code shared by several adapters (the model catalog kit). */
const SHARED_VENDOR_FOLDERS = ["kit"];

const MAX_LINES = 300;

/** Files that may stay over 300 lines, each with the reason. */
const ALLOWED_OVER_300: Record<string, string> = {
  "src/vendors/ark/simulator.ts": "a simulator is one vendor's whole documented contract, read side by side with the vendor's docs",
  "src/vendors/kling/simulator.ts": "a simulator is one vendor's whole documented contract, read side by side with the vendor's docs",
  "src/vendors/visual/simulator.ts": "a simulator is one vendor's whole documented contract, read side by side with the vendor's docs",
  "src/vendors/gateway/simulator.ts": "a simulator is one vendor's whole documented contract, read side by side with the vendor's docs",
};

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(`${dir}/${e.name}`) : e.name.endsWith(".ts") ? [`${dir}/${e.name}`] : [],
  );
}

function folders(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

const SRC = sourceFiles("src");
const read = (file: string) => readFileSync(join(ROOT, file), "utf8");
const lineCount = (text: string) => text.split("\n").length - (text.endsWith("\n") ? 1 : 0);

/** Every string literal (module specifiers included) and identifier of a file, comments excluded. */
function tokens(file: string): { strings: string[]; identifiers: string[] } {
  const out = { strings: [] as string[], identifiers: [] as string[] };
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node))
      out.strings.push(node.text);
    else if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) out.identifiers.push(node.text);
    node.forEachChild(visit);
  };
  visit(ts.createSourceFile(file, read(file), ts.ScriptTarget.Latest, true));
  return out;
}

/** The vendor whose folders hold `file`, if any. */
function owner(file: string): string | undefined {
  return /^src\/(?:vendors|tools)\/([^/]+)\//.exec(file)?.[1];
}

/** Does a string literal name vendor `id`: the id itself, or a relative module path through a folder of that name? */
function namesVendor(literal: string, id: string): boolean {
  return literal === id || (literal.startsWith(".") && literal.split("/").includes(id));
}

describe("vendor ids and folders", () => {
  it("each plugin's id is its VENDOR_ID and the name of its two folders, each with its fixed files", async () => {
    expect(new Set(IDS).size).toBe(IDS.length);
    expect(folders("src/vendors").filter((f) => !SHARED_VENDOR_FOLDERS.includes(f))).toEqual([...IDS].sort());
    expect(folders("src/tools")).toEqual([...IDS].sort());
    for (const p of PLUGINS) {
      for (const f of [`src/vendors/${p.id}/config.ts`, `src/vendors/${p.id}/simulator.ts`, `src/tools/${p.id}/plugin.ts`])
        expect(existsSync(join(ROOT, f)), `${f} exists`).toBe(true);
      const config = (await import(pathToFileURL(join(ROOT, `src/vendors/${p.id}/config.ts`)).href)) as { VENDOR_ID?: unknown };
      expect(config.VENDOR_ID, `VENDOR_ID of src/vendors/${p.id}/config.ts`).toBe(p.id);
      const plugin = (await import(pathToFileURL(join(ROOT, `src/tools/${p.id}/plugin.ts`)).href)) as Record<string, unknown>;
      expect(Object.values(plugin), `src/tools/${p.id}/plugin.ts exports the "${p.id}" plugin`).toContain(p);
    }
  });

  it("no source file names a vendor id outside that vendor's two folders and src/plugins.ts", () => {
    const found: string[] = [];
    for (const file of SRC.filter((f) => f !== "src/plugins.ts")) {
      const { strings } = tokens(file);
      for (const id of IDS.filter((i) => i !== owner(file)))
        for (const s of strings.filter((s) => namesVendor(s, id))) found.push(`${file}: ${JSON.stringify(s)}`);
    }
    expect(found, "move vendor-specific code into src/vendors/<id>/ or src/tools/<id>/ and reach it through the plugin").toEqual([]);
  });

  it("src/sandbox/ names no vendor, not even in an identifier", () => {
    const found: string[] = [];
    for (const file of SRC.filter((f) => f.startsWith("src/sandbox/"))) {
      const { strings, identifiers } = tokens(file);
      const words = [
        ...strings.flatMap((s) => s.toLowerCase().split(/[^a-z0-9]+/)),
        ...identifiers.flatMap((i) => i.split(/(?<=[a-z0-9])(?=[A-Z])|_/).map((w) => w.toLowerCase())),
      ];
      for (const id of IDS) if (words.includes(id)) found.push(`${file}: ${id}`);
    }
    expect(found, "the sandbox reaches simulators through PLUGINS only").toEqual([]);
  });
});

describe("environment declarations", () => {
  const all = [...CORE_ENV, ...PLUGINS.flatMap((p) => p.env)];

  it("names are unique; descriptions are one short paragraph (they feed --help and the README)", () => {
    const names = all.map((v) => v.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    for (const v of all) {
      expect(v.description.length, `${v.name} description length`).toBeLessThanOrEqual(300);
      expect(v.description, v.name).not.toMatch(/\n/);
    }
  });

  it("only server variables have flags, and never a secret", () => {
    // parseArgs maps the flags of CORE_ENV only: a vendor flag would be documented but do nothing.
    for (const v of PLUGINS.flatMap((p) => p.env)) expect(v.flag, v.name).toBeUndefined();
    for (const v of CORE_ENV.filter((v) => v.secret)) expect(v.flag, v.name).toBeUndefined();
  });

  it("a plugin's secrets() are exactly the values of its variables marked secret", () => {
    for (const p of PLUGINS) {
      const env = Object.fromEntries(p.env.map((v, i) => [v.name, `value-${i}-of-${v.name}`]));
      const marked = p.env.filter((v) => v.secret).map((v) => env[v.name]);
      expect(p.secrets(env).filter(Boolean).sort(), p.id).toEqual(marked.sort());
    }
  });
});

describe("file size", () => {
  const long = SRC.filter((f) => lineCount(read(f)) > MAX_LINES);

  it(`no source file is over ${MAX_LINES} lines unless listed with a reason`, () => {
    const unlisted = long.filter((f) => !(f in ALLOWED_OVER_300));
    expect(unlisted, `split these files (a simulator may instead join ALLOWED_OVER_300 with its reason)`).toEqual([]);
  });

  it("the list only names files that are still long, and each says in its header why it is one file", () => {
    for (const f of Object.keys(ALLOWED_OVER_300))
      expect(long, `${f} is ${MAX_LINES} lines or fewer now (or gone): remove it from its list`).toContain(f);
    for (const f of Object.keys(ALLOWED_OVER_300)) {
      const header = /^\/\*\*[\s\S]*?\*\//.exec(read(f))?.[0] ?? "";
      expect(header, `${f} opens with a header comment that says why it is one long file`).toMatch(/one file on purpose/i);
    }
  });
});

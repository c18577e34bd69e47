#!/usr/bin/env node
/**
 * Checks every client snippet a newcomer copies (issue 12 item 13): the fenced blocks of the
 * README's "Install and run" and "Client setup" sections (every subsection, whoever adds it) and
 * mcp.json. JSON must parse; every server command must run from a clone after `npm install`:
 * `node <file>` names a file that exists (`/path/to/aigc-mcp/` stands for the clone), `aigc-mcp`
 * is this package's bin (after `npm link`), `npx` runs a pinned published package (never
 * `aigc-mcp`, which is not on npm yet), anything else is on PATH or a known client CLI. A block
 * preceded by `<!-- check-snippets: skip (why) -->` is not checked (e.g. the once-published form).
 *
 * Usage: node scripts/check-snippets.mjs [README.md mcp.json …]  (exit 1 with one line per problem)
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const PLACEHOLDER = "/path/to/aigc-mcp";
const SECTIONS = ["Install and run", "Client setup"];
/** Client programs a snippet configures but a clone cannot install; their arguments are still checked. */
const CLIENT_CLIS = new Set(["claude", "code", "cursor", "codex", "gemini"]);
const SHELL_BUILTINS = new Set(["cd", "export", "echo", "set", "source", "."]);
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

/** @typedef {{ line: number; lang: string; text: string }} Block */

/**
 * The fenced blocks of the sections a newcomer follows, with their line numbers.
 * @param {string} text
 * @returns {Block[]}
 */
export function readmeBlocks(text) {
  const lines = text.split("\n");
  const blocks = [];
  let inSection = false;
  for (let i = 0; i < lines.length; i++) {
    const h = /^(#{1,6}) (.*)$/.exec(lines[i] ?? "");
    if (h && (h[1] ?? "").length <= 2) inSection = SECTIONS.includes((h[2] ?? "").trim());
    const open = /^(\s*)```(\w*)/.exec(lines[i] ?? "");
    if (!open) continue;
    const start = i;
    const body = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i] ?? ""); i++) body.push((lines[i] ?? "").slice((open[1] ?? "").length));
    const before = lines.slice(Math.max(0, start - 2), start).join("\n");
    if (inSection && !/<!-- check-snippets: skip/.test(before))
      blocks.push({ line: start + 1, lang: open[2] ?? "", text: body.join("\n") });
  }
  return blocks;
}

/**
 * A file argument as it will be on disk after `npm install` in the clone.
 * @param {string} arg
 */
function onDisk(arg) {
  if (arg.startsWith(PLACEHOLDER)) return join(ROOT, arg.slice(PLACEHOLDER.length));
  return isAbsolute(arg) ? arg : join(ROOT, arg);
}

/** @param {string} cmd */
function onPath(cmd) {
  try {
    execFileSync(process.platform === "win32" ? "where" : "sh", process.platform === "win32" ? [cmd] : ["-c", `command -v "${cmd}"`], {
      stdio: "ignore",
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * Problems with one server command line (`command` and `args` as a client runs them).
 * @param {string} command
 * @param {string[]} args
 * @returns {string[]}
 */
export function checkCommand(command, args) {
  /** @type {string[]} */
  const problems = [];
  if (command === "node" || command === process.execPath) {
    const file = args.find((a) => !a.startsWith("-"));
    if (file && /\.(m?js|cjs)$/.test(file) && !existsSync(onDisk(file)))
      problems.push(`node ${file}: ${onDisk(file)} does not exist (run npm install in the clone first)`);
    return problems;
  }
  if (command === "aigc-mcp") {
    const bin = typeof pkg.bin === "string" ? pkg.bin : pkg.bin?.["aigc-mcp"];
    if (!bin || !existsSync(join(ROOT, bin))) problems.push(`aigc-mcp: package.json has no bin of that name or ${bin} is not built`);
    return problems;
  }
  if (command === "npx") {
    const rest = args.filter((a) => a !== "-y" && a !== "--yes");
    const name = rest[0] ?? "";
    const bare = name.replace(/@[^@/]*$/, (v) => (name.startsWith("@") && !name.slice(1).includes("@") ? v : ""));
    if (bare === pkg.name || name === pkg.name)
      problems.push(`npx ${name}: ${pkg.name} is not published on npm; use node ${PLACEHOLDER}/dist/index.js or aigc-mcp after npm link`);
    else if (!/^(@[^/]+\/)?[^@]+@\d/.test(name))
      problems.push(`npx ${name}: pin a version (name@x.y.z) that runs on Node ${pkg.engines.node}`);
    const cli = rest.indexOf("--cli");
    const inner = rest[cli + 1];
    if (cli >= 0 && inner && !/^https?:/.test(inner)) problems.push(...checkCommand(inner, rest.slice(cli + 2)));
    return problems;
  }
  if (CLIENT_CLIS.has(command)) {
    const sep = args.indexOf("--");
    const inner = args[sep + 1];
    if (sep >= 0 && inner) problems.push(...checkCommand(inner, args.slice(sep + 2)));
    return problems;
  }
  if (command === "npm" && ["install", "i"].includes(args[0] ?? "") && args.includes(pkg.name))
    problems.push(`npm ${args.join(" ")}: ${pkg.name} is not published on npm; clone the repository and run npm install`);
  if (!SHELL_BUILTINS.has(command) && !onPath(command)) problems.push(`${command}: not found on PATH`);
  return problems;
}

/**
 * Shell words of one command line (quotes removed, `$(…)` kept as one word).
 * @param {string} line
 */
function words(line) {
  const out = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(?:\$\([^)]*\)|[^\s"'$]+|\$)+/g;
  let m;
  while ((m = re.exec(line))) out.push(m[1] ?? m[2] ?? m[0]);
  return out;
}

/** @param {string} text */
function checkShell(text) {
  /** @type {string[]} */
  const problems = [];
  const joined = text.replace(/\\\n/g, " ");
  for (const raw of joined.split("\n")) {
    const line = raw.replace(/\s#.*$/, "").trim();
    if (!line || line.startsWith("#") || line.startsWith("...") || line.startsWith("…")) continue;
    for (const part of line.split(/\s*(?:&&|\|\||;|\|)\s*/)) {
      const w = words(part).filter(Boolean);
      while (w.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(w[0] ?? "")) w.shift(); // VAR=value prefixes
      if (w[0]) problems.push(...checkCommand(w[0], w.slice(1)));
    }
  }
  return problems;
}

/**
 * Every `command`/`args` pair in a parsed JSON config (mcpServers, servers, VS Code's inputs…).
 * @param {unknown} value
 */
function checkJsonValue(value) {
  /** @type {string[]} */
  const problems = [];
  /** @param {any} v */
  const walk = (v) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== "object") return;
    if (typeof v.command === "string") problems.push(...checkCommand(v.command, Array.isArray(v.args) ? v.args.map(String) : []));
    Object.values(v).forEach(walk);
  };
  walk(value);
  return problems;
}

/**
 * `command: "…"` and `args: [...]` in JS/TS snippets (LangChain, the AI SDK).
 * @param {string} text
 */
function checkScript(text) {
  /** @type {string[]} */
  const problems = [];
  const re = /command:\s*["'`]([^"'`]+)["'`]\s*,\s*args:\s*\[([^\]]*)\]/g;
  let m;
  while ((m = re.exec(text))) {
    const args = [...(m[2] ?? "").matchAll(/["'`]([^"'`]*)["'`]/g)].map((a) => a[1] ?? "");
    problems.push(...checkCommand(m[1] ?? "", args));
  }
  return problems;
}

/**
 * @param {Block} block
 * @returns {string[]}
 */
export function checkBlock(block) {
  const lang = block.lang.toLowerCase();
  if (lang === "json" || lang === "jsonc") {
    let parsed;
    try {
      parsed = JSON.parse(block.text);
    } catch (err) {
      return [`JSON does not parse: ${err instanceof Error ? err.message : String(err)}`];
    }
    return checkJsonValue(parsed);
  }
  if (["bash", "sh", "shell", "console", "zsh", ""].includes(lang)) return checkShell(block.text);
  if (["ts", "typescript", "js", "javascript", "mjs"].includes(lang)) return checkScript(block.text);
  return [];
}

/** @param {string} path */
export function checkFile(path) {
  const text = readFileSync(path, "utf8");
  if (path.endsWith(".json")) {
    return checkBlock({ line: 1, lang: "json", text }).map((p) => `${path}: ${p}`);
  }
  return readmeBlocks(text).flatMap((b) => checkBlock(b).map((p) => `${path}:${b.line}: ${p}`));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = process.argv.slice(2);
  const targets = files.length ? files : [join(ROOT, "README.md"), join(ROOT, "mcp.json")];
  const problems = targets.flatMap(checkFile);
  for (const p of problems) console.error(p);
  if (problems.length) process.exit(1);
  console.log(`check-snippets: ${targets.length} files, every client snippet runs from a clone`);
}

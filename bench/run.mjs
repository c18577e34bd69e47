#!/usr/bin/env node
// `npm run bench` (issue 16): every performance goal as a figure measured side by side in one run
// (absolute times vary by machine, so goals are ratios or hard limits), printed as one table with
// the machine it ran on; exit code 1 when any goal is missed. Nothing touches the network beyond
// 127.0.0.1. Modules, each exporting `figures(): Promise<Figure[]>` (bench/figure.mjs):
//   bench/startup.mjs  goal 1 (start-up to the tools/list answer) and goal 5 (tool-list size)
//   bench/calls.mjs    goals 2-4 (per-call overhead, memory while streaming, concurrency), when present
//   bench/store.mjs    goal 2 kept over time: the job store's work per call beside 10 000 earlier calls
// `npm run bench -- --write-readme` also rewrites the figures in the README's Performance section.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, platform, release, totalmem } from "node:os";
import { fileURLToPath } from "node:url";

/** @typedef {import("./figure.mjs").Figure} Figure */

const README = new URL("../README.md", import.meta.url);
export const BEGIN = "<!-- bench:figures -->";
export const END = "<!-- /bench:figures -->";
/** The README row that stands for the figures of bench/calls.mjs until a run with it rewrites the table. */
export const CALLS_PLACEHOLDER = "| per-call overhead, memory while streaming, concurrency (goals 2-4) | not measured yet | | | |";

/** The machine the figures were measured on, as printed and written to the README. */
export function machine() {
  const cpu = cpus();
  return [
    `${cpu[0]?.model.trim() ?? "unknown CPU"}, ${cpu.length} cores`,
    `${(totalmem() / 1024 ** 3).toFixed(0)} GiB RAM`,
    `Node ${process.version}`,
    `${platform()} ${release()}`,
  ].join(", ");
}

/** @param {number} v */
const num = (v) => (Number.isInteger(v) ? v.toLocaleString("en") : v.toFixed(2));

/** @param {Figure[]} figs @param {boolean} withCalls */
export function markdownTable(figs, withCalls) {
  const rows = figs.map((f) => `| ${f.name} | ${num(f.value)} ${f.unit} | ${f.goal} | ${f.ok ? "yes" : "**no**"} | ${f.detail ?? ""} |`);
  return [
    "| Figure | Measured | Goal | Met | Side by side |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
    ...(withCalls ? [] : [CALLS_PLACEHOLDER]),
  ].join("\n");
}

/** The README text with the figures between the bench markers replaced. */
export function withFigures(/** @type {string} */ readme, /** @type {string} */ block) {
  const a = readme.indexOf(BEGIN);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md has no ${BEGIN} … ${END} block`);
  return `${readme.slice(0, a + BEGIN.length)}\n${block}\n${readme.slice(b)}`;
}

async function main() {
  const load = loadavg()[0] ?? 0;
  const where = machine();
  console.log(`machine: ${where}; load average ${load.toFixed(2)} at the start\n`);
  const modules = ["./startup.mjs"];
  const hasCalls = existsSync(new URL("./calls.mjs", import.meta.url));
  if (hasCalls) modules.push("./calls.mjs", "./store.mjs");
  /** @type {Figure[]} */
  const figs = [];
  for (const m of modules) {
    /** @type {{ figures: () => Promise<Figure[]> }} */
    const mod = await import(m);
    figs.push(...(await mod.figures()));
  }
  const w = (/** @type {(f: Figure) => string} */ get, /** @type {string} */ head) =>
    Math.max(head.length, ...figs.map((f) => get(f).length));
  const cols = /** @type {const} */ ([
    ["figure", (/** @type {Figure} */ f) => f.name],
    ["measured", (/** @type {Figure} */ f) => `${num(f.value)} ${f.unit}`],
    ["goal", (/** @type {Figure} */ f) => f.goal],
    ["ok", (/** @type {Figure} */ f) => (f.ok ? "yes" : "NO")],
  ]);
  const widths = cols.map(([h, get]) => w(get, h));
  const line = (/** @type {string[]} */ cells) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
  console.log(line(cols.map(([h]) => h)));
  for (const f of figs) {
    console.log(line(cols.map(([, get]) => get(f))));
    if (f.detail) console.log(`    ${f.detail}`);
  }
  if (!hasCalls) console.log("\n(bench/calls.mjs is not on this branch: goals 2-4 not measured)");
  const missed = figs.filter((f) => !f.ok);
  console.log(missed.length ? `\n${missed.length} goal(s) missed: ${missed.map((f) => f.name).join("; ")}` : "\nevery goal met");
  if (process.argv.includes("--write-readme")) {
    const date = new Date().toISOString().slice(0, 10);
    const block = `${markdownTable(figs, hasCalls)}\n\nMeasured ${date} on ${where} (load average ${load.toFixed(1)} at the start).`;
    writeFileSync(README, withFigures(readFileSync(README, "utf8"), block));
    // The project's formatter lays out the table (npm run format:check would fail on it otherwise).
    const prettier = await import("prettier");
    const path = fileURLToPath(README);
    const options = (await prettier.resolveConfig(path)) ?? {};
    writeFileSync(README, await prettier.format(readFileSync(README, "utf8"), { ...options, filepath: path }));
    console.log("README.md: Performance figures rewritten");
  }
  process.exitCode = missed.length ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();

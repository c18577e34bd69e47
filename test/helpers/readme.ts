/**
 * The README's generated blocks: the tool tables (from every tool definition, each vendor loaded
 * against the sandbox so every tool exists), the environment-variable tables (from `CORE_ENV`
 * and each plugin's `env`) and the model tables (from each vendor's catalog). A block sits between `<!-- generated:<id> … -->` and
 * `<!-- /generated:<id> -->`; everything outside the blocks is hand-written and kept as is.
 * `test/integration/core/readme.test.ts` fails when README.md differs from this; `npm run docs`
 * rewrites it.
 */
import { rmSync } from "node:fs";
import { format, resolveConfig } from "prettier";
import { z } from "zod";
import { CORE_ENV, parseCoreConfig, type Env, type EnvVar } from "../../src/config.js";
import { createContext } from "../../src/context.js";
import { loadVendors, PLUGINS } from "../../src/plugins.js";
import { startSandbox } from "../../src/sandbox/index.js";
import type { ToolDef } from "../../src/tools/define.js";
import { listedTool } from "../../src/tools/listed-tool.js";
import { parseCostConfig, type CostConfig } from "../../src/cost/config.js";
import type { VendorModels } from "../../src/tools/plugin.js";
import { jobTools } from "../../src/tools/jobs.js";
import { listModels } from "../../src/tools/list-models.js";
import { tempDir } from "./harness.js";
import { estimateCostTool, getBudgetTool } from "../../src/tools/cost-tools.js";
import { formatMoney, PRICE_UNITS, type Price, type PriceBook } from "../../src/vendors/kit/price.js";

/** Every tool the server can offer, by vendor (plugin title), then the job tools and list_models. */
export interface Catalogue {
  vendors: Array<{ id: string; title: string; tools: ToolDef[]; models?: VendorModels; prices?: PriceBook }>;
  jobTools: ToolDef[];
}

/** Loads every plugin against the sandbox's simulators (the environment only: nothing from this shell's). */
export async function loadCatalogue(): Promise<Catalogue> {
  const sandbox = await startSandbox({ fast: true });
  const dir = tempDir("aigc-docs-");
  try {
    const env: Env = { ...sandbox.env, AIGC_MCP_OUTPUT_DIR: dir, AIGC_MCP_LOG_LEVEL: "error" };
    const core = parseCoreConfig(env);
    const vendors = await loadVendors(env, core);
    const missing = PLUGINS.filter((p) => !vendors.some((v) => v.id === p.id)).map((p) => p.id);
    if (missing.length) throw new Error(`the sandbox environment did not enable ${missing.join(", ")}: its tools would be missing`);
    const app = await createContext(core, vendors);
    await app.close();
    return {
      vendors: vendors.map((v) => ({
        id: v.id,
        title: v.title,
        tools: v.tools,
        ...(v.models ? { models: v.models } : {}),
        ...(v.prices ? { prices: v.prices } : {}),
      })),
      jobTools: [...jobTools(app), listModels(app), estimateCostTool(app, () => []), getBudgetTool(app)],
    };
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Applies `f` to the parts of `text` outside code spans. */
function outsideCode(text: string, f: (plain: string) => string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 ? part : f(part)))
    .join("");
}

/** Text for a table cell: `<<<tag>>>` placeholders become code, no other `<` or `*` is markup, pipes are escaped. */
export function cell(text: string): string {
  const coded = outsideCode(text, (plain) => plain.replace(/<+[\w.-]+>+/g, "`$&`"));
  return outsideCode(coded, (plain) => plain.replace(/</g, "&lt;").replace(/\*/g, "\\*"))
    .replace(/\|/g, "\\|")
    .replace(/\s*\n\s*/g, " ");
}

/** The first sentence of a tool description: up to the first `.`, `!` or `?` that ends the text or precedes a capital. */
export function firstSentence(text: string): string {
  const m = /^[\s\S]+?[.!?](?=\s+[A-Z(]|\s*$)/.exec(text.trim());
  return (m ? m[0] : text).trim();
}

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

const HINTS = ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const;

/** A list in words: `a`, `a and b`, `a, b and c`. */
function words(items: string[]): string {
  return items.length < 2 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)!}`;
}

/** The cost settings that add `confirm` to every paid tool (AIGC_MCP_CONFIRM_ABOVE set). */
const CONFIRMING = parseCostConfig({ AIGC_MCP_CONFIRM_ABOVE: "1" });

/**
 * The line under a table naming what its tools take besides their own parameters, as the server
 * lists them (listedTool): `delivery` where a tool returns media, `max_cost` and `idempotency_key`
 * where it is paid, `confirm` with AIGC_MCP_CONFIRM_ABOVE. Parameters taken by the same tools go together.
 */
function sharedLine(tools: ToolDef[]): string | undefined {
  const added = (t: ToolDef, cost?: CostConfig) => Object.keys(listedTool(t, cost).input).filter((k) => !(k in t.input));
  const byParam = new Map<string, string[]>();
  for (const t of tools) for (const p of added(t, CONFIRMING)) byParam.set(p, [...(byParam.get(p) ?? []), t.name]);
  if (!byParam.size) return undefined;
  const groups = new Map<string, string[]>();
  for (const [p, names] of byParam) groups.set(names.join(), [...(groups.get(names.join()) ?? []), p]);
  const always = new Set(tools.flatMap((t) => added(t)));
  const phrases = [...groups].map(([key, params]) => {
    const names = key.split(",");
    const others = tools.map((t) => t.name).filter((n) => !names.includes(n));
    const which =
      others.length === 0
        ? "every tool above"
        : others.length < names.length
          ? `every tool above but ${words(others.map((n) => `\`${n}\``))}`
          : words(names.map((n) => `\`${n}\``));
    const listed = words(params.map((p) => `\`${p}\`${always.has(p) ? "" : " (with `AIGC_MCP_CONFIRM_ABOVE` set)"}`));
    return `${listed} by ${which}`;
  });
  return `Shared parameters, not in the table (the server instructions explain them): ${phrases.join("; ")}.`;
}

function toolTable(tools: ToolDef[]): string {
  const rows = tools.map((t) => {
    const params = Object.entries(t.input).map(([name, schema]) => {
      const required = !z.safeParse(schema, undefined).success;
      return required ? `**\`${name}\`**` : `\`${name}\``;
    });
    const hints = HINTS.filter((h) => t.annotations[h] === true).map((h) => h.replace(/Hint$/, ""));
    return [`\`${t.name}\``, cell(t.title), cell(firstSentence(t.description)), params.join(", ") || "–", hints.join(", ") || "–"];
  });
  return table(["Tool", "Title", "What it does", "Parameters", "Hints"], rows);
}

export function renderTools(catalogue: Catalogue): string {
  const sections = [
    ...catalogue.vendors.map((v) => ({ heading: v.title, tools: v.tools })),
    { heading: "Job and model tools (every vendor)", tools: catalogue.jobTools },
  ];
  return [
    "Parameters in **bold** are required. Hints are the MCP tool annotations that are true (each tool declares all four).",
    ...sections.map((s) => [`### ${s.heading}`, toolTable(s.tools), sharedLine(s.tools)].filter(Boolean).join("\n\n")),
  ].join("\n\n");
}

export function renderEnv(vars: EnvVar[]): string {
  const withFlag = vars.some((v) => v.flag);
  const rows = vars.map((v) => [
    `\`${v.name}\`${v.secret ? " (secret)" : ""}`,
    ...(withFlag ? [v.flag ? `\`${v.flag}\`` : "–"] : []),
    v.default !== undefined ? `\`${v.default}\`` : "–",
    cell(v.description),
  ]);
  return table(["Variable", ...(withFlag ? ["Flag"] : []), "Default", "Meaning"], rows);
}

/** A model table per vendor catalog: status (with date and successor), the tools that use it, capabilities, source date. */
export function renderModels(models: VendorModels): string {
  const catalog = models.catalog;
  if (!catalog) return "";
  const rows = catalog.models.map((m) => {
    const tools = [...models.tools, ...(models.listings ?? [])].filter((t) => m.endpoints.includes(t.endpoint));
    const defaults = [...new Set(tools.filter((t) => t.default === m.id).map((t) => t.tool))];
    const status =
      m.status === "active"
        ? "active"
        : `${m.status}${m.statusDate ? ` ${m.statusDate}` : ""}${m.successor ? ` → \`${m.successor}\`` : ""}`;
    const caps = [
      catalog.summary(m, ""),
      ...Object.keys(m.byEndpoint ?? {}).map((e) => `on ${e}: ${catalog.summary({ ...m, capabilities: {} }, e)}`),
    ].filter(Boolean);
    const dated =
      m.sources
        .map((s) => s.date)
        .sort()
        .at(-1) ?? "–";
    return [
      `\`${m.id}\`${m.aliases?.length ? ` (also ${m.aliases.map((a) => `\`${a}\``).join(", ")})` : ""}`,
      cell(m.label),
      cell(status),
      [...new Set(tools.map((t) => `\`${t.tool}\``))].join(", ") || "–",
      defaults.length ? defaults.map((d) => `\`${d}\``).join(", ") : "–",
      cell(caps.join("; ")) || "–",
      dated,
    ];
  });
  return table(["Model", "Name", "Status", "Tools", "Default of", "Capabilities", "Checked"], rows);
}

/** Every built-in price of the configured vendors: unit, rates with the dimensions that pick them, confidence, source and date. */
export function renderPrices(vendors: Catalogue["vendors"]): string {
  const rows: string[][] = [];
  for (const v of vendors) {
    const seen = new Set<Price>();
    for (const e of v.prices?.entries ?? []) {
      if (seen.has(e.price)) continue;
      seen.add(e.price);
      const p = e.price;
      const unit = PRICE_UNITS[p.unit].one;
      const rates = p.rates
        .map((r) => {
          const when = Object.entries(r.when ?? {})
            .map(([k, x]) => `${k} ${String(x)}`)
            .join(", ");
          return `${formatMoney(r.amount, p.currency)}/${unit}${when ? ` (${when})` : ""}`;
        })
        .join("; ");
      rows.push([
        v.id,
        `\`${e.model}\`${e.endpoint ? ` on ${e.endpoint}` : ""}`,
        cell(rates),
        p.confidence,
        cell(`${p.source.url} (${p.source.date})${p.note ? `: ${p.note}` : ""}`),
      ]);
    }
  }
  return table(["Vendor", "Model", "Rates", "Confidence", "Source (read)"], rows);
}

/** A generated block's content, and where to put it when README.md has no block of that id yet. */
export interface Block {
  content: string;
  /** Where a missing block goes: a new `### heading` section at the end of the `## parent` section. Without it, a missing block is an error. */
  newSection?: { parent: string; heading: string };
}

export function readmeBlocks(catalogue: Catalogue): Map<string, Block> {
  const blocks = new Map<string, Block>([
    ["tools", { content: renderTools(catalogue) }],
    ["env:server", { content: renderEnv(CORE_ENV) }],
    ["prices", { content: renderPrices(catalogue.vendors) }],
  ]);
  for (const p of PLUGINS)
    blocks.set(`env:${p.id}`, { content: renderEnv(p.env), newSection: { parent: "Configuration", heading: p.title } });
  for (const v of catalogue.vendors) {
    if (v.models?.catalog)
      blocks.set(`models:${v.id}`, { content: renderModels(v.models), newSection: { parent: "Model catalogs", heading: v.title } });
  }
  return blocks;
}

const open = (id: string) => `<!-- generated:${id} (npm run docs writes this block from the code; edit the code, not this) -->`;
const close = (id: string) => `<!-- /generated:${id} -->`;
const BLOCK = /<!-- generated:([\w:-]+)[^>]*-->[\s\S]*?<!-- \/generated:\1 -->/g;

/** README.md with every generated block rewritten (and a missing vendor block added), formatted by Prettier. */
export async function renderReadme(readme: string, blocks: Map<string, Block>, readmePath: string): Promise<string> {
  const seen = new Set<string>();
  let out = readme.replace(BLOCK, (_whole, id: string) => {
    const block = blocks.get(id);
    if (!block) throw new Error(`README.md has a generated block "${id}" that nothing generates any more: delete it`);
    seen.add(id);
    return `${open(id)}\n\n${block.content}\n\n${close(id)}`;
  });
  for (const [id, block] of blocks) {
    if (seen.has(id)) continue;
    if (!block.newSection) throw new Error(`README.md lacks the block ${open(id)} … ${close(id)}: put the two markers back`);
    const start = out.indexOf(`\n## ${block.newSection.parent}\n`);
    if (start < 0) throw new Error(`README.md has no "## ${block.newSection.parent}" section for the new block "${id}"`);
    const next = out.indexOf("\n## ", start + 1);
    const at = next < 0 ? out.length : next + 1;
    const section = `### ${block.newSection.heading}\n\n${open(id)}\n\n${block.content}\n\n${close(id)}\n\n`;
    out = out.slice(0, at) + section + out.slice(at);
  }
  const options = (await resolveConfig(readmePath)) ?? {};
  return format(out, { ...options, filepath: readmePath });
}

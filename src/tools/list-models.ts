/**
 * `list_models`: per configured vendor and tool, the models the catalogs know (status, default and
 * the variable that overrides it, capabilities, source date), optionally merged with the vendor's
 * own live model list. Free and read-only.
 */
import { z } from "zod";
import type { AppContext } from "../context.js";
import { AigcError, describeError } from "../errors.js";
import { nearest } from "../nearest.js";
import type { Catalog, CatalogModel } from "../vendors/kit/catalog.js";
import { idText } from "./bounds.js";
import { defineTool, type ToolDef } from "./define.js";
import type { LiveModel, LoadedVendor } from "./plugin.js";

const modelShape = z.object({
  id: z.string(),
  label: z.string(),
  aliases: z.array(z.string()).optional().describe("other ids the vendor accepts for the same model (model: takes any of them)"),
  status: z.enum(["active", "retiring", "retired"]),
  status_date: z.string().optional().describe("retiring: the announced shutdown date; retired: when it stopped"),
  successor: z.string().optional(),
  default: z.boolean().optional().describe("the tool's default model"),
  capabilities: z.record(z.string(), z.unknown()).describe("argument name → accepted values, range, count limit or yes/no"),
  source_date: z.string().optional().describe("newest date the catalog entry was checked against its sources"),
  sources: z.array(z.string()).optional(),
});

const toolShape = z.object({
  tool: z.string(),
  endpoint: z.string(),
  default: z.string().optional(),
  default_variable: z.string().optional().describe("the environment variable that overrides the default"),
  note: z.string().optional().describe("why this tool has this entry (e.g. which API standard its models go to)"),
  models: z.array(modelShape),
});

export const vendorShape = z.object({
  vendor: z.string(),
  title: z.string(),
  tools: z.array(toolShape),
  live: z
    .array(z.object({ id: z.string(), status: z.string().optional(), in_catalog: z.boolean() }))
    .optional()
    .describe("the vendor's own model list (live: true)"),
  live_error: z.string().optional(),
  note: z.string().optional(),
});

function modelEntry(catalog: Catalog, m: CatalogModel, endpoint: string, isDefault: boolean): z.infer<typeof modelShape> {
  return {
    id: m.id,
    label: m.label,
    ...(m.aliases?.length ? { aliases: m.aliases } : {}),
    status: m.status,
    ...(m.statusDate ? { status_date: m.statusDate } : {}),
    ...(m.successor ? { successor: m.successor } : {}),
    ...(isDefault ? { default: true } : {}),
    capabilities: catalog.capabilities(m, endpoint),
    ...(m.sources.length
      ? {
          source_date: m.sources
            .map((s) => s.date)
            .sort()
            .at(-1),
          sources: [...new Set(m.sources.map((s) => s.url))],
        }
      : {}),
  };
}

async function describeVendor(v: LoadedVendor, opts: { tool?: string; live?: boolean; signal: AbortSignal }) {
  const models = v.models;
  const tools = [...(models?.tools ?? []), ...(models?.listings ?? [])]
    .filter((t) => !opts.tool || t.tool === opts.tool)
    .map((t) => ({
      tool: t.tool,
      endpoint: t.endpoint,
      ...(t.default ? { default: t.default } : {}),
      ...(t.variable ? { default_variable: t.variable } : {}),
      ...(t.note ? { note: t.note } : {}),
      models: models?.catalog
        ? models.catalog.forEndpoint(t.endpoint).map((m) => modelEntry(models.catalog!, m, t.endpoint, m.id === t.default))
        : [],
    }));
  const out: z.infer<typeof vendorShape> = { vendor: v.id, title: v.title, tools };
  if (opts.tool && !tools.length) out.note = `${opts.tool} takes no model argument: its vendor decides what runs it`;
  else if (models?.note) out.note = models.note;
  else if (!models?.catalog)
    out.note = !models?.live
      ? "this vendor serves whatever models its server is configured with, and has no model list to ask"
      : opts.live
        ? "this vendor serves whatever models its server is configured with; below is what it lists now"
        : "this vendor serves whatever models its server is configured with; pass live: true to ask it";
  if (opts.live) {
    if (!models?.live) out.live_error = `${v.title} has no model-listing call`;
    else {
      try {
        const live: LiveModel[] = await models.live(opts.signal);
        out.live = live.map((m) => ({ ...m, in_catalog: Boolean(models.catalog?.find(m.id)) }));
      } catch (err) {
        out.live_error = describeError(err).split("\n")[0];
      }
    }
  }
  return out;
}

function render(vendors: Array<z.infer<typeof vendorShape>>): string {
  const lines: string[] = [];
  for (const v of vendors) {
    lines.push(`${v.title} (${v.vendor})${v.note ? `: ${v.note}` : ""}`);
    for (const t of v.tools) {
      // A tool whose inputs pick one of several endpoint families has one entry per family.
      const family = v.tools.filter((o) => o.tool === t.tool).length > 1 ? ` (${t.endpoint})` : "";
      lines.push(
        `  ${t.tool}${family}: default ${t.default ?? "none"}${t.default_variable ? ` (set ${t.default_variable} to change)` : ""}${t.note ? ` — ${t.note}` : ""}`,
      );
      for (const m of t.models) {
        const status =
          m.status === "active"
            ? ""
            : ` [${m.status}${m.status_date ? ` ${m.status_date}` : ""}${m.successor ? `, use ${m.successor}` : ""}]`;
        const aliases = m.aliases?.length ? ` (also ${m.aliases.join(", ")})` : "";
        lines.push(`    - ${m.id}${aliases}${m.default ? " (default)" : ""}${status}: ${m.label}`);
      }
    }
    if (v.live)
      lines.push(`  vendor lists ${v.live.length} model(s): ${v.live.map((m) => `${m.id}${m.status ? ` (${m.status})` : ""}`).join(", ")}`);
    if (v.live_error) lines.push(`  live list unavailable: ${v.live_error}`);
  }
  return lines.join("\n") || "No vendor is configured.";
}

/**
 * "; did you mean …?" for a name not found: the nearest by spelling, else the names whose name or
 * `also` text holds it ("seedream" → seedream_generate_image, "jimeng" → visual), or "" for none.
 */
function didYouMean(word: string, names: ReadonlyArray<{ name: string; also?: string }>): string {
  const near = nearest(
    word,
    names.map((n) => n.name),
  );
  const w = word.toLowerCase();
  const found = near
    ? [near]
    : w.length < 3
      ? []
      : names.filter((n) => `${n.name} ${n.also ?? ""}`.toLowerCase().includes(w)).map((n) => n.name);
  if (found.length <= 1) return found.length ? `; did you mean ${found[0]}?` : "";
  return `; did you mean one of ${found.slice(0, 5).join(", ")}${found.length > 5 ? ", …" : ""}?`;
}

/**
 * The vendor and tool the filters name, matched in any case (as toolset names are); an unknown
 * vendor id or tool name is an input error naming the nearest and what is configured, not an empty answer.
 */
function checkFilters(
  vendors: readonly LoadedVendor[],
  vendor: string | undefined,
  tool: string | undefined,
): { vendor?: LoadedVendor; tool?: string } {
  const ids = vendors.map((v) => `${v.id} (${v.title})`).join(", ") || "none";
  const refuse = (message: string) => {
    throw new AigcError({ category: "invalid_input", code: "InvalidInput", message });
  };
  const v = vendor === undefined ? undefined : vendors.find((x) => x.id.toLowerCase() === vendor.toLowerCase());
  if (vendor !== undefined && !v)
    refuse(
      `vendor: "${vendor}" is not a configured vendor id${didYouMean(
        vendor,
        vendors.map((x) => ({ name: x.id, also: x.title })),
      )} (configured: ${ids})`,
    );
  if (tool === undefined) return { vendor: v };
  const names = vendors.flatMap((x) => x.tools.map((t) => t.name));
  const name = names.find((n) => n.toLowerCase() === tool.toLowerCase());
  const owner = vendors.find((x) => x.tools.some((t) => t.name === name));
  if (!name || !owner)
    refuse(
      `tool: "${tool}" is not a tool of a configured vendor${didYouMean(
        tool,
        names.map((n) => ({ name: n })),
      )} (tools/list shows them)`,
    );
  if (v && owner && owner !== v) refuse(`tool: "${name}" belongs to vendor ${owner.id}, not ${v.id}`);
  return { vendor: v, tool: name };
}

export function listModels(app: AppContext): ToolDef {
  return defineTool({
    name: "list_models",
    title: "List models",
    description: "Lists each tool's models: status, successor, default, what each accepts, when checked. Free.",
    input: {
      vendor: idText(32).optional(),
      tool: idText(64).optional(),
      live: z.boolean().optional().describe("also ask the vendor"),
    },
    output: { vendors: z.array(vendorShape) },
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    async run(args, ctx) {
      const { vendor, tool } = checkFilters(app.vendors, args.vendor, args.tool);
      const chosen = app.vendors.filter((v) => (!vendor || v === vendor) && (!tool || v.tools.some((t) => t.name === tool)));
      const vendors = await Promise.all(chosen.map((v) => describeVendor(v, { tool, live: args.live, signal: ctx.signal })));
      return { content: [{ type: "text", text: render(vendors) }], structuredContent: { vendors } };
    },
  });
}

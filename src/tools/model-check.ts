/**
 * The one way a generation tool applies its vendor's model catalog: retired models are refused
 * before any call, per-model capability rules advise (or refuse, with AIGC_MCP_MODEL_CHECKS=strict),
 * and a vendor refusal is explained with what the catalog knows.
 */
import type { Catalog, DefaultModel } from "../vendors/kit/catalog.js";
import type { ToolContext } from "./define.js";

export interface ModelCall {
  catalog: Catalog;
  /** The vendor endpoint family the call goes to. */
  endpoint: string;
  model: string;
  /** The tool arguments, named as the catalog's capabilities name them. */
  args: Record<string, unknown>;
}

/**
 * Where the model came from when the call named none (`args.model` absent): the vendor's default
 * for a tool, found in its list_models entries, with the variable that sets it. Undefined for a
 * model the caller named, so a retired-model refusal says the right next step for each case.
 */
function defaultSource(ctx: ToolContext, call: ModelCall): DefaultModel | undefined {
  if (call.args.model !== undefined) return undefined;
  const vendor = ctx.app.vendors.find((v) => v.id === call.catalog.vendor);
  const tools = vendor?.models?.tools ?? [];
  const entry = tools.find((t) => t.default === call.model && t.variable) ?? tools.find((t) => t.default === call.model);
  if (!entry) return undefined;
  const argument = Boolean(vendor?.tools.find((t) => t.name === entry.tool)?.input.model);
  return { ...(entry.variable ? { variable: entry.variable } : {}), argument };
}

/** Refuses a retired model, then applies the check mode: strict throws, advise adds notes to the result. */
export function checkModel(ctx: ToolContext, call: ModelCall): void {
  const from = defaultSource(ctx, call);
  for (const note of call.catalog.check(call.model, call.endpoint, call.args, ctx.app.config.modelChecks, from)) ctx.warn(note);
}

/** Runs a vendor call; a refusal it throws gets the catalog's explanation added to its hint. */
export async function explainRefusals<T>(call: ModelCall, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw call.catalog.explain(err, call.model, call.endpoint, call.args);
  }
}

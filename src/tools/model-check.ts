/**
 * The one way a generation tool applies its vendor's model catalog: retired models are refused
 * before any call, per-model capability rules advise (or refuse, with AIGC_MCP_MODEL_CHECKS=strict),
 * and a vendor refusal is explained with what the catalog knows.
 */
import type { Catalog } from "../vendors/kit/catalog.js";
import type { ToolContext } from "./define.js";

export interface ModelCall {
  catalog: Catalog;
  /** The vendor endpoint family the call goes to. */
  endpoint: string;
  model: string;
  /** The tool arguments, named as the catalog's capabilities name them. */
  args: Record<string, unknown>;
}

/** Refuses a retired model, then applies the check mode: strict throws, advise adds notes to the result. */
export function checkModel(ctx: ToolContext, call: ModelCall): void {
  for (const note of call.catalog.check(call.model, call.endpoint, call.args, ctx.app.config.modelChecks)) ctx.warn(note);
}

/** Runs a vendor call; a refusal it throws gets the catalog's explanation added to its hint. */
export async function explainRefusals<T>(call: ModelCall, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw call.catalog.explain(err, call.model, call.endpoint, call.args);
  }
}

/** A tool's definition as it is listed and called: what every tool takes and returns besides its own fields. */
import { z } from "zod";
import type { CostConfig } from "../cost/config.js";
import { costArguments } from "./cost-guard.js";
import { costSchema } from "./cost-output.js";
import type { ToolDef } from "./define.js";
import { deliverySchema, returnsMedia } from "./delivery.js";

/** The field every tool's structuredContent carries (issue 12 (b)). */
const messageSchema = z.string().describe("status and next step in one line");

/**
 * The output fields optional: a failure carries only `message`, and SDK clients up to 1.32.2 validate
 * structuredContent against outputSchema even when isError is set (typescript-sdk#1943).
 */
function optionalFields(output: z.ZodRawShape): z.ZodRawShape {
  return Object.fromEntries(Object.entries(output).map(([k, v]) => [k, z.optional(v)]));
}

/**
 * The definition as listed: a tool that returns media takes `delivery` (defined once, in
 * delivery.ts), and every output carries `message`.
 */
export function listedTool(def: ToolDef, cost?: CostConfig): ToolDef {
  let byCost = listed.get(def);
  if (!byCost) listed.set(def, (byCost = new Map<CostConfig | undefined, ToolDef>()));
  let out = byCost.get(cost);
  if (!out) {
    const input = returnsMedia(def.output) ? { ...def.input, delivery: deliverySchema } : def.input;
    out = { ...def, input: def.quote ? { ...input, ...costArguments(cost) } : input, output: listedOutput(def) };
    byCost.set(cost, out);
  }
  return out;
}

/**
 * Built once per definition and cost settings: HTTP builds a server per request, and the same zod
 * objects let zod compile each tool's parser once and the tool list convert each schema once.
 */
const listed = new WeakMap<ToolDef, Map<CostConfig | undefined, ToolDef>>();
/** Per output shape, the listed one with and without `cost`: every job tool shares one. */
const outputs = new WeakMap<z.ZodRawShape, { paid?: z.ZodRawShape; free?: z.ZodRawShape }>();

function listedOutput(def: ToolDef): z.ZodRawShape {
  const known = outputs.get(def.output) ?? {};
  outputs.set(def.output, known);
  const kind = def.quote ? "paid" : "free";
  return (known[kind] ??= {
    ...optionalFields(def.quote ? { ...def.output, cost: costSchema } : def.output),
    message: messageSchema,
  });
}

/** What the gateway tools share: model resolution with a clear message, the models file's checks, annotations, result building. */
import type { CallToolResult, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import { modelId } from "../bounds.js";
import { inputError } from "../../errors.js";
import { GATEWAY_MODEL_VARS, GATEWAY_PATHS, VENDOR_ID, type GatewayCapability, type GatewayConfig } from "../../vendors/gateway/config.js";
import type { Catalog } from "../../vendors/kit/catalog.js";
import {
  estimateCost,
  unpricedEstimate,
  PRICE_UNITS,
  unknownEstimate,
  type Estimate,
  type Meter,
  type PriceBook,
  type PriceUnit,
} from "../../vendors/kit/price.js";
import type { Quote, ToolContext } from "../define.js";
import { checkModel, explainRefusals } from "../model-check.js";

/**
 * Calls billed per token or second of audio. Not read-only: each spends money (hosts may run
 * read-only tools without asking), and gateway_embed writes its vectors to the output folder.
 */
export const GATEWAY_CALL: Omit<ToolAnnotations, "title"> = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: true,
};

export function resolveModel(cfg: GatewayConfig, cap: GatewayCapability, given: string | undefined): { model: string; modelVar: string } {
  const modelVar = GATEWAY_MODEL_VARS[cap];
  const model = given?.trim() || cfg.models[cap];
  if (!model)
    throw inputError(
      "model",
      `no model given and ${modelVar} is not set: pass model (the model name your gateway serves) or set ${modelVar} in the server's environment`,
    );
  return { model, modelVar };
}

/**
 * The `model` field. With a default configured it needs no words (the server instructions point to
 * list_models); without one, the description says it is required here.
 */
export function modelField(cfg: GatewayConfig, cap: GatewayCapability) {
  const field = modelId().optional();
  return cfg.models[cap] ? field : field.describe(`required (${GATEWAY_MODEL_VARS[cap]} is not set)`);
}

export function result(text: string, structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: "text", text }], structuredContent: structured };
}

/**
 * Applies the models file's entries for the gateway, when it has any, and returns the wrapper for
 * the vendor call. The gateway has no built-in catalog (the customer's routes decide), so without a
 * file nothing is checked. With one, a model the file marks retired is refused here, before any
 * request; its capabilities advise (or refuse, with AIGC_MCP_MODEL_CHECKS=strict); and the wrapper
 * explains a refusal with them.
 */
export function modelsFileChecks(
  ctx: ToolContext,
  catalog: Catalog | undefined,
  cap: GatewayCapability,
  model: string,
  args: Record<string, unknown>,
): <T>(fn: () => Promise<T>) => Promise<T> {
  if (!catalog) return (fn) => fn();
  const call = { catalog, endpoint: GATEWAY_PATHS[cap], model, args };
  checkModel(ctx, call);
  return (fn) => explainRefusals(call, fn);
}

/** A call's meters (with what the vendor bills that they cannot count), or why they cannot be counted. */
type GatewayMeters = { meters: Meter[]; lowerBound?: string; unbounded?: string } | { problem: string };

/** The price unit each capability's meters count in (pricing.ts). */
const UNIT: Record<GatewayCapability, PriceUnit> = {
  chat: "million_tokens",
  embed: "million_tokens",
  rerank: "million_tokens",
  stt: "second",
  tts: "ten_thousand_characters",
};

/**
 * A gateway call's quote: the book's price for the model on the capability's path, over the call's
 * meters (a function, so a call whose price is unknown reads no input for them). A price in another
 * unit than the capability is counted in (a prices-file slip) is unknown, with the fix.
 */
export async function gatewayQuote(
  book: PriceBook,
  cap: GatewayCapability,
  model: string,
  meter: () => GatewayMeters | Promise<GatewayMeters>,
): Promise<Quote> {
  const price = book.find(model, GATEWAY_PATHS[cap]);
  const quote = (estimate: Estimate): Quote => ({ vendor: VENDOR_ID, model, estimate });
  if (!price) return quote(unpricedEstimate(model, UNIT[cap]));
  if (price.unit !== UNIT[cap])
    return quote(
      unknownEstimate(
        `the price given for ${model} is per ${PRICE_UNITS[price.unit].one}, but ${GATEWAY_PATHS[cap]} calls are counted per ${PRICE_UNITS[UNIT[cap]].one}; fix it in AIGC_MCP_PRICES_FILE`,
        price.source,
      ),
    );
  const m = await meter();
  if ("problem" in m) return quote(unknownEstimate(m.problem, price.source));
  const estimate = estimateCost(model, price, m.meters, m.lowerBound);
  return quote(m.unbounded ? { ...estimate, unbounded: m.unbounded } : estimate);
}

/** What the gateway tools share: model resolution with a clear message, the models file's checks, annotations, result building. */
import type { CallToolResult, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { inputError } from "../../errors.js";
import { GATEWAY_MODEL_VARS, GATEWAY_PATHS, type GatewayCapability, type GatewayConfig } from "../../vendors/gateway/config.js";
import type { Catalog } from "../../vendors/kit/catalog.js";
import type { ToolContext } from "../define.js";
import { checkModel, explainRefusals } from "../model-check.js";

/** Calls that create nothing but are billed per token or second of audio. */
export const GATEWAY_CALL: Omit<ToolAnnotations, "title"> = {
  readOnlyHint: true,
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
  const field = z.string().min(1).max(128).optional();
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

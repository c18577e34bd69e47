/** What the gateway tools share: model resolution with a clear message, annotations, result building. */
import type { CallToolResult, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import { inputError } from "../../errors.js";
import { GATEWAY_MODEL_VARS, type GatewayCapability, type GatewayConfig } from "../../vendors/gateway/config.js";

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

export function modelHelp(cfg: GatewayConfig, cap: GatewayCapability): string {
  const d = cfg.models[cap];
  return d
    ? `model name served by the gateway (default ${d})`
    : `model name served by the gateway (required: ${GATEWAY_MODEL_VARS[cap]} is not set)`;
}

export function result(text: string, structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: "text", text }], structuredContent: structured };
}

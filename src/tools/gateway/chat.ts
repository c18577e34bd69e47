import { z } from "zod";
import { idText, prose, quietRange } from "../bounds.js";
import { AigcError, inputError } from "../../errors.js";
import { CHAT_ROLES, chatMessages, parseJsonAnswer, runChat, type ResponseFormat } from "../../vendors/gateway/chat.js";
import { GATEWAY_PATHS } from "../../vendors/gateway/config.js";
import { chatActual, chatMeters } from "../../vendors/gateway/pricing.js";
import type { PriceBook } from "../../vendors/kit/price.js";
import type { GatewayClient } from "../../vendors/gateway/client.js";
import { GATEWAY } from "../../vendors/gateway/errors.js";
import { defineTool } from "../define.js";
import type { Catalog } from "../../vendors/kit/catalog.js";
import { GATEWAY_CALL, gatewayQuote, modelField, modelsFileChecks, resolveModel, result } from "./common.js";
import { checkSchemaLimits, compileSchema } from "./schema.js";
import { MAX_ID, MAX_TEXT } from "../media-inputs.js";
import { clip } from "../../log.js";

const usageShape = z.object({
  prompt_tokens: z.number().optional(),
  completion_tokens: z.number().optional(),
  total_tokens: z.number().optional(),
});

export function gatewayChat(client: GatewayClient, book: PriceBook, catalog?: Catalog) {
  const cfg = client.cfg;
  return defineTool({
    name: "gateway_chat",
    title: "AI Gateway chat",
    description:
      "Asks a chat model via your AI Gateway: prompt (and system) or messages; a json_schema answer is checked, in structuredContent.json. Paid per token.",
    input: {
      prompt: prose(MAX_TEXT).optional(),
      system: z.string().max(MAX_TEXT).optional(),
      messages: z
        .array(z.object({ role: z.enum(CHAT_ROLES), content: z.string().max(MAX_TEXT) }))
        .min(1)
        .max(200)
        .optional(),
      model: modelField(cfg, "chat"),
      temperature: z.number().min(0).max(2).optional(),
      max_tokens: quietRange(z.number().int(), 1, 1_000_000).optional(),
      // Two fields, not a union of a string and an object: LangChain's adapter keeps only the object
      // branch of such a union and then refuses "json_object" before it reaches the server (issue 12).
      response_format: z.enum(["text", "json_object", "json_schema"]).optional(),
      json_schema: z
        .object({
          schema: z.record(z.string().max(MAX_ID), z.unknown()),
          name: idText(MAX_ID)
            .regex(/^[A-Za-z0-9_-]{1,64}$/)
            .optional(),
          strict: z.boolean().optional(),
        })
        .optional(),
      enable_thinking: z.boolean().optional().describe("e.g. Qwen3"),
    },
    output: {
      model: z.string(),
      text: z.string().describe("the answer as the model wrote it"),
      json: z.unknown().optional().describe("the parsed answer, when response_format asked for JSON"),
      reasoning: z.string().optional(),
      finish_reason: z.string().optional(),
      usage: usageShape.optional(),
      request_id: z.string().optional(),
    },
    annotations: GATEWAY_CALL,
    quote(args) {
      // The schema's caps first: a call refused for them is never metered (a 1 MB schema would be copied into the note).
      if (args.json_schema) checkSchemaLimits(args.json_schema.schema);
      const { model } = resolveModel(cfg, "chat", args.model);
      const messages = chatMessages({ ...args, model, response_format: responseFormat(args.response_format, args.json_schema) });
      return gatewayQuote(book, "chat", model, () => chatMeters(messages, args.max_tokens, args.enable_thinking === true));
    },
    async run(args, ctx) {
      const { model, modelVar } = resolveModel(cfg, "chat", args.model);
      const format = responseFormat(args.response_format, args.json_schema);
      const guarded = modelsFileChecks(ctx, catalog, "chat", model, args);
      const validate = format && typeof format === "object" ? await compileSchema(format.schema) : undefined;
      ctx.progress(`asking ${model}`);
      let lastReport = 0;
      let answering = false;
      const answer = await guarded(() =>
        runChat(
          client,
          { ...args, model, response_format: format },
          {
            signal: ctx.signal,
            modelVar,
            onDelta: (text, reasoning) => {
              // Report the switch from thinking to answering at once, otherwise at most once a second.
              const firstText = !answering && text.length > 0;
              if (!firstText && Date.now() - lastReport < 1000) return;
              answering ||= firstText;
              lastReport = Date.now();
              ctx.progress(
                text
                  ? `receiving the answer: ${text.length} characters so far`
                  : reasoning
                    ? `the model is thinking (${reasoning.length} characters of reasoning)`
                    : `${model} accepted the request; waiting for the first tokens`,
              );
            },
          },
        ),
      );
      // Billed once answered, whatever the checks below find: input and output tokens at their two rates.
      const actual = chatActual(book.find(model, GATEWAY_PATHS.chat), answer.usage, args.enable_thinking === true);
      if (actual) ctx.reportActual(actual);
      const structured: Record<string, unknown> = { ...answer };
      if (format && format !== "text") {
        const parsed = parseJsonAnswer(answer.text);
        const truncated = answer.finish_reason === "length" ? " The answer was cut off by max_tokens; raise it." : "";
        if (!parsed.ok)
          throw answerError("NotJson", `the answer is not valid JSON (${parsed.error}).${truncated}`, answer.text, answer.request_id);
        if (validate) {
          const check = await validate(parsed.value);
          if (!check.valid)
            throw answerError(
              "SchemaMismatch",
              `the answer does not match the schema: ${check.errorMessage}.${truncated}`,
              answer.text,
              answer.request_id,
            );
        }
        structured.json = parsed.value;
      }
      const footer = [
        answer.finish_reason && answer.finish_reason !== "stop" ? `finish_reason: ${answer.finish_reason}` : undefined,
        answer.usage?.total_tokens !== undefined ? `${answer.usage.total_tokens} tokens` : undefined,
      ]
        .filter(Boolean)
        .join(", ");
      const text = structured.json !== undefined ? JSON.stringify(structured.json, null, 2) : answer.text;
      structured.message = summary(answer, structured.json !== undefined ? (validate ? "schema" : "json") : "text");
      return result(`${text}${footer ? `\n\n(${answer.model}; ${footer})` : ""}`, structured);
    },
  });
}

type JsonSchemaFormat = Exclude<ResponseFormat, string>;

/**
 * The answer's one-line `message`: who answered and how, then the answer's first non-blank line for
 * text. The result's first line would be "{" for a JSON answer, or a Markdown rule.
 */
function summary(answer: { model: string; text: string; finish_reason?: string }, kind: "text" | "json" | "schema"): string {
  const cut = answer.finish_reason === "length" ? ", cut off by max_tokens" : "";
  if (kind !== "text")
    return `${answer.model} answered with JSON${kind === "schema" ? " that matches the schema" : ""}${cut}; it is in json`;
  const line =
    answer.text
      .split("\n")
      .find((l) => l.trim() !== "")
      ?.trim() ?? "";
  const shown = clip(line, 200);
  return `${answer.model} answered${cut}${shown ? `: ${shown}` : " with no text"}`;
}

/** The one format the two fields describe; a contradiction is refused before any call. */
function responseFormat(
  kind: "text" | "json_object" | "json_schema" | undefined,
  schema: JsonSchemaFormat | undefined,
): ResponseFormat | undefined {
  if (schema) {
    if (kind && kind !== "json_schema")
      throw inputError("response_format", `json_schema needs response_format "json_schema" (or none), not "${kind}"`);
    return schema;
  }
  if (kind === "json_schema") throw inputError("json_schema", 'response_format "json_schema" needs json_schema: {schema: <JSON Schema>}');
  return kind;
}

function answerError(code: string, message: string, raw: string, requestId?: string): AigcError {
  return new AigcError({
    category: "bad_response",
    code,
    vendor: GATEWAY,
    requestId,
    message: `${message}\nThe raw answer was:\n${raw.slice(0, 4000)}`,
    hint: "Call again (the model may comply next time), make the prompt say what JSON to write, or simplify the schema.",
  });
}

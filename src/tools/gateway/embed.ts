import { z } from "zod";
import { quietRange } from "../bounds.js";
import type { GatewayClient } from "../../vendors/gateway/client.js";
import { embed, MAX_EMBED_TEXTS } from "../../vendors/gateway/embed-rerank.js";
import { saveDataFile } from "../../media/disk.js";
import { defineTool } from "../define.js";
import type { Catalog } from "../../vendors/kit/catalog.js";
import { GATEWAY_CALL, gatewayQuote, modelField, modelsFileChecks, resolveModel, result } from "./common.js";
import { embedMeters } from "../../vendors/gateway/pricing.js";
import type { PriceBook } from "../../vendors/kit/price.js";

const MAX_TEXT_CHARS = 32_000;

export function gatewayEmbed(client: GatewayClient, book: PriceBook, catalog?: Catalog) {
  const cfg = client.cfg;
  return defineTool({
    name: "gateway_embed",
    title: "AI Gateway embeddings",
    description:
      "Embeds texts with a model via your AI Gateway; the vectors go to a JSON file (array of arrays, in order) whose path is returned. Paid per token.",
    input: {
      texts: z
        .array(z.string().min(1, "texts must not contain empty strings").max(MAX_TEXT_CHARS))
        .min(1)
        .max(MAX_EMBED_TEXTS)
        .describe(`1-${MAX_EMBED_TEXTS}`),
      model: modelField(cfg, "embed"),
      dimensions: quietRange(z.number().int(), 1, 16_384).optional(),
    },
    output: {
      model: z.string(),
      dimensions: z.number().int(),
      count: z.number().int(),
      vectors_path: z.string().describe("absolute path of the JSON file holding the vectors (an array of arrays, in the order of texts)"),
      total_tokens: z.number().optional(),
      request_id: z.string().optional(),
    },
    annotations: GATEWAY_CALL,
    quote(args) {
      const { model } = resolveModel(cfg, "embed", args.model);
      return gatewayQuote(book, "embed", model, () => ({ meters: embedMeters(args.texts) }));
    },
    async run(args, ctx) {
      const { model, modelVar } = resolveModel(cfg, "embed", args.model);
      const guarded = modelsFileChecks(ctx, catalog, "embed", model, args);
      ctx.progress(`embedding ${args.texts.length} text(s) with ${model}`);
      const e = await guarded(() =>
        embed(client, { model, texts: args.texts, dimensions: args.dimensions }, { signal: ctx.signal, modelVar }),
      );
      if (e.total_tokens !== undefined) ctx.reportUsage({ tokens: e.total_tokens });
      const preview = e.vectors[0]!.slice(0, 4)
        .map((x) => x.toFixed(4))
        .join(", ");
      // Vectors never go into the result: LangChain copies structuredContent into the model's text and
      // VS Code sends only structuredContent, so a file is the one place no client puts in the context.
      const path = await saveDataFile(ctx.app.media.dir, "embeddings", e.vectors);
      const text = `${e.vectors.length} vector(s) of ${e.dimensions} dimensions from ${e.model}${e.total_tokens !== undefined ? ` (${e.total_tokens} tokens)` : ""}; first vector starts [${preview}, …]. The vectors are saved in ${path}.`;
      return result(text, {
        model: e.model,
        dimensions: e.dimensions,
        count: e.vectors.length,
        vectors_path: path,
        ...(e.total_tokens !== undefined ? { total_tokens: e.total_tokens } : {}),
        ...(e.request_id ? { request_id: e.request_id } : {}),
      });
    },
  });
}

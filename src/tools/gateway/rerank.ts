import { z } from "zod";
import { inputError } from "../../errors.js";
import type { GatewayClient } from "../../vendors/gateway/client.js";
import { MAX_RERANK_DOCUMENTS, rerank } from "../../vendors/gateway/embed-rerank.js";
import { defineTool } from "../define.js";
import type { Catalog } from "../../vendors/kit/catalog.js";
import { GATEWAY_CALL, gatewayQuote, modelField, modelsFileChecks, resolveModel, result } from "./common.js";
import { rerankMeters } from "../../vendors/gateway/pricing.js";
import type { PriceBook } from "../../vendors/kit/price.js";
import { MAX_TEXT } from "../media-inputs.js";

export function gatewayRerank(client: GatewayClient, book: PriceBook, catalog?: Catalog) {
  const cfg = client.cfg;
  return defineTool({
    name: "gateway_rerank",
    title: "AI Gateway rerank",
    description:
      "Ranks documents by relevance to a query with a rerank model via your AI Gateway: the top_n as {index, score, document}. Paid per token.",
    input: {
      query: z.string().min(1).max(MAX_TEXT),
      documents: z
        .array(z.string().min(1, "documents must not contain empty strings").max(MAX_TEXT))
        .min(1)
        .max(MAX_RERANK_DOCUMENTS)
        .describe(`1-${MAX_RERANK_DOCUMENTS}`),
      top_n: z.number().int().min(1).max(MAX_RERANK_DOCUMENTS).optional().describe("default all"),
      model: modelField(cfg, "rerank"),
    },
    output: {
      model: z.string(),
      results: z.array(z.object({ index: z.number().int(), score: z.number(), document: z.string() })),
      request_id: z.string().optional(),
    },
    annotations: GATEWAY_CALL,
    quote(args) {
      const { model } = resolveModel(cfg, "rerank", args.model);
      return gatewayQuote(book, "rerank", model, () => ({ meters: rerankMeters(args.query, args.documents) }));
    },
    async run(args, ctx) {
      if (args.top_n !== undefined && args.top_n > args.documents.length)
        throw inputError("top_n", `at most the number of documents (${args.documents.length}); got ${args.top_n}`);
      const { model, modelVar } = resolveModel(cfg, "rerank", args.model);
      const guarded = modelsFileChecks(ctx, catalog, "rerank", model, args);
      ctx.progress(`ranking ${args.documents.length} document(s) with ${model}`);
      const r = await guarded(() =>
        rerank(client, { model, query: args.query, documents: args.documents, top_n: args.top_n }, { signal: ctx.signal, modelVar }),
      );
      if (r.total_tokens !== undefined) ctx.reportUsage({ tokens: r.total_tokens });
      const lines = r.results.map(
        (x, i) =>
          `${i + 1}. [${x.index}] ${x.score.toFixed(4)}  ${x.document.length > 120 ? `${x.document.slice(0, 117)}...` : x.document}`,
      );
      return result(`Ranked by ${r.model}:\n${lines.join("\n")}`, {
        model: r.model,
        results: r.results,
        ...(r.request_id ? { request_id: r.request_id } : {}),
      });
    },
  });
}

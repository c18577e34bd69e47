/** Embeddings and rerank: request bodies and tolerant answer parsing (OpenAI, Cohere/Jina and DashScope shapes). */
import type { AigcError } from "../../errors.js";
import { malformedResponse } from "../kit/errors.js";
import type { GatewayClient } from "./client.js";
import { GATEWAY_PATHS } from "./config.js";
import { GATEWAY } from "./errors.js";

export const MAX_EMBED_TEXTS = 512;
export const MAX_RERANK_DOCUMENTS = 1000;

export interface Embeddings {
  model: string;
  vectors: number[][];
  dimensions: number;
  total_tokens?: number;
  request_id?: string;
}

function malformed(what: string, requestId?: string): AigcError {
  return malformedResponse(GATEWAY, what, { requestId });
}

/** An embedding as floats, whether sent as a JSON array or as base64 little-endian float32. */
function vectorOf(v: unknown): number[] | undefined {
  if (Array.isArray(v) && v.every((x) => typeof x === "number")) return v;
  if (typeof v === "string") {
    const buf = Buffer.from(v, "base64");
    if (buf.length % 4) return undefined;
    return Array.from({ length: buf.length / 4 }, (_, i) => buf.readFloatLE(i * 4));
  }
  return undefined;
}

export async function embed(
  client: GatewayClient,
  req: { model: string; texts: string[]; dimensions?: number },
  opts: { signal?: AbortSignal; modelVar?: string },
): Promise<Embeddings> {
  const body: Record<string, unknown> = { model: req.model, input: req.texts, encoding_format: "float" };
  if (req.dimensions !== undefined) body.dimensions = req.dimensions;
  const { data, requestId } = await client.postJson(GATEWAY_PATHS.embed, body, opts);
  const rows = Array.isArray(data.data) ? (data.data as Array<{ index?: unknown; embedding?: unknown }>) : undefined;
  if (!rows) throw malformed("the embeddings answer has no data list", requestId);
  const vectors: number[][] = new Array<number[]>(req.texts.length);
  rows.forEach((row, i) => {
    const index = typeof row.index === "number" ? row.index : i;
    const vec = vectorOf(row.embedding);
    if (!vec || index < 0 || index >= req.texts.length)
      throw malformed(`embedding ${i} of the answer is not a list of numbers for a known input`, requestId);
    vectors[index] = vec;
  });
  const missing = vectors.findIndex((v) => v === undefined);
  if (rows.length !== req.texts.length || missing >= 0)
    throw malformed(`the gateway returned ${rows.length} embeddings for ${req.texts.length} texts`, requestId);
  const dims = vectors[0]!.length;
  if (vectors.some((v) => v.length !== dims)) throw malformed("the embeddings have different lengths", requestId);
  const usage = data.usage as { total_tokens?: unknown; prompt_tokens?: unknown } | undefined;
  const tokens = usage?.total_tokens ?? usage?.prompt_tokens;
  return {
    model: typeof data.model === "string" && data.model ? data.model : req.model,
    vectors,
    dimensions: dims,
    ...(typeof tokens === "number" ? { total_tokens: tokens } : {}),
    ...(requestId ? { request_id: requestId } : {}),
  };
}

export interface RerankResult {
  model: string;
  results: Array<{ index: number; score: number; document: string }>;
  /** `usage.total_tokens` when the answer has it (DashScope's rerank does; the Cohere/Jina shape documents none). */
  total_tokens?: number;
  request_id?: string;
}

export async function rerank(
  client: GatewayClient,
  req: { model: string; query: string; documents: string[]; top_n?: number },
  opts: { signal?: AbortSignal; modelVar?: string },
): Promise<RerankResult> {
  const body: Record<string, unknown> = { model: req.model, query: req.query, documents: req.documents };
  if (req.top_n !== undefined) body.top_n = req.top_n;
  const { data, requestId } = await client.postJson(GATEWAY_PATHS.rerank, body, opts);
  const output = data.output as { results?: unknown } | undefined;
  const rows = (Array.isArray(data.results) ? data.results : Array.isArray(output?.results) ? output.results : undefined) as
    Array<Record<string, unknown>> | undefined;
  if (!rows) throw malformed("the rerank answer has no results list", requestId);
  const results = rows.map((r, i) => {
    const index = r.index;
    const score = r.relevance_score ?? r.score;
    if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= req.documents.length || typeof score !== "number") {
      throw malformed(`rerank result ${i} has no valid index and relevance_score`, requestId);
    }
    // The document comes from our own input: some backends omit it, others echo it in other shapes.
    return { index, score, document: req.documents[index]! };
  });
  results.sort((a, b) => b.score - a.score);
  const limited = req.top_n !== undefined ? results.slice(0, req.top_n) : results;
  const tokens = (data.usage as { total_tokens?: unknown } | undefined)?.total_tokens;
  return {
    model: typeof data.model === "string" && data.model ? data.model : req.model,
    results: limited,
    ...(typeof tokens === "number" ? { total_tokens: tokens } : {}),
    ...(requestId ? { request_id: requestId } : {}),
  };
}

/** Loads tool media arguments (URL, data: URI, media:// or local path) with the field named in errors. */
import type { AppContext } from "../context.js";
import { inputBytes, loadMediaInput, type InputRule, type MediaInput } from "../media/inputs.js";

export async function loadInput(app: AppContext, value: string | undefined, rule: InputRule): Promise<MediaInput | undefined> {
  return value === undefined ? undefined : loadMediaInput(value, rule, app.inputs);
}

export async function loadInputs(app: AppContext, values: string[] | undefined, rule: InputRule): Promise<MediaInput[]> {
  const out: MediaInput[] = [];
  for (const [i, v] of (values ?? []).entries()) out.push(await loadMediaInput(v, { ...rule, field: `${rule.field}[${i}]` }, app.inputs));
  return out;
}

/**
 * What a media argument takes, said once in the server instructions: the fields state only the vendor's
 * limits (the tool list goes with every model request, issue 12 item 16).
 */
export const MEDIA_REF_HELP = "a URL, a data: URI, a media:// URI from an earlier result, or a file path on the server's machine";

/** Like loadInput, but always bytes: URL inputs are downloaded (capped by the rule). */
export async function loadInputBytes(app: AppContext, value: string, rule: InputRule, signal?: AbortSignal) {
  return inputBytes(await loadMediaInput(value, rule, app.inputs), rule, app.inputs, signal);
}

/**
 * Loose true bounds for string arguments (issue 11): what no vendor input can exceed, never a
 * per-model rule (the catalogs advise per model). A media reference may be a `data:` URI of the
 * largest inline input a vendor takes, so it is sized like the stdio message cap (64 MiB).
 */
export const MAX_MEDIA_REF = 64 * 1024 * 1024;
/** Ids the vendors mint or document (task, element, voice, template ids, req_keys) and short codes. */
export const MAX_ID = 256;
/** Chat and rerank text: far beyond any model's context window in characters. */
export const MAX_TEXT = 4_000_000;

/**
 * Facts a Seedance quote reads from the call's inputs before any vendor request: the seconds of
 * each reference video (Ark bills them as tokens too). A local file, media:// URI or data: URI is
 * read (with the same checks as the call) and its header probed in memory; a URL or an `asset://`
 * reference is not fetched for a quote, so its length is unknown (undefined) and the estimate
 * says it is a lower bound.
 */
import type { AppContext } from "../../context.js";
import { loadMediaInput, type InputRule } from "../../media/inputs.js";
import { probeBytes } from "../../media/sniff.js";

/** A reference the quote does not read: anything with a scheme other than media:, data: or file:. */
const REMOTE = /^(?!media:|data:|file:)[a-z][a-z0-9+.-]*:/i;

export async function videoSeconds(app: AppContext, refs: string[] | undefined, rule: InputRule): Promise<Array<number | undefined>> {
  const out: Array<number | undefined> = [];
  for (const [i, ref] of (refs ?? []).entries()) {
    if (REMOTE.test(ref.trim())) {
      out.push(undefined);
      continue;
    }
    const input = await loadMediaInput(ref, { ...rule, field: `${rule.field}[${i}]` }, app.inputs);
    const s = input.kind === "bytes" ? (await probeBytes(input.data))?.duration_s : undefined;
    out.push(s !== undefined && Number.isFinite(s) ? Math.round(s * 1000) / 1000 : undefined);
  }
  return out;
}

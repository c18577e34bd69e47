/**
 * Facts a Seedance quote reads from the call's inputs before any vendor request: the seconds of
 * each reference video (Ark bills them as tokens too). A local file, media:// URI or data: URI is
 * read (with the same checks as the call), as is an output this server's own download link names,
 * and its header probed in memory; any other URL or an `asset://` reference is not fetched for a
 * quote, so its length is unknown (undefined) and the estimate says it is a lower bound.
 */
import { loadMediaInput, readableHere, type InputRule } from "../../media/inputs.js";
import { probeBytes } from "../../media/sniff.js";
import type { InputContext } from "../media-inputs.js";

/** `ctx.limits`: the call's, so each read waits for room as the call's own loads do (net/loaded-media.ts). */
export async function videoSeconds(
  { app, limits }: InputContext,
  refs: string[] | undefined,
  rule: InputRule,
): Promise<Array<number | undefined>> {
  const out: Array<number | undefined> = [];
  for (const [i, ref] of (refs ?? []).entries()) {
    const here = readableHere(ref, app.inputs);
    if (here === undefined) {
      out.push(undefined);
      continue;
    }
    const input = await loadMediaInput(here, { ...rule, field: `${rule.field}[${i}]` }, app.inputs, limits);
    const s = input.kind === "bytes" ? (await probeBytes(input.data))?.duration_s : undefined;
    out.push(s !== undefined && Number.isFinite(s) ? Math.round(s * 1000) / 1000 : undefined);
  }
  return out;
}

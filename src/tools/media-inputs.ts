/** Loads tool media arguments (URL, data: URI, media:// or local path) with the field named in errors. */
import type { AppContext } from "../context.js";
import { AigcError, inputError } from "../errors.js";
import { inputBytes, loadMediaInput, type InputRule, type MediaInput } from "../media/inputs.js";
import { MEDIA_URI_PREFIX, mediaName } from "../media/store.js";
import { routeInputUrl } from "../net/fetch-policy.js";

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

/**
 * A media argument as a URL the vendor fetches itself, for media a vendor takes by URL only (Kling's
 * videos): an http(s) URL, as loadInput routes it; or an output of this server (its media:// URI)
 * as its download link: presigned by the bucket when the record says it is there, else signed on
 * AIGC_MCP_PUBLIC_URL (served by /media/). A link on a host the vendor cannot reach, another form
 * (a data: URI, a local path), or an output with no link to give is refused naming what works.
 * `vendor` is the vendor's display name, for the refusal.
 */
export async function loadInputUrl(app: AppContext, value: string, rule: InputRule, vendor: string): Promise<string> {
  const { field } = rule;
  const byUrl = `${vendor} takes ${rule.accept.join(" or ")} inputs by URL only`;
  if (value.trim().startsWith(MEDIA_URI_PREFIX)) {
    const name = (() => {
      try {
        return mediaName(value.trim());
      } catch {
        return undefined; // a malformed %-escape names nothing this server saved
      }
    })();
    const saved = name === undefined ? undefined : await app.media.generated(name);
    if (!saved) throw inputError(field, `${value.slice(0, 120)} was not found among the files this server generated`);
    const kind = saved.mime?.split("/")[0];
    if (kind && !rule.accept.some((k) => k === kind))
      throw inputError(field, `${value.slice(0, 120)} is ${saved.mime}, not ${rule.accept.join(" or ")}`);
    // Redis records do not say where a file is kept: the bucket is asked (undefined: cannot tell, so counted as there).
    const bucket = app.media.bucket;
    const inBucket = bucket && (saved.storage === "s3" || (saved.storage === undefined && (await bucket.holds(saved.name)) !== false));
    const link = inBucket ? await bucket.link(saved.name) : await app.links?.link(saved.name);
    if (!link)
      throw new AigcError({
        category: "invalid_input",
        code: "InvalidInput",
        message: `${field}: ${byUrl}, and this server has no download link for ${value.slice(0, 120)}`,
        hint: "Run the server over HTTP with AIGC_MCP_PUBLIC_URL (or keep outputs in a bucket, AIGC_MCP_S3_BUCKET) so its outputs have links the vendor can fetch, or pass a public http(s) URL of the file.",
      });
    // An internal host is refused here; one allow-listed for downloads is no more reachable by the vendor.
    if (routeInputUrl(field, link.url, app.inputs.media.fetchPolicy) !== "forward")
      throw inputError(field, `${byUrl}, and this output's download link is on ${new URL(link.url).host}, which ${vendor} cannot reach`);
    return link.url;
  }
  if (!/^\s*https?:\/\//i.test(value) && !rule.references?.some((r) => value.trim().startsWith(`${r}://`)))
    throw new AigcError({
      category: "invalid_input",
      code: "InvalidInput",
      message: `${field}: ${byUrl}; "${value.slice(0, 60)}" is not one`,
      hint: `Pass a public http(s) URL, or the ${MEDIA_URI_PREFIX}… URI of an earlier output when this server gives its outputs download links (AIGC_MCP_PUBLIC_URL, or a bucket).`,
    });
  const input = await loadMediaInput(value, rule, app.inputs);
  if (input.kind !== "url")
    throw inputError(
      field,
      `${byUrl}: this server would have to download ${value.slice(0, 120)} and send its bytes, which ${vendor} does not take`,
    );
  return input.url;
}

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

/** Loads tool media arguments (URL, data: URI, media:// or local path) with the field named in errors. */
import type { AppContext } from "../context.js";
import type { ToolContext } from "./define.js";
import { AigcError, inputError } from "../errors.js";
import { inputBytes, loadMediaInput, readableHere, type InputRule, type MediaInput } from "../media/inputs.js";
import { realpath } from "node:fs/promises";
import { join } from "node:path";
import { regularFile } from "../media/disk.js";
import { MEDIA_URI_PREFIX, outputName } from "../media/media-uri.js";
import { routeInputUrl } from "../net/fetch-policy.js";
import { safeUrl } from "../net/http.js";

/** The part of a tool's context that loading its inputs needs: a URL downloaded here keeps to the call's limits (a quote has none). */
export type InputContext = Pick<ToolContext, "app"> & Partial<Pick<ToolContext, "limits">>;

export async function loadInput(
  { app, limits }: InputContext,
  value: string | undefined,
  rule: InputRule,
): Promise<MediaInput | undefined> {
  return value === undefined ? undefined : loadMediaInput(value, rule, app.inputs, limits);
}

export async function loadInputs({ app, limits }: InputContext, values: string[] | undefined, rule: InputRule): Promise<MediaInput[]> {
  const out: MediaInput[] = [];
  for (const [i, v] of (values ?? []).entries())
    out.push(await loadMediaInput(v, { ...rule, field: `${rule.field}[${i}]` }, app.inputs, limits));
  return out;
}

/**
 * What a media argument takes, said once in the server instructions: the fields state only the vendor's
 * limits (the tool list goes with every model request, issue 12 item 16).
 */
export const MEDIA_REF_HELP = "a URL, a data: URI, a media:// URI from an earlier result, or a file path on the server's machine";

/** MEDIA_REF_HELP where local paths are refused (over HTTP without AIGC_MCP_INPUT_ROOTS): not offered. */
export const MEDIA_REF_HELP_NO_PATHS = "a URL, a data: URI or a media:// URI from an earlier result (this server refuses file paths)";

/**
 * A media argument as a URL the vendor fetches itself, for media a vendor takes by URL only (Kling's
 * videos): a public http(s) URL as is; or an output of this server (its media:// URI) as its
 * download link, presigned by the bucket when the file is there, else signed on AIGC_MCP_PUBLIC_URL
 * (served by /media/, so only while the file is as saved). A URL or link on a host the vendor
 * cannot reach, another form (a data: URI, a local path), or an output with no link to give is
 * refused before any request, naming what works. `vendor` is the vendor's display name.
 */
export async function loadInputUrl(app: AppContext, value: string, rule: InputRule, vendor: string): Promise<string> {
  const { field } = rule;
  const byUrl = `${vendor} takes ${rule.accept.join(" or ")} inputs by URL only`;
  const refuse = (message: string) =>
    new AigcError({
      category: "invalid_input",
      code: "InvalidInput",
      message: `${field}: ${byUrl}${message}`,
      hint: `Pass a public http(s) URL, or the ${MEDIA_URI_PREFIX}… URI of an earlier output when this server gives its outputs download links (AIGC_MCP_PUBLIC_URL with --http, or a bucket, AIGC_MCP_S3_BUCKET).`,
    });
  // Neither downloaded here nor sent on: the vendor could not reach it, and takes no bytes instead.
  // `own`: a download link of this server's, so the setting that put it out of reach is named.
  const reachable = (url: string, own?: "AIGC_MCP_PUBLIC_URL" | "AIGC_MCP_S3_ENDPOINT") => {
    let route: string;
    let message = `${field}: ${safeUrl(url)} is on ${new URL(url).host}, which this server may download from (AIGC_MCP_FETCH_ALLOW_HOSTS) but ${vendor} cannot reach`;
    try {
      route = routeInputUrl(field, url, app.inputs.media.fetchPolicy);
    } catch (err) {
      if (!(err instanceof AigcError)) throw err;
      [route, message] = ["refused", err.info.message];
    }
    if (route === "forward") return url;
    throw new AigcError({
      category: "invalid_input",
      code: "UnreachableUrl",
      message,
      hint: own
        ? `${byUrl} and fetches them itself: this output's download link is on ${own} (${new URL(url).host}), which ${vendor} cannot reach from the internet. Set ${own} to a public address (for AIGC_MCP_PUBLIC_URL, this server behind TLS: deploy/), or pass a public http(s) URL of the file.`
        : `${byUrl} and fetches them itself, so downloading here cannot help: pass a public http(s) URL (from a self-hosted Dify, set its FILES_URL to an address ${vendor} can reach), or an output's ${MEDIA_URI_PREFIX}… URI when its download URL is public (AIGC_MCP_PUBLIC_URL, or a bucket on a public endpoint).`,
    });
  };
  // A download_url of this server's stands for its output: sent as a fresh link, not as given (it may expire).
  const local = readableHere(value, app.inputs);
  const v = local?.startsWith(MEDIA_URI_PREFIX) ? local : value.trim();
  if (v.startsWith(MEDIA_URI_PREFIX)) {
    const name = outputName(v);
    const saved = name && (await app.media.generated(name));
    if (!saved) throw inputError(field, `${v.slice(0, 120)} was not found among the files this server generated`);
    const kind = saved.mime?.split("/")[0];
    if (kind && !rule.accept.some((k) => k === kind))
      throw inputError(field, `${v.slice(0, 120)} is ${saved.mime}, not ${rule.accept.join(" or ")}`);
    // Redis records do not say where a file is kept: the bucket is asked (undefined: cannot tell, so counted as there).
    const bucket = app.media.bucket;
    const inBucket = bucket && (saved.storage === "s3" || (saved.storage === undefined && (await bucket.holds(saved.name)) !== false));
    if (inBucket) return reachable((await bucket.link(saved.name)).url, "AIGC_MCP_S3_ENDPOINT");
    if (!app.links) throw refuse(`, and this server has no download link for ${v.slice(0, 120)}`);
    // /media/ serves only the file as generated: a link to one removed or edited would answer the vendor 404.
    const here = await regularFile(join(await realpath(app.media.dir), saved.name), saved.bytes);
    if (!here) {
      // Records shared (Redis) and no bucket: the file may be in another replica's folder (media/file-state-words.ts).
      const gone = app.media.sharedRecords
        ? "is not in this server's output folder as saved (removed or changed, or saved by another replica with a folder of its own)"
        : "was removed from the output folder or changed since it was saved";
      throw inputError(field, `${v.slice(0, 120)} ${gone}`);
    }
    return reachable((await app.links.link(saved.name)).url, "AIGC_MCP_PUBLIC_URL");
  }
  if (rule.references?.some((r) => v.startsWith(`${r}://`))) return v;
  if (!/^https?:\/\//i.test(v) || !URL.canParse(v)) throw refuse(`; "${value.slice(0, 60)}" is not one`);
  return reachable(v);
}

/** Like loadInput, but always bytes: URL inputs are downloaded (capped by the rule). */
export async function loadInputBytes({ app, limits }: InputContext, value: string, rule: InputRule) {
  return inputBytes(await loadMediaInput(value, rule, app.inputs, limits), rule, app.inputs, limits);
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

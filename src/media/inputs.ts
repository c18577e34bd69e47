/**
 * Media inputs given to tools: an http(s) URL (passed to the vendor as is, unless its host is one
 * the vendor cannot reach: see routeInputUrl), a `data:` URI, raw
 * base64, a `media://files/...` URI of an earlier output, a vendor reference whose scheme the
 * field allows (e.g. Ark's `asset://<id>`, passed to the vendor as is), or a local path confined to
 * the allowed roots. Everything else is checked (type, size, location) before any vendor call.
 */
import { realpath } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expandHome } from "../home-path.js";
import { AigcError, inputError } from "../errors.js";
import { log } from "../log.js";
import { downloadFailed, openChecked, routeInputUrl } from "../net/fetch-policy.js";
import type { CallLimits } from "../net/call-limits.js";
import { cancelled, discard, readCapped, safeUrl } from "../net/http.js";
import { dataUriBytes, isRawBase64, schemeOf } from "./input-forms.js";
import { MEDIA_URI_PREFIX } from "./media-uri.js";
import type { MediaStore } from "./store.js";
import type { SignedMediaUrls } from "./signed-url.js";
import type { MediaKind } from "./sniff.js";
import { capOf, checkBytes, readWhole, roomToRead, sizeAt } from "./input-reads.js";
import { isMediaNotFound, openGenerated, openWithin, within } from "./open-file.js";

/** `url` is an http(s) URL or a vendor reference (see `InputRule.references`): either way the vendor fetches it. */
export type MediaInput = { kind: "url"; url: string } | { kind: "bytes"; data: Buffer; mime: string; width?: number; height?: number };

export interface InputPolicy {
  /** Absolute folders local paths may come from; empty = local paths refused. */
  roots: string[];
  /** Why local paths are refused, when roots is empty. */
  refusal?: string;
  maxBytes: number;
  media: MediaStore;
  /** This server's own download links (AIGC_MCP_PUBLIC_URL), read back as the outputs they name. */
  ownLinks?: Pick<SignedMediaUrls, "outputOf">;
}

export interface InputRule {
  field: string;
  accept: MediaKind[];
  /** Per-vendor cap (e.g. 10 MB for Ark and Kling images). */
  maxBytes?: number;
  /** Allowed MIME types, when the vendor is stricter than the kind. */
  mimes?: string[];
  /**
   * URI schemes of the vendor's own media references, passed to the vendor unchanged and never read
   * as local paths (e.g. `["asset"]` for Ark's trusted-asset library, `asset://<id>`).
   */
  references?: string[];
}

/**
 * What a quote may read of a media argument on this machine (quotes never fetch): `ref` itself for a
 * local path, a data: URI, raw base64 or a media:// URI; the media:// URI of an output this server's
 * own download link names; undefined for any other URL or vendor reference (the vendor fetches it).
 */
export function readableHere(ref: string, policy: InputPolicy): string | undefined {
  const value = ref.trim();
  const own = /^https?:\/\//i.test(value) ? policy.ownLinks?.outputOf(value) : undefined;
  if (own !== undefined) return `${MEDIA_URI_PREFIX}${encodeURIComponent(own)}`;
  return /^(?!media:|data:|file:)[a-z][a-z0-9+.-]*:/i.test(value) ? undefined : value;
}

/**
 * Reads a media argument (see MediaInput). A URL is downloaded here only when the vendor could not
 * reach it, within the call's `limits` (none: a quote's read of local inputs).
 */
export async function loadMediaInput(ref: string, rule: InputRule, policy: InputPolicy, limits?: CallLimits): Promise<MediaInput> {
  const { field } = rule;
  const value = ref.trim();
  if (!value) throw inputError(field, "is empty");
  if (/^https?:\/\//i.test(value)) {
    // A download_url this server gave out is one of its outputs: read here, not fetched over HTTP.
    const here = readableHere(value, policy);
    if (here?.startsWith(MEDIA_URI_PREFIX)) return loadMediaInput(here, rule, policy, limits);
    try {
      new URL(value);
    } catch {
      throw inputError(field, `"${value.slice(0, 80)}" is not a valid URL`);
    }
    // A host the vendor cannot reach is downloaded here (allow-listed) or refused, never sent on.
    if (routeInputUrl(field, value, policy.media.fetchPolicy) === "download") return download(value, rule, policy, limits);
    return { kind: "url", url: value };
  }
  if (/^data:/i.test(value)) {
    const uri = dataUriBytes(value);
    if (!uri)
      throw inputError(field, "is not a valid data: URI (expected data:<mime>;base64,<base64 data> or data:<mime>,<percent-encoded data>)");
    if ("problem" in uri) throw inputError(field, dataUriProblem(uri.problem, field, rule));
    return checkBytes(uri.bytes, rule, policy, "data URI");
  }
  const scheme = schemeOf(value);
  if (scheme && rule.references?.includes(scheme) && /^\S+:\/\/\S+$/.test(value)) return { kind: "url", url: value };
  if (value.startsWith(MEDIA_URI_PREFIX)) {
    const notFound = (e: Error) => {
      throw isMediaNotFound(e) ? inputError(field, e.message) : e; // a store that did not answer keeps its own error
    };
    // In a slot of the queue, as the open: resolving may download the bucket's copy into the cache.
    // failFast: while the bucket has just left a request unanswered, its error at once rather than another wait of ~90 s.
    const found = await policy.media.queue.run(() => policy.media.resolve(value, { failFast: true })).catch(notFound);
    await roomToRead(found.bytes ?? (await sizeAt(found.path)), rule, policy, limits);
    const data = await policy.media.queue.run(async () => {
      const file = await openGenerated(policy.media, value, found).catch(notFound);
      return readWhole(file, value, rule, policy);
    });
    return checkBytes(data, rule, policy, value);
  }
  if (scheme && scheme !== "file") {
    const refs = rule.references?.length ? `, a vendor reference (${rule.references.map((r) => `${r}://…`).join(", ")})` : "";
    throw inputError(
      field,
      `"${value.slice(0, 120)}" uses the ${scheme}:// scheme, which is not accepted here; pass an http(s) URL, a data: URI, a ${MEDIA_URI_PREFIX}… URI of an earlier output${refs} or a local file path`,
    );
  }
  if (await isRawBase64(value)) return checkBytes(Buffer.from(value, "base64"), rule, policy, "base64 text");
  let path = value;
  if (/^file:\/\//i.test(value)) {
    try {
      path = fileURLToPath(value);
    } catch {
      throw inputError(
        field,
        `"${value.slice(0, 120)}" is not a local file URL (a file:// URL with a host such as file://server/share is a network share); copy the file into an input root and pass its path, or pass an http(s) URL`,
      );
    }
  }
  // A client on Windows sends its own paths; this server cannot read the client's disk.
  if (process.platform !== "win32" && (/^[A-Za-z]:[\\/]/.test(path) || path.includes("\\")))
    throw inputError(
      field,
      `"${path.slice(0, 120)}" is a path on the client's (Windows) machine, which this server cannot read; pass an http(s) URL, a data: URI, or a path on the server's machine`,
    );
  if (!policy.roots.length) {
    throw inputError(
      field,
      `local file paths are not accepted here (${policy.refusal ?? "no input roots configured"}); pass an http(s) URL or a data: URI instead`,
    );
  }
  // `~` and `~/…` are the home folder, as in the folder variables.
  path = expandHome(path);
  path = isAbsolute(path) ? path : resolve(path);
  const outside = () =>
    inputError(
      field,
      `${path} is outside the allowed input folders (${policy.roots.join(", ")}); set AIGC_MCP_INPUT_ROOTS to allow another folder`,
    );
  // The roots are checked before the file is looked at, so a path outside them tells nothing about
  // what exists there; then again on the real path, so a link inside cannot lead outside.
  const roots = await Promise.all(policy.roots.map(async (root) => [resolve(root), await realpath(root).catch(() => resolve(root))]));
  if (!within(path, roots.flat())) throw outside();
  // A URI of another kind (blob:, javascript:) reads as a relative path; a file of that name may exist, so it is only named.
  const uri = /^[a-z][a-z0-9+.-]+:/i.exec(value)?.[0];
  const missing = () =>
    inputError(
      field,
      `file ${path} does not exist${uri ? ` (if "${value.slice(0, 60)}" is a URI, the ${uri} scheme is not accepted here: pass an http(s) URL, a data: URI or a ${MEDIA_URI_PREFIX}… URI)` : ""}`,
    );
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    throw missing();
  }
  const realRoots = roots.map(([, r]) => r!);
  if (!within(real, realRoots)) throw outside();
  let counted = await sizeAt(real);
  await roomToRead(counted, rule, policy, limits);
  for (let tries = 1; ; tries++) {
    // Checked again on the open file: a link swapped in after the checks above cannot lead outside.
    const got = await policy.media.queue.run(async () => {
      const file = await openWithin(real, realRoots);
      if (file === "outside") throw outside();
      if (file === "missing") throw missing();
      if (file === "not a file") throw inputError(field, `${path} is not a file`);
      // Grown since it was counted (rewritten while its read waited for room): its new size is counted first.
      if (limits?.loads && tries <= 3 && file.size > counted && file.size <= capOf(rule, policy)) {
        await file.fh.close().catch(() => undefined);
        return file.size;
      }
      return readWhole(file, path, rule, policy);
    });
    if (Buffer.isBuffer(got)) return checkBytes(got, rule, policy, path);
    await roomToRead(got - counted, rule, policy, limits);
    counted = got;
  }
}

/** What is wrong with a data: URI (dataUriBytes), and what to send instead. */
function dataUriProblem(problem: "joined" | "base64", field: string, rule: InputRule): string {
  if (problem === "base64")
    return "data URI is not valid base64 (only A-Z, a-z, 0-9, + and / or - and _, with = padding at the end; whitespace is ignored): send the file's whole base64 unchanged";
  const what = `${rule.accept.join(" or ")}s`;
  return `holds several data: URIs joined by a comma; a data: URI cannot be split (its own data follows a comma), so ${
    field.endsWith("]")
      ? `send the ${what} as a JSON array: ["data:…;base64,…", "data:…;base64,…"]`
      : `send one here, and several only where a list is taken, as a JSON array`
  }`;
}

export function toDataUri(input: Extract<MediaInput, { kind: "bytes" }>): string {
  return `data:${input.mime};base64,${input.data.toString("base64")}`;
}

/** URL as is, bytes as a data: URI (the form Ark takes). */
export function toUrlOrDataUri(input: MediaInput): string {
  return input.kind === "url" ? input.url : toDataUri(input);
}

/**
 * The bytes of an input, downloading a URL input (capped, checked like any other input) for
 * vendors that need an upload rather than a link (e.g. multipart speech-to-text).
 */
export async function inputBytes(
  input: MediaInput,
  rule: InputRule,
  policy: InputPolicy,
  limits?: CallLimits,
): Promise<Extract<MediaInput, { kind: "bytes" }>> {
  if (input.kind === "bytes") return input;
  if (!/^https?:\/\//i.test(input.url)) throw inputError(rule.field, `${input.url} is a vendor reference: it cannot be downloaded here`);
  return download(input.url, rule, policy, limits);
}

/** The least time an input download is given, even when the call's wait budget is shorter or spent. */
export const MIN_DOWNLOAD_MS = 10_000;
/** The most time an input download is given, whatever the call's wait budget. */
const MAX_DOWNLOAD_MS = 300_000;

/**
 * Downloads a URL input through the fetch policy, capped and checked like any other input, stopped
 * with the call it is made for and done by the end of its wait budget (given at least
 * MIN_DOWNLOAD_MS, at most MAX_DOWNLOAD_MS).
 */
async function download(
  url: string,
  rule: InputRule,
  policy: InputPolicy,
  limits?: CallLimits,
): Promise<Extract<MediaInput, { kind: "bytes" }>> {
  const cap = capOf(rule, policy);
  // One answer for every failure (refused address, closed port, HTTP status, too large, wrong
  // type), so this cannot be used to probe the network the server sits in; the log has the cause.
  const failed = (cause: unknown) => {
    log.info("download of a caller URL failed", { url: safeUrl(url), cause: String((cause as Error)?.message ?? cause) });
    return downloadFailed(rule.field, url, `${rule.accept.join(" or ")} of at most ${cap} bytes`);
  };
  let body: Buffer;
  const callSignal = limits?.signal;
  const totalMs = Math.min(MAX_DOWNLOAD_MS, Math.max(MIN_DOWNLOAD_MS, (limits?.deadlineMs ?? Infinity) - Date.now()));
  try {
    const res = await openChecked(url, policy.media.fetchPolicy, {
      vendor: "download",
      ...(callSignal ? { signal: callSignal } : {}),
      timeoutMs: 60_000,
      totalTimeoutMs: totalMs,
      maxBytes: cap,
    });
    if (res.status < 200 || res.status >= 300) {
      discard(res.body);
      throw new Error(`HTTP ${res.status}`);
    }
    const length = Number(res.headers["content-length"]);
    await roomToRead(Number.isSafeInteger(length) && length >= 0 ? length : "unannounced", rule, policy, limits).catch((err: unknown) => {
      discard(res.body);
      throw err;
    });
    body = await readCapped(res.body, cap, "download", url);
  } catch (err) {
    if (callSignal?.aborted || (err instanceof AigcError && err.category === "cancelled")) throw cancelled("download");
    // No room to read it: said as such (the address answered, and was allow-listed: AIGC_MCP_FETCH_ALLOW_HOSTS).
    if (err instanceof AigcError && err.code === "Busy") throw err;
    throw failed(err);
  }
  try {
    return (await checkBytes(body, rule, policy, safeUrl(url))) as Extract<MediaInput, { kind: "bytes" }>;
  } catch (err) {
    throw failed(err);
  }
}

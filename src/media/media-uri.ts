/** `media://files/<name>`: how this server names the files it generated, in results and inputs. */
import { AigcError } from "../errors.js";
import { FILE_STATE_WORDS } from "./file-state-words.js";

export const MEDIA_URI_PREFIX = "media://files/";

/** The file names this server gives its outputs (and the only ones it will serve or read back). */
export const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

/** The file name a `media://files/<name>` URI of this server's records stands for. */
export const mediaName = (uri: string) => decodeURIComponent(uri.slice(uri.lastIndexOf("/") + 1));

/** What follows the prefix in a `media://files/<name>` URI; a bare name as given. */
const afterPrefix = (uriOrName: string) => (uriOrName.startsWith(MEDIA_URI_PREFIX) ? uriOrName.slice(MEDIA_URI_PREFIX.length) : uriOrName);

/**
 * The output file name a caller's `media://files/<name>` URI (or bare name) can stand for, or
 * undefined when it cannot be one: a bad %-escape, a path, `..`, or any character outside SAFE_NAME.
 */
export function outputName(uriOrName: string): string | undefined {
  const raw = afterPrefix(uriOrName);
  let name: string;
  try {
    name = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  return SAFE_NAME.test(name) && !name.includes("..") ? name : undefined;
}

/** What any name that is not a file this server generated gets, whatever the reason. */
export function mediaNotFound(uriOrName: string): AigcError {
  const raw = afterPrefix(uriOrName);
  return new AigcError({
    category: "not_found",
    code: "MediaNotFound",
    message: `${MEDIA_URI_PREFIX}${raw.slice(0, 120)} was not found among the files this server generated (unknown, removed or changed since)`,
    hint: "Use a media:// URI from a job result or list_jobs.",
  });
}

/** Why a generated output kept only in a bucket this server is not set up to use cannot be read here. */
export const ELSEWHERE = `it is ${FILE_STATE_WORDS.elsewhere.done}`;

/**
 * A generated output kept only in a bucket this server does not use (another replica's AIGC_MCP_S3_*):
 * not found here, as MediaNotFound, but saying where it is. Only names the job store lists get it.
 */
export function mediaElsewhere(name: string): AigcError {
  return new AigcError({
    category: "not_found",
    code: "MediaElsewhere",
    message: `${MEDIA_URI_PREFIX}${name}: ${ELSEWHERE}`,
    hint: "Read it through a server that uses that bucket, or give this one the same AIGC_MCP_S3_* settings.",
  });
}

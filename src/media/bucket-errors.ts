/**
 * A failed object-storage request as an AigcError whose message and "What to do" follow from how the
 * store failed: a store that is down, overloaded or unreachable is not misconfigured, so it is told
 * to be tried again rather than sent through the list of variables (which had users change a working
 * configuration); the variables are named only where the answer points at them.
 */
import { AigcError } from "../errors.js";
import { inspect } from "node:util";
import { log } from "../log.js";
import { localFaultCode } from "./disk.js";

type SdkError = { name?: string; code?: unknown; message?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };

/** Names the SDK gives an answer without an S3 error code (HEAD answers have no body): only the status says what went wrong. */
const NO_CODE = new Set([undefined, "", "Error", "UnknownError", "NotFound", "Forbidden", "BadRequest"]);

/** What a status means when the answer has no code to say it (HeadBucket's never has). */
const STATUS_MEANS: Record<number, string> = {
  301: " (the bucket is in another region: set AIGC_MCP_S3_REGION to it)",
  400: " (often a wrong AIGC_MCP_S3_REGION, an endpoint that needs AIGC_MCP_S3_FORCE_PATH_STYLE=true, or an expired AWS_SESSION_TOKEN)",
  403: " (the credentials are not allowed to use this bucket, or belong to another account)",
  404: " (no such bucket at this endpoint: check the name, AIGC_MCP_S3_ENDPOINT, and AIGC_MCP_S3_FORCE_PATH_STYLE)",
};

const CONFIG_HINT =
  "Check AIGC_MCP_S3_BUCKET, AIGC_MCP_S3_ENDPOINT, AIGC_MCP_S3_REGION, AIGC_MCP_S3_FORCE_PATH_STYLE and the AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN credentials.";
const CREDENTIALS =
  /^(AccessDenied|InvalidAccessKeyId|SignatureDoesNotMatch|ExpiredToken|InvalidToken|TokenRefreshRequired|CredentialsProviderError)$/;

/** Errors of a store that could not be reached or did not answer in time: worth trying again, nothing to reconfigure. */
const UNREACHABLE = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);

/** The store did not answer (refused, reset, unreachable, timed out), as opposed to answering with an error. */
function isUnreachable(err: unknown): boolean {
  const e = err as SdkError;
  if (e?.$metadata?.httpStatusCode) return false;
  return (
    (typeof e?.code === "string" && UNREACHABLE.has(e.code)) || e?.name === "TimeoutError" || /socket hang up/i.test(String(e?.message))
  );
}

/**
 * The store did not answer in the time allowed, as opposed to refusing or dropping the connection at
 * once (the SDK names a reset or a broken pipe "TimeoutError" too; their codes tell them apart).
 */
export function isTimeout(err: unknown): boolean {
  const e = err as SdkError;
  if (e?.$metadata?.httpStatusCode || e?.code === "ECONNRESET" || e?.code === "EPIPE") return false;
  return e?.name === "TimeoutError" || e?.code === "ETIMEDOUT";
}

/** Where the store is, in the words of the configuration. */
const where = (endpoint: string | undefined) => (endpoint ? "the store at AIGC_MCP_S3_ENDPOINT" : "AWS S3 (AIGC_MCP_S3_ENDPOINT is unset)");

function hintFor(err: unknown, endpoint: string | undefined): string {
  const e = err as SdkError;
  const status = e.$metadata?.httpStatusCode;
  if (localFaultCode(err)) return "Free space on this machine's disk or fix the output folder's permissions, then try again.";
  if (e.code === "ENOTFOUND")
    return `The store's host name does not resolve: check AIGC_MCP_S3_ENDPOINT (and this machine's DNS), then restart the server.`;
  if (status === 403 || CREDENTIALS.test(e.name ?? ""))
    return "Check the AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN, which expires) credentials and that they may use AIGC_MCP_S3_BUCKET; a signature the store refuses can also come from a wrong AIGC_MCP_S3_REGION (it is part of the signature). Then restart the server.";
  if (status === undefined ? isUnreachable(err) : status === 408 || status === 429 || status >= 500)
    return `The object store did not answer, or failed on its side: a configuration that worked before need not change. Try again in a minute; if it keeps failing, check that ${where(endpoint)} is up and reachable from this machine.`;
  return CONFIG_HINT;
}

/** `err` from a request to `bucket` (what the server was `doing`) as an AigcError naming the bucket, the status and what to do. */
export function bucketError(err: unknown, bucket: string, endpoint: string | undefined, doing: string): AigcError {
  const e = err as SdkError;
  const status = e.$metadata?.httpStatusCode;
  const means = NO_CODE.has(e.name) ? (STATUS_MEANS[status ?? 0] ?? "") : "";
  return new AigcError(
    {
      category: "local",
      code: e.name && e.name !== "Error" && /^[A-Za-z]+$/.test(e.name) ? e.name : "StorageError",
      message: `object storage: ${doing} in bucket ${bucket} failed${status ? ` (HTTP ${status})` : ""}: ${e.message ?? String(err)}${means}`,
      ...(e.$metadata?.requestId ? { requestId: e.$metadata.requestId } : {}),
      hint: hintFor(err, endpoint),
    },
    { cause: err },
  );
}

/**
 * The AWS SDK's own messages, to this server's log at debug level: with no logger the SDK prints
 * some with console.warn ("An error was encountered in a non-retryable streaming request."), in
 * no format, beside the server's own line saying what failed.
 */
export const sdkLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (...m: unknown[]) => log.debug(`object storage SDK: ${sdkWords(m)}`),
  error: (...m: unknown[]) => log.debug(`object storage SDK: ${sdkWords(m)}`),
};

const sdkWords = (m: unknown[]) => m.map((x) => (typeof x === "string" ? x : inspect(x, { depth: 2, breakLength: Infinity }))).join(" ");

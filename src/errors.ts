/**
 * One error type for everything that can go wrong in a tool call. Vendor adapters map their
 * wire errors into it; the tool layer turns it into an `isError` result the model can act on.
 */
import type { JobErrorShape } from "./jobs/types.js";

export type ErrorCategory =
  | "invalid_input"
  | "auth"
  | "permission"
  | "not_found"
  | "content_policy"
  | "rate_limit"
  | "quota"
  | "vendor"
  | "network"
  | "timeout"
  | "too_large"
  | "bad_response"
  | "cancelled"
  /** This machine's disk or folder (full, read-only, no permission, file limits): never the vendor's fault. */
  | "local"
  | "internal";

export interface AigcErrorInfo {
  category: ErrorCategory;
  /** Vendor error code when there is one (e.g. `InvalidParameter`, `1303`), else our own code. */
  code: string;
  message: string;
  vendor?: string;
  requestId?: string;
  httpStatus?: number;
  /** What the caller should change. */
  hint?: string;
  /** Milliseconds the vendor asked us to wait (Retry-After) before asking again; job trackers wait that long before the next poll. */
  retryAfterMs?: number;
  /** The vendor did the work, so bills it, although the call fails here (an output it answered that cannot be kept). */
  billed?: boolean;
  /** A call cancelled or stopped after its request went out: the vendor may bill it (cost/settle.ts mayHaveBilled). */
  sent?: boolean;
  /** The answer was a web page, not the vendor's API's (net/web-page.ts): it says nothing of the model or the arguments. */
  webPage?: boolean;
}

export class AigcError extends Error {
  readonly info: AigcErrorInfo;
  constructor(info: AigcErrorInfo, options?: { cause?: unknown }) {
    super(info.message, options);
    this.name = "AigcError";
    this.info = info;
  }
  get code(): string {
    return this.info.code;
  }
  get category(): ErrorCategory {
    return this.info.category;
  }
}

/** Bad tool input: names the field and what is allowed. Raised before any network call. */
export function inputError(field: string, message: string): AigcError {
  return new AigcError({ category: "invalid_input", code: "InvalidInput", message: `${field}: ${message}` });
}

export function isAbortError(err: unknown): boolean {
  return (
    err instanceof Error &&
    (err.name === "AbortError" || (err as { code?: string }).code === "ABORT_ERR" || err.name === "RequestAbortedError")
  );
}

const DEFAULT_HINTS: Partial<Record<ErrorCategory, string>> = {
  auth: "Check the API key (and that it belongs to the region of the configured base URL), then restart the server.",
  permission: "The account is not allowed to use this model or feature: activate it in the vendor console.",
  not_found: "Check the model name or task id.",
  content_policy: "Rephrase the prompt or replace the input media; the vendor's moderation rejected it.",
  rate_limit: "Wait a little and call again, or lower the number of parallel jobs.",
  quota: "Top up the account balance or resource pack in the vendor console.",
  vendor: "The vendor had an internal problem; try again in a minute.",
  network: "The vendor could not be reached; check the network or the base URL.",
  timeout: "The vendor did not answer in time; try again or raise the wait budget.",
  too_large: "Lower the output size or raise AIGC_MCP_MAX_MEDIA_BYTES.",
  bad_response: "The vendor sent an answer this server cannot read; try again.",
  local:
    "Free space or fix the output folder (AIGC_MCP_OUTPUT_DIR), then call wait_for_job: outputs still held by the vendor are downloaded again.",
};

/**
 * Joins sentences into one text: each part ends with exactly one full stop (a part that already
 * ends in `.`, `!`, `?`, `…` or a CJK full stop keeps its own), so a vendor message such as "may
 * contain sensitive information." followed by our hint never reads "information.. What to do".
 * Every place that appends a sentence to a message it did not write uses this.
 */
export function joinSentences(...parts: Array<string | undefined>): string {
  return parts
    .map((p) => p?.trim())
    .filter((p): p is string => !!p)
    .map((p) => (/[.!?\u2026\u3002\uff01\uff1f]$/.test(p) ? p : `${p}.`))
    .join(" ");
}

/** Vendor id → short display name ("ark" → "Ark"), registered from the plugin list. */
const VENDOR_NAMES = new Map<string, string>();

/** Registers a vendor's short display name: errors name the vendor by it ("Ark", not "ark"). */
export function registerVendorName(id: string, name: string): void {
  VENDOR_NAMES.set(id, name);
}

/** The ids of every vendor aigc-mcp knows (configured here or not). */
export function knownVendorIds(): string[] {
  return [...VENDOR_NAMES.keys()];
}

/** The vendor's display name ("Ark" for "ark"), or the id when none is registered. */
export function vendorDisplayName(id: string): string {
  return VENDOR_NAMES.get(id) ?? id;
}

/**
 * The one-paragraph text shown to the model for a failure. Its first line starts with "Error:" and
 * the code, so a client that ignores isError (Dify) still shows a failure: "Error: <code> (<Vendor>,
 * HTTP <status>, request id <id>): <message>", then "What to do: …".
 */
export function describeError(err: unknown): string {
  if (err instanceof AigcError) {
    const { vendor, code, httpStatus, requestId, message, hint, category } = err.info;
    const who = vendor ? vendorDisplayName(vendor) : undefined;
    const facts = [who, httpStatus ? `HTTP ${httpStatus}` : undefined, requestId ? `request id ${requestId}` : undefined]
      .filter(Boolean)
      .join(", ");
    const todo = hint ?? DEFAULT_HINTS[category];
    return `Error: ${code}${facts ? ` (${facts})` : ""}: ${message}${todo ? `\nWhat to do: ${todo}` : ""}`;
  }
  if (err instanceof Error) return `Error: InternalError: ${err.message}`;
  return `Error: InternalError: ${String(err)}`;
}

/**
 * A failed task's error as a vendor reported it in a poll (no HTTP failure to map), with the
 * category's "What to do" when the category is known, as every other failure has, and the request
 * id of the poll's answer (what the vendor's support asks for).
 */
export function taskErrorShape(code: string, message: string, category?: ErrorCategory, requestId?: string): JobErrorShape {
  const hint = category && DEFAULT_HINTS[category];
  return { code, message, ...(requestId ? { request_id: requestId } : {}), ...(hint ? { hint } : {}) };
}

/** An error as a job record keeps it; the text shows `hint` on its own "What to do:" line, as describeError does. */
export function toErrorShape(err: unknown): JobErrorShape {
  if (err instanceof AigcError) {
    const hint = err.info.hint ?? DEFAULT_HINTS[err.info.category];
    return {
      code: err.info.code,
      message: err.info.message,
      ...(err.info.requestId ? { request_id: err.info.requestId } : {}),
      ...(err.info.httpStatus ? { http_status: err.info.httpStatus } : {}),
      ...(hint ? { hint } : {}),
    };
  }
  return { code: "InternalError", message: err instanceof Error ? err.message : String(err) };
}

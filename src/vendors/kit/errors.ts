/**
 * The vendor kit's error and retry ladder, shared by every vendor: what a transport failure, an
 * HTTP status, Retry-After and an unreadable answer mean, and which billable requests may be sent
 * again. A vendor's errors.ts maps only its own codes and hints on top of `httpFailure`.
 */
import { AigcError, type AigcErrorInfo, type ErrorCategory } from "../../errors.js";
import { retryAfterMs, type HttpResponse, type RetryPolicy } from "../../net/http.js";
import type { PollResult } from "../../jobs/types.js";
import { webPageHint } from "../../net/web-page.js";

export { answerWords, webPageHint } from "../../net/web-page.js";

/** Transport failures that happen before a request leaves this machine: nothing reached the vendor. */
const NOT_SENT = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|UND_ERR_CONNECT_TIMEOUT|blocked by the fetch policy/;

/** True when `err` is a transport failure that happened before the request left this machine. */
export function neverSent(err: unknown): boolean {
  if (!(err instanceof AigcError)) return false;
  if (err.category !== "network" && err.category !== "timeout") return false;
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return NOT_SENT.test(`${err.message} ${cause?.code ?? ""} ${cause?.message ?? ""}`);
}

/** The category of an HTTP error status when the vendor's own code says nothing more specific. */
export function statusCategory(status: number): ErrorCategory {
  if (status === 401) return "auth";
  if (status === 402) return "quota";
  if (status === 403) return "permission";
  if (status === 404 || status === 405) return "not_found";
  if (status === 408 || status === 504) return "timeout";
  if (status === 413) return "too_large";
  if (status === 429) return "rate_limit";
  if (status >= 500) return "vendor";
  return "invalid_input";
}

/**
 * A vendor's error answer as an AigcError: the status decides the category unless the vendor's
 * code does (`category`), and Retry-After is carried for the job tracker's next poll. With
 * `baseUrlVariable`, an answer that is a web page and has no code of the vendor's own (`HTTP<status>`)
 * says to check that variable (webPageHint): a vendor's JSON sent as `text/html` is still its answer.
 */
export function httpFailure(
  vendor: string,
  status: number,
  headers: Record<string, string>,
  facts: Omit<AigcErrorInfo, "vendor" | "httpStatus" | "category" | "retryAfterMs"> & {
    category?: ErrorCategory;
    baseUrlVariable?: string;
  },
): AigcError {
  const { baseUrlVariable, ...info } = facts;
  const wait = retryAfterMs(headers);
  const page = baseUrlVariable && /^HTTP\d+$/.test(info.code) ? webPageHint(vendor, baseUrlVariable, status, headers) : undefined;
  return new AigcError({
    ...info,
    ...(page ? { hint: page, webPage: true } : {}),
    category: info.category ?? statusCategory(status),
    vendor,
    httpStatus: status,
    ...(wait !== undefined ? { retryAfterMs: wait } : {}),
  });
}

/**
 * An answer this server cannot read (not JSON, no id, the wrong shape or media type): the request
 * may have been handled, so a billable one is never sent again (lost-answer.ts). `code` names what
 * was wrong when it is more than "MalformedResponse" (e.g. `NotJson`, `NotVideo`).
 */
export function malformedResponse(
  vendor: string,
  message: string,
  facts: { code?: string; requestId?: string; httpStatus?: number; hint?: string } = {},
): AigcError {
  return new AigcError({
    category: "bad_response",
    code: facts.code ?? "MalformedResponse",
    vendor,
    message,
    ...(facts.requestId ? { requestId: facts.requestId } : {}),
    ...(facts.httpStatus !== undefined ? { httpStatus: facts.httpStatus } : {}),
    ...(facts.hint ? { hint: facts.hint } : {}),
  });
}

/**
 * The retry policy of a billable request: sent again only when nothing can have been created,
 * i.e. the connection never got through, or a 429 rate limit (not a quota: `isQuota`) refused it.
 */
export function retryRejected(isQuota: (res: HttpResponse) => boolean = () => false): RetryPolicy {
  return {
    attempts: 3,
    shouldRetry: (res, err) => (err ? neverSent(err) : res!.status === 429 && !isQuota(res!)),
  };
}

/**
 * For a billable request whose vendor's busy answers are backed off by the vendor's own code
 * (Jimeng's 50429/50430 within the call's budget): sent again only when the connection never got through.
 */
export const RETRY_UNSENT: RetryPolicy = { attempts: 3, shouldRetry: (_res, err) => !!err && neverSent(err) };

/** Polls, lookups and reads: safe to repeat on transport errors, 408, 429 and 5xx. */
export { RETRY_SAFE } from "../../net/http.js";

/**
 * The poll result for a task the vendor says it does not know (never created with these
 * credentials, or past its retention): `expired`, never a generic failure. A job resumed from an id
 * alone gets a record only once the vendor shows its task exists (jobs/kinds/vendor-task.ts), so a
 * forged or stale id leaves nothing behind.
 */
export function unknownTaskResult(code: string, message: string, requestId?: string): PollResult {
  return { status: "expired", unknownTask: true, error: { code, message, ...(requestId ? { request_id: requestId } : {}) } };
}

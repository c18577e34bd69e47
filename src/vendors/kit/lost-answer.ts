/**
 * The one rule for a billable request whose answer did not arrive: if it may have reached the
 * vendor, it is never called unreachable and never sent again. Every billable call goes through
 * these two functions: vendor-task creates in kinds/submitting.ts (Seedance, Jimeng, Kling, Animo),
 * synchronous calls in kinds/local-call.ts (Seedream, Jimeng CVProcess, Animo sync, gateway speech).
 */
import { AigcError, joinSentences } from "../../errors.js";
import { neverSent } from "./errors.js";

/**
 * Statuses a proxy or load balancer in front of the vendor answers when the vendor failed or was too
 * slow, possibly after the vendor received the request. With no error code of the vendor's own
 * (the error's code is the generic `HTTP<status>`), they are not the vendor's answer.
 */
const PROXY_FAILURE = new Set([500, 502, 504]);

/**
 * True when a billable request failed in a way that leaves open whether the vendor received it
 * (and started, and bills, the work): a reset or timeout after the request was sent, an answer
 * cut off or unreadable, or one this server stopped waiting for as it shut down (`Interrupted`,
 * src/net/http.ts), or a proxy's 500/502/504 with no error of the vendor's own (PROXY_FAILURE). A
 * vendor's own error answer (4xx/5xx) means it answered: false.
 */
export function mayHaveReachedVendor(err: unknown): boolean {
  if (!(err instanceof AigcError)) return false;
  const { category, httpStatus } = err.info;
  if (category === "bad_response") return true;
  if (httpStatus !== undefined && PROXY_FAILURE.has(httpStatus) && err.code === `HTTP${httpStatus}`) return true;
  if (category === "cancelled") return err.code === "Interrupted";
  if (category !== "network" && category !== "timeout") return false;
  if (httpStatus !== undefined) return false;
  return !neverSent(err);
}

/**
 * The error for a billable request whose answer was lost. `lookup` says what was done to find the
 * task (e.g. "it is not in Ark's task list"), or why nothing could be. `sync`: a synchronous call
 * (the answer is the output itself), for which no task exists to look up.
 */
export function lostAnswerError(vendor: string, err: unknown, lookup: string, opts: { sync?: boolean } = {}): AigcError {
  const why = err instanceof AigcError ? `${err.code}: ${err.message}` : String(err);
  const what = opts.sync
    ? `${vendor} may have generated the output and billed it, but nothing came back to save`
    : "a task may have been created and billed";
  return new AigcError(
    {
      category: "vendor",
      code: "CreateAnswerLost",
      vendor,
      ...(err instanceof AigcError && err.info.requestId ? { requestId: err.info.requestId } : {}),
      message: `the request reached or may have reached ${vendor}, but its answer was lost (${why}); ${what}, and the request was not sent again. ${lookup}`,
      // A web page in place of the answer: the base URL to check comes first (net/web-page.ts).
      hint: joinSentences(
        err instanceof AigcError && err.info.webPage ? err.info.hint : undefined,
        `Check the ${vendor} console (task or billing history) before generating again: generating again may bill twice`,
      ),
    },
    { cause: err },
  );
}

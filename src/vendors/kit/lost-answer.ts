/**
 * The one rule for a billable request whose answer did not arrive: if it may have reached the
 * vendor, it is never called unreachable and never sent again. Every vendor's create goes through
 * these two functions (Ark video and image, Jimeng, Kling), so the wording and the decision are shared.
 */
import { AigcError } from "../../errors.js";

/** Transport failures that happen before a request leaves this machine: nothing was created. */
const NOT_SENT = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|UND_ERR_CONNECT_TIMEOUT|blocked by the fetch policy/;

/**
 * True when a billable request failed in a way that leaves open whether the vendor received it
 * (and started, and bills, the work): a reset or timeout after the request was sent, or an
 * answer cut off or unreadable. A vendor's own error answer (4xx/5xx) means it answered: false.
 */
export function mayHaveReachedVendor(err: unknown): boolean {
  if (!(err instanceof AigcError)) return false;
  const { category, httpStatus, message } = err.info;
  if (category === "bad_response") return true;
  if (category !== "network" && category !== "timeout") return false;
  if (httpStatus !== undefined) return false;
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return !NOT_SENT.test(`${message} ${cause?.code ?? ""} ${cause?.message ?? ""}`);
}

/**
 * The error for a create whose answer was lost. `lookup` says what was done to find the task
 * (e.g. "it is not in Ark's task list"); without a lookup the vendor offers none.
 */
export function lostAnswerError(vendor: string, err: unknown, lookup: string): AigcError {
  const why = err instanceof AigcError ? `${err.code}: ${err.message}` : String(err);
  return new AigcError(
    {
      category: "vendor",
      code: "CreateAnswerLost",
      vendor,
      ...(err instanceof AigcError && err.info.requestId ? { requestId: err.info.requestId } : {}),
      message: `the request reached or may have reached ${vendor}, but its answer was lost (${why}); a task may have been created and billed, and the request was not sent again. ${lookup}`,
      hint: `Check the ${vendor} console (task or billing history) before generating again: generating again may bill twice.`,
    },
    { cause: err },
  );
}

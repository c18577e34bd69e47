/** The errors of a request that got no answer: a transport failure, a timeout, or the call's abort. */
import { AigcError } from "../errors.js";
import { stoppedByServer } from "../open-calls.js";
import type { HttpOptions } from "./http.js";

/** A transport failure (`err` from undici) as a timeout or network error; `shownUrl` is the URL without its query. */
export function transportError(err: unknown, opts: HttpOptions, shownUrl: string, deadlineHit: boolean): AigcError {
  const { vendor, timeoutMs, timeoutVariable } = opts;
  const e = err as { code?: string; message?: string; name?: string };
  if (deadlineHit || e.code === "UND_ERR_HEADERS_TIMEOUT" || e.code === "UND_ERR_BODY_TIMEOUT" || e.code === "UND_ERR_CONNECT_TIMEOUT") {
    // The per-request timeout (not the whole exchange's deadline) is the one its variable sets.
    const set = !deadlineHit && e.code !== "UND_ERR_CONNECT_TIMEOUT" && timeoutMs && timeoutVariable;
    return new AigcError(
      {
        category: "timeout",
        code: "Timeout",
        vendor,
        message: `${shownUrl} did not answer ${set ? `within ${timeoutMs / 1000} s` : "in time"} (${e.code ?? "deadline"})`,
        ...(set
          ? { hint: `Try again; if ${vendor} needs longer for such requests, raise ${timeoutVariable} (now ${timeoutMs / 1000}).` }
          : {}),
      },
      { cause: err },
    );
  }
  return new AigcError(
    {
      category: "network",
      code: "NetworkError",
      vendor,
      message: `request to ${shownUrl} failed: ${e.code ?? e.name ?? "error"} ${e.message ?? ""}`.trim(),
    },
    { cause: err },
  );
}

/**
 * The error of a request its call's `signal` aborted: cancelled by the client, or stopped by a
 * shutdown (src/open-calls.ts). `sent`: the request may have reached the vendor, so it may be
 * billed (a shutdown's `Interrupted` says so), and the budget counts it (`info.sent`).
 */
export function cancelled(vendor: string, signal?: AbortSignal, sent = false): AigcError {
  if (!stoppedByServer(signal))
    return new AigcError({
      category: "cancelled",
      code: "Cancelled",
      vendor,
      message: sent
        ? "the request was cancelled by the client after it was sent; the vendor may still bill it"
        : "the request was cancelled by the client",
      ...(sent ? { sent } : {}),
    });
  return new AigcError({
    category: "cancelled",
    vendor,
    hint: "Send the call again: another server takes it, or this one once restarted.",
    ...(sent
      ? {
          code: "Interrupted",
          message: `the server shut down before ${vendor} answered; the request had been sent, so it may be billed, but its answer is lost`,
        }
      : { code: "ShuttingDown", message: `the server shut down before the request to ${vendor} was sent; nothing was billed` }),
    ...(sent ? { sent } : {}),
  });
}

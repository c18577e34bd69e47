/**
 * A deadline as an AbortSignal that is sure to fire. Node's `AbortSignal.timeout()` holds its
 * signal weakly, and `AbortSignal.any()` holds its sources weakly too, so a timeout signal given
 * only to `AbortSignal.any()` can be garbage-collected and never abort the combined signal
 * (nodejs/node#57736; seen here as a dripping download outliving its 300 s limit). Here the timer
 * holds the controller; `clear()` stops the timer once the work is done.
 */
export interface Deadline {
  signal: AbortSignal;
  clear: () => void;
}

/** Aborts with a `TimeoutError` DOMException after `ms` milliseconds; the timer does not keep the process alive. */
function deadline(ms: number): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError")), ms);
  timer.unref();
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

/** `signal` (when given) and a `ms` deadline combined, kept alive as `deadline` is; `clear()` stops the timer. */
export function withDeadline(signal: AbortSignal | undefined, ms: number): Deadline {
  const d = deadline(ms);
  return signal ? { signal: AbortSignal.any([signal, d.signal]), clear: d.clear } : d;
}

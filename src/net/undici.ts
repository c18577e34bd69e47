/**
 * undici, loaded on first use (issue 16). Evaluating it (and the fetch globals it touches) was about
 * 45 ms of every start, before the tool list could be answered; nothing on the way to that answer
 * sends a request. `preloadUndici` loads it in idle time once the tool list has been answered, so a
 * call rarely waits for it; a call that comes first loads it itself. The bundle keeps it in its own
 * chunk (scripts/bundle.mjs), read once.
 */
type Undici = typeof import("undici");

let loaded: Promise<Undici> | undefined;

/** The undici module, imported once per process. */
export function loadUndici(): Promise<Undici> {
  // undici is CommonJS: Node's import() also names its exports, a bundle's chunk gives only `default`.
  loaded ??= import("undici").then((m) => (m as unknown as { default: Undici }).default);
  return loaded;
}

/** Starts loading undici after the current I/O (an answer being written) is done; never throws. */
export function preloadUndici(): void {
  if (loaded) return;
  setImmediate(() => void loadUndici().catch(() => (loaded = undefined)));
}

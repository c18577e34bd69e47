/**
 * stderr-only logging with secret redaction. stdout belongs to the stdio transport, so nothing
 * else may ever write there. Every credential value is registered at start-up and scrubbed from
 * every line (and from tool results, see `redact`).
 */
const secrets = new Set<string>();

export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
}

// Vendor output URLs are presigned links meant for the user and stay intact; what is scrubbed are
// request credentials: Bearer tokens, JWTs and Volcengine V4 Authorization headers.
const PATTERNS: Array<[RegExp, string]> = [
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, "$1[redacted]"],
  [/\beyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}/g, "[redacted-jwt]"],
  // The credential ends at a comma or space in a header; a quote or backslash ends it in JSON text (a log line's fields).
  [/(HMAC-SHA256\s+Credential=["']?)[^,\s"'\\]+/gi, "$1[redacted]"],
  [/(SignedHeaders=[^,\s]*,\s*Signature=)[0-9a-f]+/gi, "$1[redacted]"],
];

/** What every pattern's match contains (a superset: one search skips the four for most strings). */
const MAY_MATCH = /bearer|eyJ|credential=|signature=/i;

export function redact(text: string): string {
  if (text.length < 4) return text; // shorter than any secret or pattern match
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join("[redacted]");
  if (!MAY_MATCH.test(out)) return out;
  for (const [re, sub] of PATTERNS) out = out.replace(re, sub);
  return out;
}

/**
 * `text` redacted, then cut to at most `max` characters (the last one "…"). Text from outside (a vendor's
 * or a store's error, a stream's event) is shortened only so: cut first, a secret split by the cut is
 * no longer found by `redact`, and its first part would be shown and stored.
 */
export function clip(text: string, max: number): string {
  const clean = redact(text);
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** `value` with every string in it (keys included) redacted: for anything persisted or returned as JSON. */
export function redactDeep<T>(value: T): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => redactDeep(v)) as T;
  if (value && typeof value === "object" && !Buffer.isBuffer(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), redactDeep(v)])) as T;
  }
  return value;
}

type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
let threshold: number = ORDER.info;
let stderrGone = false;
let sink: (line: string) => void = (line) => void (stderrGone || process.stderr.write(line + "\n"));

/** A reader that closed stderr (`2>&1 | head`, a host that stops reading) costs the log, not the process. */
export function keepRunningWithoutStderr(): void {
  process.stderr.on("error", () => (stderrGone = true));
}

export function setLogLevel(level: Level): void {
  threshold = ORDER[level];
}
/** Tests capture log lines here. */
export function setLogSink(fn: (line: string) => void): void {
  sink = fn;
}

function write(level: Level, msg: string, fields?: Record<string, unknown>): void {
  if (ORDER[level] < threshold) return;
  const extra = fields && Object.keys(fields).length ? " " + JSON.stringify(fields) : "";
  sink(redact(`${new Date().toISOString()} ${level.toUpperCase()} ${msg}${extra}`));
}

export const log = {
  debug: (msg: string, fields?: Record<string, unknown>) => write("debug", msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => write("info", msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => write("warn", msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => write("error", msg, fields),
};

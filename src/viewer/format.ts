/**
 * The viewer's text formatting: pure functions with no DOM, so unit tests run them in Node.
 * Everything here returns plain strings that the renderer sets as textContent.
 */

/** Bytes in KB/MB with one decimal (1000-based, as file managers show them). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return "";
  if (n < 1000) return `${n} B`;
  const units = ["kB", "MB", "GB"];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** A media duration: "5 s", "1:05", "1:02:03". */
export function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return "";
  if (s < 60) return `${Math.round(s * 10) / 10} s`;
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = String(t % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

/** Time since a job started: "8 s", "2 min 05 s", "1 h 03 min". */
export function formatElapsed(ms: number): string {
  const t = Math.max(0, Math.floor(ms / 1000));
  if (t < 60) return `${t} s`;
  if (t < 3600) return `${Math.floor(t / 60)} min ${String(t % 60).padStart(2, "0")} s`;
  return `${Math.floor(t / 3600)} h ${String(Math.floor((t % 3600) / 60)).padStart(2, "0")} min`;
}

/** An amount in a currency, e.g. "CNY 0.25"; amounts under 0.01 keep four decimals. */
export function formatMoney(amount: number, currency?: string): string {
  const digits = amount !== 0 && Math.abs(amount) < 0.01 ? 4 : 2;
  return `${currency ? `${currency} ` : ""}${amount.toFixed(digits)}`;
}

export interface CostLike {
  estimated?: number | null;
  currency?: string;
  actual?: number;
  actual_currency?: string;
  lower_bound?: boolean;
  not_billed?: boolean;
}

/** What a job cost, or undefined when nothing is known: the actual amount when reported, else the estimate. */
export function formatCost(cost: CostLike | undefined): string | undefined {
  if (!cost) return undefined;
  if (cost.not_billed) return "not billed";
  if (typeof cost.actual === "number") return formatMoney(cost.actual, cost.actual_currency ?? cost.currency);
  if (typeof cost.estimated === "number")
    return `${cost.lower_bound ? "at least " : "about "}${formatMoney(cost.estimated, cost.currency)} (estimate)`;
  return undefined;
}

/** A `data:` URI from a resources/read answer's base64 blob or text. */
export function dataUri(mime: string, base64: string): string {
  return `data:${mime};base64,${base64}`;
}

/** How many bytes a base64 text decodes to (whitespace ignored), without decoding it. */
export function base64Bytes(base64: string): number {
  const b = base64.replace(/\s+/g, "");
  const pad = b.endsWith("==") ? 2 : b.endsWith("=") ? 1 : 0;
  return Math.floor((b.length * 3) / 4) - pad;
}

/** Only plain web links are offered for opening (never javascript:, data: or file: from a result). */
export function isWebUrl(u: string | undefined): u is string {
  if (!u) return false;
  try {
    const p = new URL(u).protocol;
    return p === "https:" || p === "http:";
  } catch {
    return false;
  }
}

/** Statuses after which nothing changes. */
export const TERMINAL_STATUSES: readonly string[] = ["succeeded", "failed", "cancelled", "expired"];

/** The wait before retry `n` (0-based) of a failed status call: 1, 2, 4 … 30 s. */
export function backoffMs(n: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.min(n, 5));
}

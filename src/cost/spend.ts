/**
 * What both spend-ledger backends (file-ledger.ts, redis-ledger.ts) and both idempotency-key
 * backends share: amounts kept as whole micro-units (so sums and limit checks are exact, and Redis
 * can add them with HINCRBY), which limits apply to a call, the refusal, retention, and hashing.
 */
import { createHash } from "node:crypto";
import { AigcError } from "../errors.js";
import { redact, redactDeep } from "../log.js";
import type { Currency } from "../vendors/kit/price.js";
import type { SpendLimit } from "./config.js";
import type { JobOwner } from "../jobs/owner.js";
import type { BudgetRefusal, KeyEntry, ReservationJob, ReservationOwners, SpendRow } from "./ledger.js";
import { resetsAt } from "./periods.js";

const DAY_MS = 86_400_000;
/** Ledger days (and months) are kept this long. */
export const LEDGER_RETENTION_MS = 400 * DAY_MS;
/** A reservation's settle/release marker is kept this long. */
export const MARKER_RETENTION_MS = 7 * DAY_MS;
/** An idempotency key lives this long from its claim. */
export const KEY_TTL_MS = DAY_MS;
/** The largest result a key keeps for a call that made no job. */
export const MAX_KEY_RESULT_BYTES = 256 * 1024;

const UNITS = 1_000_000;
/** An amount spent or held as whole micro-units of its currency, rounded up: the ledger may over-count, never under-count. */
export const toUnits = (amount: number): number => Math.max(0, Math.ceil(amount * UNITS - 1e-6));
/** A limit as whole micro-units, rounded down: rounding never raises a limit. */
export const limitUnits = (amount: number): number => Math.floor(amount * UNITS + 1e-6);
export const fromUnits = (units: number): number => units / UNITS;
/**
 * Whether `amount` more, beside `spent` and `reserved` (all micro-units), passes a limit of `limit`
 * (money): the ledgers' rule (redis-ledger.ts applies the same in its script).
 */
export const overLimit = (spent: number, reserved: number, amount: number, limit: number): boolean =>
  spent + reserved + amount > limitUnits(limit);

/** One (day, vendor, currency)'s counters: money in micro-units, calls as counts. */
export interface Counters {
  spent: number;
  reserved: number;
  calls: number;
  unpriced: number;
}

export const ZERO: Counters = { spent: 0, reserved: 0, calls: 0, unpriced: 0 };

/** The limits a call in `currency` to `vendor` is held to: its vendor's and the all-vendor ones, in its currency. */
export function applicable(limits: readonly SpendLimit[], vendor: string, currency: Currency): SpendLimit[] {
  return limits.filter((l) => l.currency === currency && (l.vendor === undefined || l.vendor === vendor));
}

export function refusal(limit: SpendLimit, spent: number, reserved: number, wanted: number, now: Date, timezone: string): BudgetRefusal {
  return {
    limit,
    spent: fromUnits(spent),
    reserved: fromUnits(reserved),
    wanted: fromUnits(wanted),
    resetsAt: resetsAt(limit.period, now, timezone),
  };
}

/** How far back a sweep for reservations of gone processes looks (earlier ones were swept before). */
const ABANDONED_LOOKBACK_MS = 62 * DAY_MS;

/**
 * The budget months (YYYY-MM) a reservation made in the 62 days up to `before` (epoch ms) can count
 * in, whatever the budget time zone: the UTC months of that span, and of the day after it.
 */
export function monthsAround(before: number): string[] {
  const months = new Set<string>();
  for (let t = before - ABANDONED_LOOKBACK_MS; t < before + 2 * DAY_MS; t += DAY_MS) months.add(new Date(t).toISOString().slice(0, 7));
  return [...months];
}

/**
 * How a gone process's reservation holding `held` micro-units ends, given its job (endAbandoned):
 * `s` (settled, `spent` micro-units) or `x` (released); undefined while its job runs.
 */
export function abandonedEnd(job: ReservationJob | undefined, held: number): { to: "s" | "x"; spent: number } | undefined {
  if (job === "running") return undefined;
  if (job?.settled === "released") return { to: "x", spent: 0 };
  return { to: "s", spent: job?.actual !== undefined ? toUnits(job.actual) : held };
}

/** Whether a reservation's process is gone (endAbandoned), asked once per process however many it holds. */
export function goneOwners(owners: ReservationOwners): (owner: JobOwner) => Promise<boolean> {
  const asked = new Map<string, Promise<boolean>>();
  return (owner) => {
    let gone = asked.get(owner.boot);
    if (!gone) asked.set(owner.boot, (gone = owners.ownerAlive(owner).then((alive) => !alive)));
    return gone;
  };
}

/** `jobs` (endAbandoned's, by reservation id) by id hash, as the ledgers key reservations. */
export const byIdHash = <T>(jobs: ReadonlyMap<string, T>): Map<string, T> => new Map([...jobs].map(([id, v]) => [idHash(id), v]));

/** A reservation id as a fixed-length key: the first 128 bits of its sha256, hex. */
export const idHash = (id: string): string => createHash("sha256").update(id).digest("hex").slice(0, 32);

/** An idempotency key as stored: its whole sha256, hex (the key itself is never written). */
export const keyHash = (key: string): string => createHash("sha256").update(key).digest("hex");

export function row(day: string, vendor: string, currency: Currency, c: Counters): SpendRow {
  return {
    day,
    vendor,
    currency,
    spent: fromUnits(c.spent),
    reserved: fromUnits(c.reserved),
    calls: c.calls,
    unpriced: c.unpriced,
  };
}

/** Oldest day first, then vendor, then currency. */
export const byDay = (a: SpendRow, b: SpendRow): number =>
  a.day.localeCompare(b.day) || a.vendor.localeCompare(b.vendor) || a.currency.localeCompare(b.currency);

/**
 * A call's result as an idempotency key keeps it: through the same credential scrubbing as job
 * records (as JSON when it is JSON, so a pattern never cuts through its quoting); refused over
 * MAX_KEY_RESULT_BYTES.
 */
export function keptResult(result: string | undefined): string | undefined {
  if (result === undefined) return undefined;
  let clean: string;
  try {
    clean = JSON.stringify(redactDeep(JSON.parse(result) as unknown));
  } catch {
    clean = redact(result);
  }
  const bytes = Buffer.byteLength(clean);
  if (bytes > MAX_KEY_RESULT_BYTES)
    throw new AigcError({
      category: "too_large",
      code: "IdempotencyResultTooLarge",
      message: `the result to keep for this idempotency key is ${Math.ceil(bytes / 1024)} KiB, over the ${MAX_KEY_RESULT_BYTES / 1024} KiB an idempotency key keeps`,
      hint: "Keep a job id for the key instead of the whole result, or make the result smaller.",
    });
  return clean;
}

/** Whether a key claimed at `created_at` has expired at `now`. */
export const keyExpired = (entry: Pick<KeyEntry, "created_at">, now = Date.now()): boolean =>
  !(Date.parse(entry.created_at) + KEY_TTL_MS > now);

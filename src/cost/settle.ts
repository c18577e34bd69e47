/**
 * How a job's budget reservation ends (issue 14 item 5): spent — at the vendor's reported cost
 * when it gave one in the reservation's currency, else at the estimate — unless the job ended in a
 * way that is known not to be billed (the vendor reported the task failed or cancelled, or refused
 * the request). Anything uncertain (a lost answer, an interrupted call, an expired task) counts as
 * spent: a budget must never under-count.
 */
import { AigcError } from "../errors.js";
import { log } from "../log.js";
import type { JobCost } from "../jobs/types.js";
import { mayHaveReachedVendor } from "../vendors/kit/lost-answer.js";
import { actualCost, type Actual, type VendorUsage } from "../vendors/kit/price.js";
import type { Reservation, ReservationJob, SpendLedger } from "./ledger.js";

/**
 * Whether a call that failed with `err` may have been billed: its request may have reached the
 * vendor, its answer was lost, the vendor did the work (`info.billed`), or it was cancelled after
 * its request went out (`info.sent`: a chat cut off mid-answer is billed for what was generated).
 */
export function mayHaveBilled(err: unknown): boolean {
  return (
    (err instanceof AigcError && (err.code === "CreateAnswerLost" || err.info.billed === true || err.info.sent === true)) ||
    mayHaveReachedVendor(err)
  );
}

/** The cost of a job that has just ended: its actual from the usage, and how its reservation ends. */
export function endedCost(cost: JobCost, usage: VendorUsage | undefined, billed: boolean): JobCost {
  const actual = billed ? (actualCost(cost.estimate, usage) ?? cost.actual) : undefined;
  return { ...cost, ...(actual ? { actual } : {}), settled: billed ? "spent" : "released" };
}

/** The vendor's actual cost as an amount to settle `r` at: undefined when unknown or in another currency (the hold is then spent). */
export function actualIn(r: Reservation, actual: Actual | undefined): number | undefined {
  return actual && actual.currency === r.currency ? actual.amount : undefined;
}

/** What a job's record tells of its reservation (SpendLedger.endAbandoned): `running` until it ended, then how; undefined when it holds none. */
export function reservationJob(ended: boolean, cost: JobCost | undefined): ReservationJob | undefined {
  const r = cost?.reservation;
  if (!r) return undefined;
  if (!ended) return "running";
  // A record that ended without saying how (an earlier release's) counts as spent at the estimate.
  const actual = actualIn(r, cost.actual);
  return { settled: cost.settled ?? "spent", ...(actual !== undefined ? { actual } : {}) };
}

/**
 * Applies an ended job's reservation to the ledger (once per reservation, whichever process calls:
 * the ledger counts each id once). Failures are logged and tried again (cost/background.ts); until
 * one lands the reservation stays held, which over-counts rather than under-counts.
 */
export async function applySettlement(ledger: SpendLedger, cost: JobCost): Promise<void> {
  const r = cost.reservation;
  if (!r || !cost.settled) return;
  try {
    if (cost.settled === "released") return await ledger.release(r);
    await ledger.settle(r, actualIn(r, cost.actual));
  } catch (err) {
    log.warn("could not settle a budget reservation; it is tried again in the background", { vendor: r.vendor, error: String(err) });
  }
}

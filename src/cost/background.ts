/**
 * Reservations that cannot be refused, written while the call goes on (issue 16, goal 2). A call no
 * budget limit applies to is reserved only to record its spend (get_budget, get_cost and the `check`
 * report show it); nothing in the ledger can stop it, and a ledger that cannot be written never
 * stopped it either (the failure is logged). Its vendor request then need not wait for the ledger
 * write (about ten file operations in sequence on the output folder, a round trip to Redis).
 *
 * This wraps either backend (the file ledger and the Redis ledger) the same way: `reserve` with
 * `background: true` answers at once with the reservation (its day and month from `now`, as the
 * backend computes them) and writes it in the background; settling or releasing that reservation
 * and reading the ledger (report) first wait for its write, so a reservation is never ended before
 * it is held and a report never misses a call this process has started. A reservation whose write
 * failed is still settled later: the backend counts a reservation it does not know as spend once,
 * as it does for one whose marker is gone.
 *
 * Ends are also not waited for by the calls that make them (a call's or a job's answer goes out
 * while its settle or release is written), so a reservation with limits to check, and a report, first wait for the ends
 * this process has under way: room a finished job frees, or its spend, is then seen by the next call.
 */
import { log } from "../log.js";
import type { Reservation, ReserveResult, SpendLedger, SpendRow } from "./ledger.js";
import { budgetDay } from "./periods.js";

export class BackgroundReservations implements SpendLedger {
  /** Writes under way, by reservation id. */
  private readonly pending = new Map<string, Promise<void>>();
  /** Settles and releases under way. */
  private readonly ending = new Set<Promise<unknown>>();

  constructor(private readonly ledger: SpendLedger) {}

  async reserve(req: Parameters<SpendLedger["reserve"]>[0]): Promise<ReserveResult> {
    if (!req.background) {
      if (req.limits.length) await this.ended();
      return this.ledger.reserve(req);
    }
    if (req.limits.length) throw new Error("a reservation with limits to check cannot be written in the background");
    const now = req.now ?? new Date();
    const { day, month } = budgetDay(now, req.timezone);
    const written = this.ledger.reserve({ ...req, now, background: false }).then(
      () => undefined,
      (err: unknown) => log.warn("could not record a call's cost in the spend ledger", { vendor: req.vendor, error: String(err) }),
    );
    const done = written.finally(() => this.pending.delete(req.id));
    this.pending.set(req.id, done);
    const reservation: Reservation = {
      id: req.id,
      vendor: req.vendor,
      currency: req.currency,
      amount: req.priced ? req.amount : 0,
      priced: req.priced,
      day,
      month,
    };
    return { ok: true, reservation };
  }

  settle(r: Reservation, actual?: number): Promise<void> {
    return this.end(r, () => this.ledger.settle(r, actual));
  }

  release(r: Reservation): Promise<void> {
    return this.end(r, () => this.ledger.release(r));
  }

  async report(from: string, to: string): Promise<SpendRow[]> {
    await Promise.all(this.pending.values());
    await this.ended();
    return this.ledger.report(from, to);
  }

  /** Ends `r` once its write has landed, tracked until done. */
  private end(r: Reservation, write: () => Promise<void>): Promise<void> {
    const done = (this.pending.get(r.id) ?? Promise.resolve()).then(write);
    const tracked = done.catch(() => undefined).finally(() => this.ending.delete(tracked));
    this.ending.add(tracked);
    return done;
  }

  /** Resolves once the ends under way now have landed (or failed). */
  private async ended(): Promise<void> {
    await Promise.all(this.ending);
  }

  /** Resolves once every background write started so far has ended (for closing the store). */
  async flush(): Promise<void> {
    await Promise.all(this.pending.values());
    await this.ended();
  }
}

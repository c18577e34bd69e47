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
import { InFlight } from "./in-flight.js";
import type { Reservation, ReservationJob, ReserveResult, SpendLedger, SpendRow } from "./ledger.js";
import { budgetDay } from "./periods.js";

/** How long an end whose write failed is tried again. */
const RETRY_FOR_MS = 86_400_000;

/** The reservation `req` makes at `now`: its day and month as the backends compute them. */
function reservationOf(req: Parameters<SpendLedger["reserve"]>[0], now: Date): Reservation {
  const { day, month } = budgetDay(now, req.timezone);
  return { id: req.id, vendor: req.vendor, currency: req.currency, amount: req.priced ? req.amount : 0, priced: req.priced, day, month };
}

export class BackgroundReservations implements SpendLedger {
  /** Writes under way, by reservation id. */
  private readonly pending = new Map<string, Promise<void>>();
  /** Settles and releases under way. */
  private readonly ending = new InFlight();
  /** Ends whose write failed, waiting to be tried again. */
  private readonly retrying = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly ledger: SpendLedger) {}

  async reserve(req: Parameters<SpendLedger["reserve"]>[0]): Promise<ReserveResult> {
    const now = req.now ?? new Date();
    if (!req.background) {
      if (req.limits.length) await this.endsWritten();
      try {
        return await this.ledger.reserve({ ...req, now });
      } catch (err) {
        // A write given up may still land (a Redis that stalled, then ran the queued script): the call is
        // refused with nothing sent, so it must hold nothing. Ended here, tried again like any end; an
        // end that lands first marks the id, and the late reservation is then a no-op.
        void this.release(reservationOf(req, now)).catch(() => undefined);
        throw err;
      }
    }
    if (req.limits.length) throw new Error("a reservation with limits to check cannot be written in the background");
    const written = this.ledger.reserve({ ...req, now, background: false }).then(
      () => undefined,
      (err: unknown) => log.warn("could not record a call's cost in the spend ledger", { vendor: req.vendor, error: String(err) }),
    );
    const done = written.finally(() => this.pending.delete(req.id));
    this.pending.set(req.id, done);
    return { ok: true, reservation: reservationOf(req, now) };
  }

  settle(r: Reservation, actual?: number): Promise<void> {
    return this.end(r, () => this.ledger.settle(r, actual));
  }

  release(r: Reservation): Promise<void> {
    return this.end(r, () => this.ledger.release(r));
  }

  async report(from: string, to: string): Promise<SpendRow[]> {
    this.ledger.writeNow?.();
    await Promise.all(this.pending.values());
    await this.endsWritten();
    return this.ledger.report(from, to);
  }

  endAbandoned(jobs: ReadonlyMap<string, ReservationJob>, before: number): Promise<number> {
    return this.ledger.endAbandoned(jobs, before);
  }

  /**
   * Ends `r` once its write has landed, tracked until done. A write that fails (Redis or the disk
   * away) rejects for the caller to log, and is tried again in the background every 2 s to 1 min
   * for up to a day while this process runs: an ended call's hold must not stay counted as running.
   */
  private end(r: Reservation, write: () => Promise<void>): Promise<void> {
    const done = (this.pending.get(r.id) ?? Promise.resolve()).then(write);
    void this.ending.add(done.catch(() => this.again(r, write)));
    return done;
  }

  private again(r: Reservation, write: () => Promise<void>, attempt = 1, since = Date.now()): void {
    if (this.closed || Date.now() - since > RETRY_FOR_MS) return;
    const timer = setTimeout(
      () => {
        this.retrying.delete(timer);
        write().then(
          () => log.info("a budget reservation was ended after its write failed", { vendor: r.vendor, attempts: attempt + 1 }),
          () => this.again(r, write, attempt + 1, since),
        );
      },
      Math.min(2000 * 2 ** (attempt - 1), 60_000),
    );
    timer.unref();
    this.retrying.add(timer);
  }

  /** Resolves once the ends under way now have landed (or failed), their writes started at once. */
  private endsWritten(): Promise<void> {
    this.ledger.writeNow?.();
    return this.ending.settled();
  }

  /** Resolves once every background write started so far has ended (for closing the store); stops retries. */
  async flush(): Promise<void> {
    this.ledger.writeNow?.();
    await Promise.all(this.pending.values());
    await this.endsWritten();
    this.closed = true;
    if (this.retrying.size)
      log.warn("budget reservations stay held: their ends could not be written to the spend ledger", { count: this.retrying.size });
    for (const t of this.retrying) clearTimeout(t);
    this.retrying.clear();
  }
}

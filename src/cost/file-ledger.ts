/**
 * The spend ledger in the output folder (`.aigc-mcp/spend/`), shared by every server process on
 * that folder. One JSON value per budget month, `<YYYY-MM>.<generation>.json` (generations.ts):
 * the counters per (day, vendor, currency) of that month and the reservations still held. Every
 * change reads the month, checks, and writes the next generation exclusively; a writer that lost
 * to another process reads again. So a reservation's check and its increment are one atomic step
 * across processes (no lock, nothing to go stale when a process dies).
 *
 * A reservation ends (settled or released) once: its end is first recorded in a file of its own,
 * created exclusively (file-ends.ts), and only the process that created it then moves the month's
 * counters and drops the reservation from the month. The month thus holds only the calls running,
 * and a change costs the same on the week's first call and its ten-thousandth; but each write of it
 * grows with the calls running (1 000: about 1.5 ms of CPU and 155 KB), so changes no call waits
 * for wait up to GATHER_MS for others to share their write (writeNow ends that). When a process dies
 * between the two steps, the hourly sweep applies the recorded end once it is an hour old. Each
 * reservation held names the process that made it (`o`, its stamp in `owners`), so that the orphan
 * sweep can end those of a process that died mid-call (endAbandoned).
 * Month totals are the sums of their days. Months are kept 400 days after they end; ends 7 days.
 */
import { join } from "node:path";
import { Generations } from "../jobs/generations.js";
import type { JobOwner } from "../jobs/owner.js";
import type { Currency } from "../vendors/kit/price.js";
import type { Reservation, ReservationJob, ReservationOwners, ReserveResult, SpendLedger, SpendRow } from "./ledger.js";
import { ReservationEnds, type End } from "./file-ends.js";
import { budgetDay } from "./periods.js";
import {
  abandonedEnd,
  applicable,
  byIdHash,
  byDay,
  goneOwners,
  idHash,
  LEDGER_RETENTION_MS,
  MARKER_RETENTION_MS,
  refusal,
  row,
  overLimit,
  monthsAround,
  toUnits,
  ZERO,
  type Counters,
} from "./spend.js";

interface Month {
  /** Counters by `<day>|<vendor>|<currency>`. */
  rows: Record<string, Counters>;
  /**
   * Reservations held, by id hash: `r`, with when (`at`) and their budget day. An earlier release
   * also kept ended ones here (`s` settled, `x` released) for 7 days; those still count as ended.
   */
  ids: Record<string, Held>;
  /** The processes that made the reservations held, by their owner stamp's `boot` (what `Held.o` names). */
  owners?: Record<string, JobOwner>;
}

/** A reservation in a month: what an end needs to move the counters (missing in an earlier release's). */
interface Held extends Partial<Pick<End, "vendor" | "currency" | "priced" | "held">> {
  s: "r" | "s" | "x";
  at: number;
  day: string;
  /** The process that made it (a key of `Month.owners`; missing in an earlier release's). */
  o?: string;
}

/** How long a change no call waits for (a reservation no limit can refuse, an end) may wait for others to join its write. */
const GATHER_MS = 100;

/** How old a recorded end must be before the sweep applies it for a process that died (see applyRecordedEnds). */
const ORPHANED_END_MS = 3_600_000;

/** A held reservation as settled at what it held (undefined for an earlier release's, which lack the amounts). */
function heldAsSpent(v: Held, at: number): End | undefined {
  const { vendor, currency, priced, held } = v;
  if (vendor === undefined || currency === undefined || priced === undefined || held === undefined) return undefined;
  return { s: "s", at, vendor, currency, priced, held, spent: held };
}

const rowKey = (day: string, vendor: string, currency: string) => `${day}|${vendor}|${currency}`;

function parseKey(key: string): { day: string; vendor: string; currency: Currency } {
  const [day, vendor, currency] = key.split("|") as [string, string, Currency];
  return { day, vendor, currency };
}

/** Whether an earlier release's ended marker is past its 7 days (one still reserved stays with its month). */
const stale = (v: Month["ids"][string], now: number) => v.s !== "r" && now - v.at >= MARKER_RETENTION_MS;

/** A copy of `m` without stale markers: the draft each ledger write changes in place (generations.ts). */
function copy(m: Month | undefined, now: number): Month {
  const rows: Month["rows"] = {};
  for (const [k, c] of Object.entries(m?.rows ?? {})) rows[k] = { ...c };
  const ids: Month["ids"] = {};
  for (const [k, v] of Object.entries(m?.ids ?? {})) if (!stale(v, now)) ids[k] = v;
  // Stamps are dropped with their last hold (apply); stale markers (an earlier release's) name none.
  return { rows, ids, ...(m?.owners ? { owners: { ...m.owners } } : {}) };
}

export class FileSpendLedger implements SpendLedger {
  private readonly months: Generations<Month>;
  private readonly ends: ReservationEnds;

  constructor(
    outputDir: string,
    private readonly owners?: ReservationOwners,
  ) {
    // Few names (one per month), each changed on every paid call: kept in memory between writes.
    const dir = join(outputDir, ".aigc-mcp", "spend");
    this.months = new Generations<Month>(dir, { keepLast: true, draft: (m) => copy(m, Date.now()) });
    this.ends = new ReservationEnds(join(dir, "ended"));
  }

  async reserve(req: Parameters<SpendLedger["reserve"]>[0]): Promise<ReserveResult> {
    const now = req.now ?? new Date();
    const { day, month } = budgetDay(now, req.timezone);
    const amount = req.priced ? toUnits(req.amount) : 0;
    const limits = applicable(req.limits, req.vendor, req.currency);
    const h = idHash(req.id);
    const owner = this.owners?.owner();
    return this.months.gather<ReserveResult>(month, limits.length ? 0 : GATHER_MS, (draft) => {
      const m = draft!;
      const known = m.ids[h];
      const reservation = (d: string): Reservation => ({
        id: req.id,
        vendor: req.vendor,
        currency: req.currency,
        amount: req.priced ? req.amount : 0,
        priced: req.priced,
        day: d,
        month: d.slice(0, 7),
      });
      // The same id reserved again (a retried call): it holds what it held, once.
      if (known) return { result: { ok: true, reservation: reservation(known.day) } };
      for (const limit of limits) {
        let spent = 0;
        let reserved = 0;
        for (const [k, c] of Object.entries(m.rows)) {
          const r = parseKey(k);
          if (r.currency !== req.currency || (limit.vendor !== undefined && r.vendor !== limit.vendor)) continue;
          if (limit.period === "daily" && r.day !== day) continue;
          spent += c.spent;
          reserved += c.reserved;
        }
        if (overLimit(spent, reserved, amount, limit.amount))
          return { result: { ok: false, refusal: refusal(limit, spent, reserved, amount, now, req.timezone) } };
      }
      const k = rowKey(day, req.vendor, req.currency);
      const c = (m.rows[k] = { ...ZERO, ...m.rows[k] });
      c.reserved += amount;
      if (req.priced) c.calls++;
      else c.unpriced++;
      m.ids[h] = { s: "r", at: now.getTime(), day, vendor: req.vendor, currency: req.currency, priced: req.priced, held: amount };
      if (owner) {
        m.ids[h].o = owner.boot;
        (m.owners ??= {})[owner.boot] = owner;
      }
      return { value: m, result: { ok: true, reservation: reservation(day) } };
    });
  }

  /** Starts the month writes held back (GATHER_MS) at once: a limit check and a report call this first. */
  readonly writeNow = (): void => this.months.writeNow();

  settle(r: Reservation, actual?: number): Promise<void> {
    return this.finish(r, "s", actual ?? r.amount);
  }

  release(r: Reservation): Promise<void> {
    return this.finish(r, "x", 0);
  }

  /**
   * Ends reservation `r`: settled (`s`) at `actual`, or released (`x`), once. Its end is recorded
   * first (file-ends.ts); only the call that recorded it changes the month.
   */
  private async finish(r: Reservation, to: "s" | "x", actual: number): Promise<void> {
    // A reservation comes back from a job record: its month must be its day's (a month is a file name).
    if (r.month !== r.day.slice(0, 7) || !/^\d{4}-\d{2}$/.test(r.month))
      throw new Error(
        `not a reservation of this ledger: day ${JSON.stringify(r.day).slice(0, 40)}, month ${JSON.stringify(r.month).slice(0, 40)}`,
      );
    const h = idHash(r.id);
    const end: End = {
      s: to,
      at: Date.now(),
      vendor: r.vendor,
      currency: r.currency,
      priced: r.priced,
      held: r.priced ? toUnits(r.amount) : 0,
      spent: to === "s" ? toUnits(actual) : 0,
    };
    if (await this.ends.record(r.day, h, end)) await this.apply(r.month, r.day, h, end, true, GATHER_MS);
  }

  /**
   * Moves the counters of reservation `h` (budget day `day`) by its `end` and drops it from the
   * month (a write that may wait `withinMs` for others). One the month does not hold (its reserve write
   * failed) is counted as spend when `unknown` allows, without touching what others hold; one an earlier release marked ended is left.
   */
  private apply(month: string, day: string, h: string, end: End, unknown: boolean, withinMs = 0): Promise<void> {
    return this.months.gather<void>(month, withinMs, (draft) => {
      const m = draft!;
      const state = m.ids[h]?.s;
      if (state === "s" || state === "x" || (!state && (!unknown || end.s === "x"))) return { result: undefined };
      const k = rowKey(day, end.vendor, end.currency);
      const c = (m.rows[k] = { ...ZERO, ...m.rows[k] });
      if (state === "r") {
        c.reserved = Math.max(0, c.reserved - end.held);
        if (end.s === "x") {
          if (end.priced) c.calls = Math.max(0, c.calls - 1);
          else c.unpriced = Math.max(0, c.unpriced - 1);
        }
      } else if (end.priced) c.calls++;
      else c.unpriced++;
      c.spent += end.spent;
      const o = m.ids[h]?.o;
      delete m.ids[h];
      // A process's stamp goes with its last reservation held.
      if (o && !Object.values(m.ids).some((v) => v.o === o)) delete m.owners?.[o];
      if (m.owners && !Object.keys(m.owners).length) delete m.owners;
      return { value: m, result: undefined };
    });
  }

  /**
   * Applies the ends recorded at least an hour ago of reservations `month` still holds: their
   * process died between recording an end and its month write (which takes milliseconds; after an
   * hour no process is still about to make it, so it is never applied twice).
   */
  private async applyRecordedEnds(month: string, held: Month["ids"], now: number): Promise<void> {
    for (const [h, v] of Object.entries(held)) {
      if (v.s !== "r") continue;
      const got = await this.ends.read(v.day, h).catch(() => undefined);
      if (!got || got.writtenMs > now - ORPHANED_END_MS) continue;
      // An end that cannot be read counts as settled at what was held: spend is never dropped.
      const end = got.end ?? heldAsSpent(v, got.writtenMs);
      if (end) await this.apply(month, v.day, h, end, false);
    }
  }

  async endAbandoned(jobs: ReadonlyMap<string, ReservationJob>, before: number): Promise<number> {
    if (!this.owners) return 0;
    const known = byIdHash(jobs);
    const gone = goneOwners(this.owners);
    let ended = 0;
    for (const month of monthsAround(before)) {
      const { value } = await this.months.read(month);
      for (const [h, v] of Object.entries(value?.ids ?? {})) {
        const owner = v.o === undefined ? undefined : value?.owners?.[v.o];
        if (v.s !== "r" || !owner || v.at >= before) continue;
        const how = abandonedEnd(known.get(h), v.held ?? 0);
        const held = heldAsSpent(v, Date.now());
        if (!how || !held || !(await gone(owner))) continue;
        const end: End = { ...held, s: how.to, spent: how.spent };
        if (!(await this.ends.record(v.day, h, end))) continue;
        await this.apply(month, v.day, h, end, false);
        ended++;
      }
    }
    return ended;
  }

  async report(from: string, to: string): Promise<SpendRow[]> {
    const rows: SpendRow[] = [];
    for (const name of await this.months.names()) {
      if (name < from.slice(0, 7) || name > to.slice(0, 7)) continue;
      const m = (await this.months.read(name)).value;
      for (const [k, c] of Object.entries(m?.rows ?? {})) {
        const p = parseKey(k);
        if (p.day >= from && p.day <= to) rows.push(row(p.day, p.vendor, p.currency, c));
      }
    }
    return rows.sort(byDay);
  }

  /**
   * Removes months that ended more than 400 days ago, applies ends a dead process recorded but did
   * not apply, removes ends recorded 7 days ago (and an earlier release's ended markers as old);
   * returns how many months went.
   */
  async sweep(now = Date.now()): Promise<number> {
    let removed = 0;
    for (const name of await this.months.names()) {
      if (!/^\d{4}-\d{2}$/.test(name)) continue;
      const [y, mo] = name.split("-").map(Number) as [number, number];
      if (now - Date.UTC(y, mo, 1) > LEDGER_RETENTION_MS + 86_400_000) {
        await this.months.remove(name);
        removed++;
        continue;
      }
      const { value } = await this.months.read(name);
      await this.applyRecordedEnds(name, value?.ids ?? {}, now);
      // Looked at on disk: the draft a change gets has its stale markers dropped already.
      if (!Object.values(value?.ids ?? {}).some((v) => stale(v, now))) continue;
      await this.months.update<void>(name, (draft) => ({ value: draft!, result: undefined }));
    }
    await this.ends.sweep(now);
    return removed;
  }
}

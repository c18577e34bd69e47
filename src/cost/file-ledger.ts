/**
 * The spend ledger in the output folder (`.aigc-mcp/spend/`), shared by every server process on
 * that folder. One JSON value per budget month, `<YYYY-MM>.<generation>.json` (generations.ts):
 * the counters per (day, vendor, currency) of that month and the state of each reservation id
 * (reserved, settled or released). Every change reads the month, checks, and writes the next
 * generation exclusively; a writer that lost to another process reads again. So a reservation's
 * check and its increment are one atomic step across processes (no lock, nothing to go stale
 * when a process dies), and a reservation id moves from reserved to settled or released once.
 * Month totals are the sums of their days. Months are kept 400 days after they end; settle
 * markers 7 days.
 */
import { join } from "node:path";
import { Generations } from "../jobs/generations.js";
import type { Currency } from "../vendors/kit/price.js";
import type { Reservation, ReserveResult, SpendLedger, SpendRow } from "./ledger.js";
import { budgetDay } from "./periods.js";
import {
  applicable,
  byDay,
  idHash,
  LEDGER_RETENTION_MS,
  MARKER_RETENTION_MS,
  refusal,
  row,
  toUnits,
  ZERO,
  type Counters,
} from "./spend.js";

interface Month {
  /** Counters by `<day>|<vendor>|<currency>`. */
  rows: Record<string, Counters>;
  /** Reservation ids (hashed): `r` reserved, `s` settled, `x` released; `at` when it last changed; `day` its budget day. */
  ids: Record<string, { s: "r" | "s" | "x"; at: number; day: string }>;
}

const rowKey = (day: string, vendor: string, currency: string) => `${day}|${vendor}|${currency}`;

function parseKey(key: string): { day: string; vendor: string; currency: Currency } {
  const [day, vendor, currency] = key.split("|") as [string, string, Currency];
  return { day, vendor, currency };
}

/** Whether a marker is past its retention: settled and released ones after 7 days (one still reserved stays with its month). */
const stale = (v: Month["ids"][string], now: number) => v.s !== "r" && now - v.at >= MARKER_RETENTION_MS;

/** A copy of `m` without the stale markers: the draft each ledger write changes in place (generations.ts). */
function copy(m: Month | undefined, now: number): Month {
  const rows: Month["rows"] = {};
  for (const [k, c] of Object.entries(m?.rows ?? {})) rows[k] = { ...c };
  const ids: Month["ids"] = {};
  for (const [k, v] of Object.entries(m?.ids ?? {})) if (!stale(v, now)) ids[k] = v;
  return { rows, ids };
}

export class FileSpendLedger implements SpendLedger {
  private readonly months: Generations<Month>;

  constructor(outputDir: string) {
    // Few names (one per month), each changed on every paid call: kept in memory between writes. A
    // month holds every call's marker for 7 days: it is copied once per write, not once per change.
    this.months = new Generations<Month>(join(outputDir, ".aigc-mcp", "spend"), { keepLast: true, draft: (m) => copy(m, Date.now()) });
  }

  async reserve(req: Parameters<SpendLedger["reserve"]>[0]): Promise<ReserveResult> {
    const now = req.now ?? new Date();
    const { day, month } = budgetDay(now, req.timezone);
    const amount = req.priced ? toUnits(req.amount) : 0;
    const limits = applicable(req.limits, req.vendor, req.currency);
    const h = idHash(req.id);
    return this.months.update<ReserveResult>(month, (draft) => {
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
        if (spent + reserved + amount > toUnits(limit.amount))
          return { result: { ok: false, refusal: refusal(limit, spent, reserved, amount, now, req.timezone) } };
      }
      const k = rowKey(day, req.vendor, req.currency);
      const c = (m.rows[k] = { ...ZERO, ...m.rows[k] });
      c.reserved += amount;
      if (req.priced) c.calls++;
      else c.unpriced++;
      m.ids[h] = { s: "r", at: now.getTime(), day };
      return { value: m, result: { ok: true, reservation: reservation(day) } };
    });
  }

  settle(r: Reservation, actual?: number): Promise<void> {
    return this.finish(r, "s", actual ?? r.amount);
  }

  release(r: Reservation): Promise<void> {
    return this.finish(r, "x", 0);
  }

  /**
   * Moves reservation `r` to settled (`s`) or released (`x`), once. A reservation this ledger
   * does not know (its marker gone) is settled as spend without touching what others hold, and
   * only marked when released.
   */
  private async finish(r: Reservation, to: "s" | "x", actual: number): Promise<void> {
    const h = idHash(r.id);
    const now = Date.now();
    await this.months.update<void>(r.month, (draft) => {
      const m = draft!;
      const state = m.ids[h]?.s;
      if (state === "s" || state === "x") return { result: undefined };
      const k = rowKey(r.day, r.vendor, r.currency);
      const c = (m.rows[k] = { ...ZERO, ...m.rows[k] });
      const amount = r.priced ? toUnits(r.amount) : 0;
      if (state === "r") {
        c.reserved = Math.max(0, c.reserved - amount);
        if (to === "x") {
          if (r.priced) c.calls = Math.max(0, c.calls - 1);
          else c.unpriced = Math.max(0, c.unpriced - 1);
        }
      } else if (to === "s") {
        if (r.priced) c.calls++;
        else c.unpriced++;
      }
      if (to === "s") c.spent += toUnits(actual);
      m.ids[h] = { s: to, at: now, day: r.day };
      return { value: m, result: undefined };
    });
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

  /** Removes months that ended more than 400 days ago and settle markers past 7 days; returns how many months went. */
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
      // Looked at on disk: the draft a change gets has its stale markers dropped already.
      const { value } = await this.months.read(name);
      if (!Object.values(value?.ids ?? {}).some((v) => stale(v, now))) continue;
      await this.months.update<void>(name, (draft) => {
        const m = draft!;
        for (const k of Object.keys(m.ids)) if (stale(m.ids[k]!, now)) delete m.ids[k];
        return { value: m, result: undefined };
      });
    }
    return removed;
  }
}

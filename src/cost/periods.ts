/**
 * Budget periods in the budget time zone (AIGC_MCP_BUDGET_TIMEZONE, IANA): the day (YYYY-MM-DD)
 * and month (YYYY-MM) of an instant there, and when each ends: the next local midnight and the
 * first of the next month, as ISO 8601 with the zone's UTC offset at that moment. A day that
 * starts after a DST jump (no local midnight) starts at its first local instant.
 */
import type { Period } from "./config.js";

export interface Periods {
  day: string;
  month: string;
  /** When `day` ends (the next day's first instant), e.g. 2026-12-01T00:00:00+08:00. */
  dayResetsAt: string;
  /** When `month` ends. */
  monthResetsAt: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timezone, f);
  }
  return f;
}

/**
 * The wall-clock fields of `t` in `timezone`. UTC (the default zone) is read from Date itself: the
 * first Intl.DateTimeFormat loads ICU's locale and zone data, ~9 MB of RSS and ~30 ms on the first
 * paid call, a third of the server's peak memory growth while that call streamed a video (issue 16).
 */
function wall(t: number, timezone: string): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  if (timezone === "UTC") {
    const d = new Date(t);
    return {
      y: d.getUTCFullYear(),
      mo: d.getUTCMonth() + 1,
      d: d.getUTCDate(),
      h: d.getUTCHours(),
      mi: d.getUTCMinutes(),
      s: d.getUTCSeconds(),
    };
  }
  const p: Record<string, number> = {};
  for (const part of formatter(timezone).formatToParts(new Date(t))) if (part.type !== "literal") p[part.type] = Number(part.value);
  return { y: p.year!, mo: p.month!, d: p.day!, h: p.hour! % 24, mi: p.minute!, s: p.second! };
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");
const dateOf = (w: { y: number; mo: number; d: number }) => `${pad(w.y, 4)}-${pad(w.mo)}-${pad(w.d)}`;

/** The zone's offset from UTC at `t`, in minutes (wall time minus UTC). */
function offsetMinutes(t: number, timezone: string): number {
  const w = wall(t, timezone);
  const asUtc = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s);
  return Math.round((asUtc - Math.floor(t / 1000) * 1000) / 60_000);
}

/**
 * The first instant whose local date is `date` (YYYY-MM-DD) or later: near `date`'s midnight read
 * as UTC minus the offset, found to the minute (zone transitions fall on whole minutes).
 */
function startOf(date: string, timezone: string): number {
  const [y, mo, d] = date.split("-").map(Number) as [number, number, number];
  const guess = Date.UTC(y, mo - 1, d) - offsetMinutes(Date.UTC(y, mo - 1, d), timezone) * 60_000;
  // Offsets change by at most a few hours: the boundary is within ±6 h of the guess.
  let lo = guess - 6 * 3600_000;
  let hi = guess + 6 * 3600_000;
  while (hi - lo > 60_000) {
    const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
    if (dateOf(wall(mid, timezone)) >= date) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** `t` as ISO 8601 in `timezone`'s wall time with its UTC offset, e.g. 2026-12-01T00:00:00+08:00. */
export function isoWithOffset(t: number, timezone: string): string {
  const w = wall(t, timezone);
  const off = offsetMinutes(t, timezone);
  const sign = off < 0 ? "-" : "+";
  const a = Math.abs(off);
  return `${dateOf(w)}T${pad(w.h)}:${pad(w.mi)}:${pad(w.s)}${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/** The day after `date` (calendar arithmetic, no time zone). */
function nextDate(date: string): string {
  const [y, mo, d] = date.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, mo - 1, d + 1)).toISOString().slice(0, 10);
}

function nextMonthFirst(month: string): string {
  const [y, mo] = month.split("-").map(Number) as [number, number];
  return new Date(Date.UTC(y, mo, 1)).toISOString().slice(0, 10);
}

/**
 * The budget day and month of `now` in `timezone`, without when they end: what a reservation needs
 * (one time-zone lookup, where periodsAt's ends take a search of a few dozen).
 */
export function budgetDay(now: Date, timezone: string): Pick<Periods, "day" | "month"> {
  const day = dateOf(wall(now.getTime(), timezone));
  return { day, month: day.slice(0, 7) };
}

/** The budget day and month of `now` in `timezone`, and when each ends. */
export function periodsAt(now: Date, timezone: string): Periods {
  const { day, month } = budgetDay(now, timezone);
  return {
    day,
    month,
    dayResetsAt: isoWithOffset(startOf(nextDate(day), timezone), timezone),
    monthResetsAt: isoWithOffset(startOf(nextMonthFirst(month), timezone), timezone),
  };
}

/** When the period of `period` containing `now` ends. */
export function resetsAt(period: Period, now: Date, timezone: string): string {
  const p = periodsAt(now, timezone);
  return period === "daily" ? p.dayResetsAt : p.monthResetsAt;
}

/** The days from `from` to `to` (YYYY-MM-DD, inclusive), at most `max`. */
export function daysBetween(from: string, to: string, max = 1000): string[] {
  const out: string[] = [];
  for (let d = from; d <= to && out.length < max; d = nextDate(d)) out.push(d);
  return out;
}

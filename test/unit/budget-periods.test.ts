/**
 * Budget periods (issue 14): the day and month of an instant in the budget time zone, and when
 * each ends, as ISO 8601 with the zone's offset at that moment, across DST changes and month ends.
 */
import { describe, expect, it, vi } from "vitest";
import { daysBetween, periodsAt } from "../../src/cost/periods.js";
import { parseCostConfig } from "../../src/cost/config.js";
import type { SpendLedger, SpendRow } from "../../src/cost/ledger.js";
import { budgetStatus } from "../../src/cost/status.js";

const at = (iso: string, tz: string) => periodsAt(new Date(iso), tz);

describe("budget periods", () => {
  it("counts days and months in the budget time zone, not in UTC", () => {
    // 00:30 on 1 December in Shanghai is still 30 November in UTC.
    expect(at("2026-11-30T16:30:00Z", "Asia/Shanghai")).toEqual({
      day: "2026-12-01",
      month: "2026-12",
      dayResetsAt: "2026-12-02T00:00:00+08:00",
      monthResetsAt: "2027-01-01T00:00:00+08:00",
    });
    expect(at("2026-11-30T15:59:59Z", "Asia/Shanghai")).toEqual({
      day: "2026-11-30",
      month: "2026-11",
      dayResetsAt: "2026-12-01T00:00:00+08:00",
      monthResetsAt: "2026-12-01T00:00:00+08:00",
    });
  });

  it("gives the next midnight the offset it will have after a DST change", () => {
    // New York springs forward on 8 March 2026: a day that starts at -05:00 ends at -04:00.
    expect(at("2026-03-07T12:00:00Z", "America/New_York")).toMatchObject({
      day: "2026-03-07",
      dayResetsAt: "2026-03-08T00:00:00-05:00",
      monthResetsAt: "2026-04-01T00:00:00-04:00",
    });
    expect(at("2026-03-08T12:00:00Z", "America/New_York").dayResetsAt).toBe("2026-03-09T00:00:00-04:00");
    // And falls back on 1 November.
    expect(at("2026-10-31T12:00:00Z", "America/New_York")).toMatchObject({
      dayResetsAt: "2026-11-01T00:00:00-04:00",
      monthResetsAt: "2026-11-01T00:00:00-04:00",
    });
    expect(at("2026-11-01T12:00:00Z", "America/New_York")).toMatchObject({
      dayResetsAt: "2026-11-02T00:00:00-05:00",
      monthResetsAt: "2026-12-01T00:00:00-05:00",
    });
    // London's clocks go forward at 01:00 on 29 March: its midnight is still +00:00, April's +01:00.
    expect(at("2026-03-28T23:30:00Z", "Europe/London")).toMatchObject({
      day: "2026-03-28",
      dayResetsAt: "2026-03-29T00:00:00+00:00",
      monthResetsAt: "2026-04-01T00:00:00+01:00",
    });
  });

  it("starts a day that has no midnight (DST at 00:00) at its first instant", () => {
    // Santiago jumps from 00:00 to 01:00 on 6 September 2026.
    expect(at("2026-09-05T12:00:00Z", "America/Santiago").dayResetsAt).toBe("2026-09-06T01:00:00-03:00");
    expect(at("2026-09-06T12:00:00Z", "America/Santiago").day).toBe("2026-09-06");
  });

  it("rolls over month and year ends, February included", () => {
    expect(at("2026-12-31T23:00:00Z", "UTC")).toEqual({
      day: "2026-12-31",
      month: "2026-12",
      dayResetsAt: "2027-01-01T00:00:00+00:00",
      monthResetsAt: "2027-01-01T00:00:00+00:00",
    });
    expect(at("2026-02-28T12:00:00Z", "Europe/Berlin")).toMatchObject({
      dayResetsAt: "2026-03-01T00:00:00+01:00",
      monthResetsAt: "2026-03-01T00:00:00+01:00",
    });
    expect(at("2028-02-28T12:00:00Z", "UTC").dayResetsAt).toBe("2028-02-29T00:00:00+00:00");
  });

  it("lists the days of a range across a month end", () => {
    expect(daysBetween("2026-11-29", "2026-12-02")).toEqual(["2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02"]);
    expect(daysBetween("2026-12-02", "2026-11-29")).toEqual([]);
  });

  it("reads UTC (the default zone) without Intl, with the same answers as through the zone data", () => {
    // The first Intl.DateTimeFormat loads ICU's zone data: ~9 MB of RSS on the first paid call.
    const read = vi.spyOn(Intl.DateTimeFormat.prototype, "formatToParts");
    const instants = ["2026-12-31T23:59:59Z", "2028-02-29T00:00:00Z", "2026-03-08T07:00:00Z", "2027-06-15T12:34:56Z"];
    const fast = instants.map((iso) => at(iso, "UTC"));
    expect(read).not.toHaveBeenCalled();
    read.mockRestore();
    const viaIntl = instants.map((iso) => at(iso, "Etc/UTC"));
    expect(fast).toEqual(viaIntl);
  });
});

describe("budget status across a change of AIGC_MCP_BUDGET_TIMEZONE", () => {
  it("shows calls filed under a zone ahead of this one, dated tomorrow here (tryout finding)", async () => {
    // Filed at 19:57 UTC on Dec 4 by a server in Asia/Shanghai, where it was already Dec 5.
    const filed: SpendRow[] = [{ day: "2026-12-05", vendor: "ark", currency: "CNY", spent: 5.188, reserved: 0, calls: 3, unpriced: 0 }];
    const ledger = {
      report: (from: string, to: string) => Promise.resolve(filed.filter((r) => r.day >= from && r.day <= to)),
    } as unknown as SpendLedger;
    const status = await budgetStatus(ledger, parseCostConfig({}), 31, new Date("2026-12-04T20:10:00Z"));
    expect(status.rows).toEqual(filed);
    expect(status.text).toMatch(/2026-12-05/);
    expect(status.text).not.toMatch(/No paid calls/);
  });
});

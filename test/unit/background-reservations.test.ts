/**
 * src/cost/background.ts (issue 16, goal 2): a reservation no limit applies to answers at once and is
 * written in the background; ending it and reading the ledger wait for that write, so a reservation is
 * never settled or released before the backend holds it.
 */
import { describe, expect, it } from "vitest";
import { BackgroundReservations } from "../../src/cost/background.js";
import type { Reservation, ReserveResult, SpendLedger, SpendRow } from "../../src/cost/ledger.js";

/** A backend whose reserve writes land only when the test lets them; it logs what it was asked, in order. */
function heldLedger() {
  const calls: string[] = [];
  const gates: Array<() => void> = [];
  const ledger: SpendLedger = {
    async reserve(req) {
      calls.push(`reserve ${req.id}`);
      await new Promise<void>((r) => gates.push(r));
      calls.push(`reserved ${req.id}`);
      const { now: _n, limits: _l, timezone: _t, background: _b, ...rest } = req;
      const got: ReserveResult = { ok: true, reservation: { ...rest, day: "2026-12-01", month: "2026-12" } };
      return got;
    },
    settle: (r: Reservation) => Promise.resolve(void calls.push(`settle ${r.id}`)),
    release: (r: Reservation) => Promise.resolve(void calls.push(`release ${r.id}`)),
    report: (): Promise<SpendRow[]> => (calls.push("report"), Promise.resolve([])),
    endAbandoned: () => Promise.resolve(0),
  };
  return { ledger, calls, land: () => gates.splice(0).forEach((g) => g()) };
}

const REQ = { vendor: "ark", currency: "CNY" as const, amount: 0.2, priced: true, limits: [], timezone: "Asia/Shanghai" };
const NOW = new Date("2026-11-30T17:00:00Z"); // 01:00 on Dec 1 in Shanghai
const tick = () => new Promise((r) => setTimeout(r, 5));

describe("reservations written in the background", () => {
  it("answers at once with the reservation in the budget day of `now`, before the backend has written it", async () => {
    const b = heldLedger();
    const got = await new BackgroundReservations(b.ledger).reserve({ ...REQ, id: "a", now: NOW, background: true });
    expect(got).toEqual({
      ok: true,
      reservation: { id: "a", vendor: "ark", currency: "CNY", amount: 0.2, priced: true, day: "2026-12-01", month: "2026-12" },
    });
    expect(b.calls).toEqual(["reserve a"]);
  });

  it("settles, releases and reports only after the reservation's write has landed", async () => {
    const b = heldLedger();
    const l = new BackgroundReservations(b.ledger);
    const a = await l.reserve({ ...REQ, id: "a", now: NOW, background: true });
    const x = await l.reserve({ ...REQ, id: "x", now: NOW, background: true });
    if (!a.ok || !x.ok) throw new Error("refused");
    const ended = Promise.all([l.settle(a.reservation), l.release(x.reservation), l.report("2026-12-01", "2026-12-01")]);
    await tick();
    expect(b.calls).toEqual(["reserve a", "reserve x"]);
    b.land();
    await ended;
    expect(b.calls.slice(2, 4).sort()).toEqual(["reserved a", "reserved x"]);
    expect(b.calls.slice(4).sort()).toEqual(["release x", "report", "settle a"]);
  });

  it("waits for nothing when the reservation has limits to check, or is not asked to go in the background", async () => {
    const b = heldLedger();
    const l = new BackgroundReservations(b.ledger);
    let answered = false;
    void l.reserve({ ...REQ, id: "c", now: NOW }).then(() => (answered = true));
    await tick();
    expect(answered).toBe(false);
    await expect(
      l.reserve({ ...REQ, id: "d", limits: [{ period: "daily", amount: 1, currency: "CNY" }], now: NOW, background: true }),
    ).rejects.toThrow(/limits to check/);
    b.land();
  });

  it("checks limits and reports only after the ends under way here have landed: room a finished job frees is seen by the next call", async () => {
    const b = heldLedger();
    const gates: Array<() => void> = [];
    b.ledger.settle = (r: Reservation) => new Promise<void>((ok) => gates.push(() => ok(void b.calls.push(`settle ${r.id}`))));
    const l = new BackgroundReservations(b.ledger);
    const r: Reservation = { id: "job", vendor: "ark", currency: "CNY", amount: 1, priced: true, day: "2026-12-01", month: "2026-12" };
    const settled = l.settle(r);
    const limited = l.reserve({ ...REQ, id: "next", limits: [{ period: "daily", amount: 1, currency: "CNY" }], now: NOW });
    const report = l.report("2026-12-01", "2026-12-01");
    await tick();
    expect(b.calls).toEqual([]);
    gates.splice(0).forEach((g) => g());
    await settled;
    await tick();
    expect(b.calls.slice(0, 3)).toEqual(["settle job", "reserve next", "report"]);
    b.land();
    await Promise.all([limited, report]);
  });
});

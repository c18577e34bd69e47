/**
 * The spend ledger in Redis, shared by every replica. Keys, under AIGC_MCP_REDIS_PREFIX:
 *
 * - `spend:d:<YYYY-MM-DD>` and `spend:m:<YYYY-MM>`: a hash per budget day and month, fields
 *   `<vendor>:<currency>:spent|reserved|calls|unpriced` (money in micro-units), kept 400 days
 *   after their last change;
 * - `spend:id:<sha256(reservation id), 32 hex>`: the reservation's state, `r <day>` while
 *   reserved, then `s` (settled) or `x` (released), kept 7 days after it was settled or released
 *   (400 days while reserved);
 * - `spend:h:<YYYY-MM>`: the reservations held in a budget month, by the same hash: what each
 *   holds and the process that made it (its heartbeat id and pid), so a replica can settle those
 *   of a process that died mid-call (endAbandoned); a field goes when its reservation ends.
 *
 * Each operation is one Lua script, so a reservation's checks of every applicable limit and its
 * increments are one atomic step: no two replicas can both take the last room in a budget, and a
 * reservation is settled or released once.
 */
import type { Redis } from "ioredis";
import { execAll } from "../jobs/redis-batch.js";
import type { Reservation, ReservationJob, ReservationOwners, ReserveResult, SpendLedger, SpendRow } from "./ledger.js";
import { budgetDay, daysBetween } from "./periods.js";
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
  limitUnits,
  monthsAround,
  toUnits,
  ZERO,
  type Counters,
} from "./spend.js";
import type { JobOwner } from "../jobs/owner.js";
import type { Currency } from "../vendors/kit/price.js";

/** What the ledger needs from the Redis job store: its connection, its key prefix and its error handling. */
export interface RedisAccess {
  redis: Redis;
  key(name: string): string;
  /** Runs a command, retrying a failed one (the scripts are safe to repeat) and reporting it as Redis being unavailable. */
  retry<T>(doing: string, fn: () => Promise<T>): Promise<T>;
  run<T>(doing: string, fn: () => Promise<T>): Promise<T>;
}

/**
 * KEYS: day hash, month hash, id marker, the month's held reservations. ARGV: vendor, currency,
 * amount, priced, ttl, day, id hash, its held entry ('' for none), then per limit: period, vendor
 * or '', amount.
 */
const RESERVE = `
local known = redis.call('GET', KEYS[3])
if known then return {1, string.sub(known, 3)} end
local vendor, cur, amount = ARGV[1], ARGV[2], tonumber(ARGV[3])
local function sums(key, scope)
  local h = redis.call('HGETALL', key)
  local spent, reserved = 0, 0
  for i = 1, #h, 2 do
    local v, c, f = string.match(h[i], '^(.*):([^:]*):([^:]*)$')
    if c == cur and (scope == '' or v == scope) then
      if f == 'spent' then spent = spent + tonumber(h[i + 1]) elseif f == 'reserved' then reserved = reserved + tonumber(h[i + 1]) end
    end
  end
  return spent, reserved
end
for i = 9, #ARGV, 3 do
  local s, r = sums(ARGV[i] == 'daily' and KEYS[1] or KEYS[2], ARGV[i + 1])
  if s + r + amount > tonumber(ARGV[i + 2]) then
    return {0, tostring((i - 9) / 3), string.format('%.0f', s), string.format('%.0f', r)}
  end
end
local p = vendor .. ':' .. cur .. ':'
for _, k in ipairs({KEYS[1], KEYS[2]}) do
  redis.call('HINCRBY', k, p .. 'reserved', amount)
  redis.call('HINCRBY', k, p .. (ARGV[4] == '1' and 'calls' or 'unpriced'), 1)
  redis.call('PEXPIRE', k, ARGV[5])
end
redis.call('SET', KEYS[3], 'r ' .. ARGV[6], 'PX', ARGV[5])
if ARGV[8] ~= '' then
  redis.call('HSET', KEYS[4], ARGV[7], ARGV[8])
  redis.call('PEXPIRE', KEYS[4], ARGV[5])
end
return {1, ARGV[6]}`;

/**
 * KEYS: day hash, month hash, id marker, the month's held reservations. ARGV: vendor, currency,
 * amount held, actual, priced, ttl, marker ttl, 's' (settle) or 'x' (release), id hash. A
 * reservation the ledger does not know is settled as spend without touching what others hold, and
 * only marked when released.
 */
const FINISH = `
local m = redis.call('GET', KEYS[3])
if m == 's' or m == 'x' then return 0 end
local reserved = m and string.sub(m, 1, 1) == 'r'
local p = ARGV[1] .. ':' .. ARGV[2] .. ':'
local count = p .. (ARGV[5] == '1' and 'calls' or 'unpriced')
for _, k in ipairs({KEYS[1], KEYS[2]}) do
  if reserved then
    if redis.call('HINCRBY', k, p .. 'reserved', string.format('%d', -tonumber(ARGV[3]))) < 0 then redis.call('HSET', k, p .. 'reserved', 0) end
    if ARGV[8] == 'x' and redis.call('HINCRBY', k, count, -1) < 0 then redis.call('HSET', k, count, 0) end
  elseif ARGV[8] == 's' then
    redis.call('HINCRBY', k, count, 1)
  end
  if ARGV[8] == 's' then redis.call('HINCRBY', k, p .. 'spent', ARGV[4]) end
  if reserved or ARGV[8] == 's' then redis.call('PEXPIRE', k, ARGV[6]) end
end
redis.call('SET', KEYS[3], ARGV[8], 'PX', ARGV[7])
redis.call('HDEL', KEYS[4], ARGV[9])
return 1`;

/** A held reservation as the month's `spend:h:` hash keeps it, with the process that made it. */
interface HeldEntry {
  vendor: string;
  currency: Currency;
  /** Micro-units held. */
  held: number;
  priced: boolean;
  day: string;
  /** When it was made (epoch ms). */
  at: number;
  owner: JobOwner;
}

export class RedisSpendLedger implements SpendLedger {
  constructor(
    private readonly r: RedisAccess,
    private readonly owners?: ReservationOwners,
  ) {}

  /** The keys of reservation `h` (an id hash) made on budget day `day`. */
  private keys(day: string, month: string, h: string): string[] {
    return [this.r.key(`spend:d:${day}`), this.r.key(`spend:m:${month}`), this.r.key(`spend:id:${h}`), this.r.key(`spend:h:${month}`)];
  }

  async reserve(req: Parameters<SpendLedger["reserve"]>[0]): Promise<ReserveResult> {
    const now = req.now ?? new Date();
    const { day, month } = budgetDay(now, req.timezone);
    const amount = req.priced ? toUnits(req.amount) : 0;
    const limits = applicable(req.limits, req.vendor, req.currency);
    const h = idHash(req.id);
    const owner = this.owners?.owner();
    const entry: HeldEntry | undefined = owner && {
      vendor: req.vendor,
      currency: req.currency,
      held: amount,
      priced: req.priced,
      day,
      at: now.getTime(),
      owner,
    };
    const args = [req.vendor, req.currency, String(amount), req.priced ? "1" : "0", String(LEDGER_RETENTION_MS), day, h];
    args.push(entry ? JSON.stringify(entry) : "");
    for (const l of limits) args.push(l.period, l.vendor ?? "", String(limitUnits(l.amount)));
    const out = (await this.r.retry("reserving budget", () => this.r.redis.eval(RESERVE, 4, ...this.keys(day, month, h), ...args))) as
      [1, string] | [0, string, string, string];
    if (out[0] === 0) {
      const limit = limits[Number(out[1])]!;
      return { ok: false, refusal: refusal(limit, Number(out[2]), Number(out[3]), amount, now, req.timezone) };
    }
    const d = out[1] || day;
    return {
      ok: true,
      reservation: {
        id: req.id,
        vendor: req.vendor,
        currency: req.currency,
        amount: req.priced ? req.amount : 0,
        priced: req.priced,
        day: d,
        month: d.slice(0, 7),
      },
    };
  }

  settle(r: Reservation, actual?: number): Promise<void> {
    return this.finish(r, "s", actual ?? r.amount);
  }

  release(r: Reservation): Promise<void> {
    return this.finish(r, "x", 0);
  }

  private async finish(r: Reservation, to: "s" | "x", actual: number): Promise<void> {
    const held = r.priced ? toUnits(r.amount) : 0;
    await this.end({ ...r, held }, idHash(r.id), to, to === "s" ? toUnits(actual) : 0);
  }

  /** Ends reservation `h` once (FINISH): settled (`s`) at `spent` micro-units, or released (`x`); 1 when this call ended it. */
  private end(r: Pick<HeldEntry, "vendor" | "currency" | "held" | "priced" | "day">, h: string, to: "s" | "x", spent: number) {
    const args = [
      r.vendor,
      r.currency,
      String(r.held),
      String(spent),
      r.priced ? "1" : "0",
      String(LEDGER_RETENTION_MS),
      String(MARKER_RETENTION_MS),
      to,
      h,
    ];
    return this.r.retry(to === "s" ? "settling spend" : "releasing a budget reservation", () =>
      this.r.redis.eval(FINISH, 4, ...this.keys(r.day, r.day.slice(0, 7), h), ...args),
    );
  }

  async endAbandoned(jobs: ReadonlyMap<string, ReservationJob>, before: number): Promise<number> {
    if (!this.owners) return 0;
    const known = byIdHash(jobs);
    const gone = goneOwners(this.owners);
    let ended = 0;
    for (const month of monthsAround(before)) {
      const held = await this.r.run("reading the spend ledger", () => this.r.redis.hgetall(this.r.key(`spend:h:${month}`)));
      for (const [h, json] of Object.entries(held)) {
        let entry: HeldEntry;
        try {
          entry = JSON.parse(json) as HeldEntry;
        } catch {
          continue;
        }
        const how = abandonedEnd(known.get(h), entry.held);
        if (entry.at >= before || !how || entry.day.slice(0, 7) !== month) continue;
        if (await gone(entry.owner)) ended += (await this.end(entry, h, how.to, how.spent)) === 1 ? 1 : 0;
      }
    }
    return ended;
  }

  async report(from: string, to: string): Promise<SpendRow[]> {
    const days = daysBetween(from, to, 1000);
    if (!days.length) return [];
    const pipe = this.r.redis.pipeline();
    for (const d of days) pipe.hgetall(this.r.key(`spend:d:${d}`));
    const replies = await this.r.run("reading the spend ledger", () => execAll(pipe));
    const rows: SpendRow[] = [];
    days.forEach((day, i) => {
      const hash = replies[i];
      const by = new Map<string, Counters>();
      for (const [field, value] of Object.entries((hash ?? {}) as Record<string, string>)) {
        const m = /^(.*):([^:]*):(spent|reserved|calls|unpriced)$/.exec(field);
        if (!m) continue;
        const k = `${m[1]}:${m[2]}`;
        const c = by.get(k) ?? { ...ZERO };
        c[m[3] as keyof Counters] = Number(value);
        by.set(k, c);
      }
      for (const [k, c] of by) {
        const i = k.lastIndexOf(":");
        rows.push(row(day, k.slice(0, i), k.slice(i + 1) as Currency, c));
      }
    });
    return rows.sort(byDay);
  }
}

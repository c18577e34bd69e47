/**
 * The spend ledger in Redis, shared by every replica. Keys, under AIGC_MCP_REDIS_PREFIX:
 *
 * - `spend:d:<YYYY-MM-DD>` and `spend:m:<YYYY-MM>`: a hash per budget day and month, fields
 *   `<vendor>:<currency>:spent|reserved|calls|unpriced` (money in micro-units), kept 400 days
 *   after their last change;
 * - `spend:id:<sha256(reservation id), 32 hex>`: the reservation's state, `r <day>` while
 *   reserved, then `s` (settled) or `x` (released), kept 7 days after it was settled or released
 *   (400 days while reserved).
 *
 * Each operation is one Lua script, so a reservation's checks of every applicable limit and its
 * increments are one atomic step: no two replicas can both take the last room in a budget, and a
 * reservation is settled or released once.
 */
import type { Redis } from "ioredis";
import { execAll } from "../jobs/redis-batch.js";
import type { Reservation, ReserveResult, SpendLedger, SpendRow } from "./ledger.js";
import { budgetDay, daysBetween } from "./periods.js";
import {
  applicable,
  byDay,
  idHash,
  LEDGER_RETENTION_MS,
  MARKER_RETENTION_MS,
  refusal,
  row,
  limitUnits,
  toUnits,
  ZERO,
  type Counters,
} from "./spend.js";
import type { Currency } from "../vendors/kit/price.js";

/** What the ledger needs from the Redis job store: its connection, its key prefix and its error handling. */
export interface RedisAccess {
  redis: Redis;
  key(name: string): string;
  /** Runs a command, retrying a failed one (the scripts are safe to repeat) and reporting it as Redis being unavailable. */
  retry<T>(doing: string, fn: () => Promise<T>): Promise<T>;
  run<T>(doing: string, fn: () => Promise<T>): Promise<T>;
}

/** KEYS: day hash, month hash, id marker. ARGV: vendor, currency, amount, priced, ttl, day, then per limit: period, vendor or '', amount. */
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
for i = 7, #ARGV, 3 do
  local s, r = sums(ARGV[i] == 'daily' and KEYS[1] or KEYS[2], ARGV[i + 1])
  if s + r + amount > tonumber(ARGV[i + 2]) then
    return {0, tostring((i - 7) / 3), string.format('%.0f', s), string.format('%.0f', r)}
  end
end
local p = vendor .. ':' .. cur .. ':'
for _, k in ipairs({KEYS[1], KEYS[2]}) do
  redis.call('HINCRBY', k, p .. 'reserved', amount)
  redis.call('HINCRBY', k, p .. (ARGV[4] == '1' and 'calls' or 'unpriced'), 1)
  redis.call('PEXPIRE', k, ARGV[5])
end
redis.call('SET', KEYS[3], 'r ' .. ARGV[6], 'PX', ARGV[5])
return {1, ARGV[6]}`;

/**
 * KEYS: day hash, month hash, id marker. ARGV: vendor, currency, amount held, actual, priced, ttl,
 * marker ttl, 's' (settle) or 'x' (release). A reservation the ledger does not know is settled as
 * spend without touching what others hold, and only marked when released.
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
return 1`;

export class RedisSpendLedger implements SpendLedger {
  constructor(private readonly r: RedisAccess) {}

  private keys(day: string, month: string, id: string): string[] {
    return [this.r.key(`spend:d:${day}`), this.r.key(`spend:m:${month}`), this.r.key(`spend:id:${idHash(id)}`)];
  }

  async reserve(req: Parameters<SpendLedger["reserve"]>[0]): Promise<ReserveResult> {
    const now = req.now ?? new Date();
    const { day, month } = budgetDay(now, req.timezone);
    const amount = req.priced ? toUnits(req.amount) : 0;
    const limits = applicable(req.limits, req.vendor, req.currency);
    const args = [req.vendor, req.currency, String(amount), req.priced ? "1" : "0", String(LEDGER_RETENTION_MS), day];
    for (const l of limits) args.push(l.period, l.vendor ?? "", String(limitUnits(l.amount)));
    const out = (await this.r.retry("reserving budget", () => this.r.redis.eval(RESERVE, 3, ...this.keys(day, month, req.id), ...args))) as
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
    const args = [
      r.vendor,
      r.currency,
      String(r.priced ? toUnits(r.amount) : 0),
      String(toUnits(actual)),
      r.priced ? "1" : "0",
      String(LEDGER_RETENTION_MS),
      String(MARKER_RETENTION_MS),
      to,
    ];
    await this.r.retry(to === "s" ? "settling spend" : "releasing a budget reservation", () =>
      this.r.redis.eval(FINISH, 3, ...this.keys(r.day, r.month, r.id), ...args),
    );
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

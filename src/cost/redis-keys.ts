/**
 * Idempotency keys in Redis, shared by every replica: `idem:<sha256(key), hex>` under
 * AIGC_MCP_REDIS_PREFIX holds the entry as JSON (the key itself is never written), created with
 * SET NX and expiring 24 hours after the claim (completing it keeps that expiry).
 */
import type { IdempotencyKeys, KeyEntry } from "./ledger.js";
import type { RedisAccess } from "./redis-ledger.js";
import { keptResult, KEY_TTL_MS, keyHash } from "./spend.js";

/**
 * Deletes the entry while its call is still pending (a done entry stands for a job that may have
 * been billed) and it is still claim ARGV[1]'s (entries of an earlier release have no claim id).
 */
const FORGET = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local ok, e = pcall(cjson.decode, v)
if ok and type(e) == 'table' and e.state == 'pending' and (e.claim == nil or e.claim == ARGV[1]) then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`;

const FORGET_JOB = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local ok, e = pcall(cjson.decode, v)
if ok and type(e) == 'table' and e.state == 'done' and e.job_id == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`;

function parse(text: string | null): KeyEntry | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as KeyEntry;
  } catch {
    return undefined;
  }
}

export class RedisIdempotencyKeys implements IdempotencyKeys {
  constructor(private readonly r: RedisAccess) {}

  private name(key: string): string {
    return this.r.key(`idem:${keyHash(key)}`);
  }

  async claim(
    key: string,
    e: { fingerprint: string; tool: string; owner: KeyEntry["owner"]; claim: string },
  ): Promise<{ claimed: true } | { claimed: false; entry: KeyEntry }> {
    const entry: KeyEntry = {
      fingerprint: e.fingerprint,
      tool: e.tool,
      state: "pending",
      owner: e.owner,
      claim: e.claim,
      created_at: new Date().toISOString(),
    };
    for (let attempt = 0; ; attempt++) {
      const set = await this.r.run("claiming an idempotency key", () =>
        this.r.redis.set(this.name(key), JSON.stringify(entry), "PX", KEY_TTL_MS, "NX"),
      );
      if (set === "OK") return { claimed: true };
      const existing = parse(await this.r.run("reading an idempotency key", () => this.r.redis.get(this.name(key))));
      if (existing) return { claimed: false, entry: existing };
      // It expired (or was given up) between the two commands: claim again.
      if (attempt >= 5) throw new Error("could not claim an idempotency key: it keeps changing");
    }
  }

  async complete(key: string, outcome: { job_id?: string; result?: string }): Promise<void> {
    const result = keptResult(outcome.result);
    const cur = parse(await this.r.run("reading an idempotency key", () => this.r.redis.get(this.name(key))));
    if (!cur) return;
    const done: KeyEntry = {
      ...cur,
      state: "done",
      ...(outcome.job_id !== undefined ? { job_id: outcome.job_id } : {}),
      ...(result !== undefined ? { result } : {}),
    };
    await this.r.retry("completing an idempotency key", () => this.r.redis.set(this.name(key), JSON.stringify(done), "KEEPTTL", "XX"));
  }

  async forget(key: string, claim: string): Promise<void> {
    await this.r.retry("giving up an idempotency key", () => this.r.redis.eval(FORGET, 1, this.name(key), claim));
  }

  async forgetJob(key: string, jobId: string): Promise<void> {
    await this.r.retry("freeing an idempotency key", () => this.r.redis.eval(FORGET_JOB, 1, this.name(key), jobId));
  }

  async get(key: string): Promise<KeyEntry | undefined> {
    return parse(await this.r.run("reading an idempotency key", () => this.r.redis.get(this.name(key))));
  }
}

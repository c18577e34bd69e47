/** The Lua scripts of the Redis job store (redis-store.ts): each runs atomically on the server. */

/** Writes a record unless it would replace a finished record with an unfinished one (a late poll of another replica). */
export const SAVE = `
local cur = redis.call('GET', KEYS[1])
if cur and ARGV[5] == '0' then
  local ok, old = pcall(cjson.decode, cur)
  if ok and type(old) == 'table' and (old.status == 'succeeded' or old.status == 'failed' or old.status == 'cancelled' or old.status == 'expired') then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
for i = 7, #ARGV, 3 do
  redis.call('ZADD', KEYS[3], ARGV[6], ARGV[i])
  if ARGV[i + 1] ~= '' then redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 1]) end
  redis.call('HSET', KEYS[5], ARGV[i], ARGV[i + 2])
end
return 1`;
/** Deletes a key only while it holds `ARGV[1]`; with ARGV[2], extends it instead. */
export const IF_HELD = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) else redis.call('DEL', KEYS[1]) end
return 1`;

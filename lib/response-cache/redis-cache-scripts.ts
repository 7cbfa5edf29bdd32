/**
 * Lua for the Redis store's size cap and retention, each run atomically in one round trip.
 * Bookkeeping next to the entries (members are cache keys without the prefix):
 *   KEYS[1] `<prefix>idx:created`  sorted set, score = created-at ms (eviction and retention order)
 *   KEYS[2] `<prefix>idx:expires`  sorted set, score = expiry ms (entries Redis already expired)
 *   KEYS[3] `<prefix>idx:bytes`    hash, member -> stored bytes
 *   KEYS[4] `<prefix>idx:total`    the sum of that hash
 * The scripts touch entry keys they build from the prefix, so they suit a single Redis (or one
 * hash slot), not a Redis Cluster spread over slots.
 */
const FORGET = `
local function forget(m)
  local b = tonumber(redis.call('HGET', KEYS[3], m) or '0')
  redis.call('HDEL', KEYS[3], m)
  redis.call('ZREM', KEYS[1], m)
  redis.call('ZREM', KEYS[2], m)
  if b > 0 then redis.call('DECRBY', KEYS[4], b) end
end
`;

/**
 * ARGV: prefix, member, value, ttlMs, nowMs, createdAtMs, bytes, maxEntries, maxBytes.
 * Stores the entry, drops the bookkeeping of entries that expired, then evicts the oldest
 * entries while the store is past either cap. Returns how many it evicted.
 */
export const SET_CAPPED = `${FORGET}
local prefix, member, value = ARGV[1], ARGV[2], ARGV[3]
local ttl, now, created, bytes = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local maxEntries, maxBytes = tonumber(ARGV[8]), tonumber(ARGV[9])
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 100)) do forget(m) end
forget(member)
redis.call('SET', prefix .. member, value, 'PX', ttl)
redis.call('HSET', KEYS[3], member, bytes)
redis.call('ZADD', KEYS[1], created, member)
redis.call('ZADD', KEYS[2], now + ttl, member)
redis.call('INCRBY', KEYS[4], bytes)
local evicted = 0
while redis.call('ZCARD', KEYS[1]) > maxEntries or tonumber(redis.call('GET', KEYS[4]) or '0') > maxBytes do
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
  if not oldest then break end
  redis.call('DEL', prefix .. oldest)
  forget(oldest)
  evicted = evicted + 1
end
return evicted
`;

/** ARGV: prefix, cutoffMs, batch. Deletes up to `batch` entries created before the cutoff; returns how many. */
export const PURGE_BEFORE = `${FORGET}
local prefix, cutoff, batch = ARGV[1], ARGV[2], tonumber(ARGV[3])
local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. cutoff, 'LIMIT', 0, batch)
for _, m in ipairs(old) do
  redis.call('DEL', prefix .. m)
  forget(m)
end
return #old
`;

"""The Lua scripts of the Redis store: each write runs whole inside Redis or not at all.

Scripts build a session's keys from the prefix they are given (see redis_store.py for the
layout), so that eviction and expiry can reach sessions the caller does not name.
"""

CHUNK = "local CHUNK = 1000\n"  # Lua's unpack() has a limit: long argument lists go in chunks
DROP = """
local function drop(prefix, sid)
  local gone = redis.call('DEL', prefix .. 'session:' .. sid)
  redis.call('DEL', prefix .. 'history:' .. sid, prefix .. 'epochs:' .. sid, prefix .. 'lease:' .. sid)
  redis.call('ZREM', prefix .. 'updated', sid)
  return gone
end
"""
ADD_ROWS = """
local function add_rows(prefix, sid, from)
  local h, z = {}, {}
  for i = from, #ARGV, 2 do
    h[#h + 1] = ARGV[i]; h[#h + 1] = ARGV[i + 1]
    z[#z + 1] = ARGV[i]; z[#z + 1] = ARGV[i]
    if #h >= 2 * CHUNK or i + 2 > #ARGV then
      redis.call('HSET', prefix .. 'history:' .. sid, unpack(h))
      redis.call('ZADD', prefix .. 'epochs:' .. sid, unpack(z))
      h, z = {}, {}
    end
  end
end
"""
NOW = """
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
"""
# The sessions not to evict or expire: the caller's (ARGV[from..from+n-1]) and those any worker
# says it holds ({prefix}held, scored by when that word runs out, on Redis's clock).
SPARE = NOW + """
local function spare_set(from, n)
  local s = {}
  for i = from, from + n - 1 do s[ARGV[i]] = true end
  for _, sid in ipairs(redis.call('ZRANGEBYSCORE', ARGV[1] .. 'held', now_ms(), '+inf')) do
    s[sid] = true
  end
  return s
end
"""
# ARGV: prefix, id, token_hash, created_at, updated_at, record, version, keep, n, spare[n],
# then epoch, row pairs. Evicts the least recently used sessions not spared (so that at most
# `keep` remain with the new one), then inserts; returns the evicted ids.
INSERT = CHUNK + DROP + ADD_ROWS + SPARE + """
local prefix, sid = ARGV[1], ARGV[2]
local key, index = prefix .. 'session:' .. sid, prefix .. 'updated'
if redis.call('EXISTS', key) == 1 then return redis.error_reply('session id taken: ' .. sid) end
local room, n = tonumber(ARGV[8]) - 1, tonumber(ARGV[9])
local spare = spare_set(10, n)
local gone = {}
if redis.call('ZCARD', index) > room then
  local ids = redis.call('ZREVRANGE', index, 0, -1)
  local others = {}
  for _, other in ipairs(ids) do if not spare[other] then others[#others + 1] = other end end
  for i = math.max(room - (#ids - #others), 0) + 1, #others do
    drop(prefix, others[i]); gone[#gone + 1] = others[i]
  end
end
redis.call('HSET', key, 'id', sid, 'token_hash', ARGV[3], 'created_at', ARGV[4],
           'updated_at', ARGV[5], 'record', ARGV[6], 'version', ARGV[7])
redis.call('ZADD', index, ARGV[5], sid)
add_rows(prefix, sid, 10 + n)
return gone
"""
# ARGV: prefix, id, expected version, new version, updated_at, record, clear (0/1), fenced (0/1),
# fence, n, epochs to drop[n], then epoch, row pairs. Returns ok, gone, fenced or stale.
UPDATE = CHUNK + ADD_ROWS + """
local prefix, sid = ARGV[1], ARGV[2]
local key = prefix .. 'session:' .. sid
if redis.call('EXISTS', key) == 0 then return 'gone' end
if ARGV[8] == '1' and redis.call('GET', prefix .. 'lease:' .. sid) ~= ARGV[9] then return 'fenced' end
if redis.call('HGET', key, 'version') ~= ARGV[3] then return 'stale' end
redis.call('HSET', key, 'updated_at', ARGV[5], 'record', ARGV[6], 'version', ARGV[4])
redis.call('ZADD', prefix .. 'updated', ARGV[5], sid)
local history, epochs = prefix .. 'history:' .. sid, prefix .. 'epochs:' .. sid
if ARGV[7] == '1' then redis.call('DEL', history, epochs) end
local n = tonumber(ARGV[10])
for i = 11, 10 + n, CHUNK do
  local last = math.min(i + CHUNK - 1, 10 + n)
  redis.call('HDEL', history, unpack(ARGV, i, last))
  redis.call('ZREM', epochs, unpack(ARGV, i, last))
end
add_rows(prefix, sid, 11 + n)
return 'ok'
"""
DELETE = DROP + "return drop(ARGV[1], ARGV[2])"
# ARGV: prefix, milliseconds, ids... A worker's word that it holds these sessions for that long
# (renewed while it does); words run out by themselves when a worker dies.
HOLD = NOW + """
local held, now = ARGV[1] .. 'held', now_ms()
redis.call('ZREMRANGEBYSCORE', held, '-inf', now - 1)
for i = 3, #ARGV do redis.call('ZADD', held, now + tonumber(ARGV[2]), ARGV[i]) end
return #ARGV - 2
"""
# ARGV: prefix, idle_before, n, spare[n]. Deletes the sessions changed before idle_before.
EXPIRE = DROP + SPARE + """
local prefix = ARGV[1]
local spare = spare_set(4, tonumber(ARGV[3]))
local gone = {}
for _, sid in ipairs(redis.call('ZRANGEBYSCORE', prefix .. 'updated', '-inf', '(' .. ARGV[2])) do
  if not spare[sid] then drop(prefix, sid); gone[#gone + 1] = sid end
end
return gone
"""
# KEYS: epochs, history. The rows in epoch order, read in one atomic step.
HISTORY = CHUNK + """
local epochs, rows = redis.call('ZRANGE', KEYS[1], 0, -1), {}
for i = 1, #epochs, CHUNK do
  for _, row in ipairs(redis.call('HMGET', KEYS[2], unpack(epochs, i, math.min(i + CHUNK - 1, #epochs)))) do
    rows[#rows + 1] = row
  end
end
return rows
"""


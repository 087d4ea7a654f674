/**
 * The Lua scripts the Redis store runs (through EVALSHA: ioredis sends a
 * script's text again by itself when a restarted Redis has forgotten it).
 * Each runs atomically, so two mamori processes on one Redis never lose an
 * update between a read and a write.
 *
 * Time is the caller's clock when the store was given one (ARGV[1]), else
 * Redis's own (TIME), so every process sharing the Redis reads one clock.
 * Entries hold their own expiry ("count expiry", ms since the epoch) and
 * are read as absent past it; Redis's own expiry (PEXPIRE, set when an entry
 * is made, never extended) is that lifetime plus a grace, and only frees the
 * memory.
 */

/** The preamble every script shares: `now`, `grace`, `P` (the key prefix), and get/put of an entry. */
/** The arguments every script starts from: the time (or Redis's own), the grace on expiries, the key prefix. */
const PREAMBLE = `local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
now = math.floor(now)
local grace = tonumber(ARGV[2])
local P = ARGV[3]
local MAX = 4294967295
`;

/** Lua shared by both scripts: clamping, and adding to a counter through the script's own `get` and `put`. */
const COUNTER_ADD = `local function clamp(n)
  if n < 0 then return 0 end
  if n > MAX then return MAX end
  return n
end

-- Adds by to a counter (made with ttl when absent or expired); the new count.
local function add(key, by, ttl)
  local n, e = get(key)
  if n then
    n = clamp(n + by)
    put(key, n, e, false)
    return n
  end
  n = clamp(by)
  put(key, n, now + ttl, true)
  return n
end
`;

const COMMON = `
${PREAMBLE}
-- The count and expiry of a live entry, or nil.
local function get(key)
  local v = redis.call('GET', key)
  if not v then return nil end
  local n, e = string.match(v, '^(%d+) (%d+)$')
  e = tonumber(e)
  if not e or e <= now then return nil end
  return tonumber(n), e
end

-- Writes an entry; a fresh one gets Redis's expiry, an existing one keeps its own.
local function put(key, n, e, fresh)
  local v = tostring(n) .. ' ' .. tostring(e)
  if fresh then
    redis.call('SET', key, v, 'PX', math.max(1, e - now + grace))
  else
    redis.call('SET', key, v, 'KEEPTTL')
  end
end

${COUNTER_ADD}`;

/** Lua: `mask(hex, len)`, the hex of an address with all but its first len bits cleared (both batch scripts). */
const MASK = `local HEX = '0123456789abcdef'
local function mask(hex, len)
  local full = math.floor(len / 4)
  local s = string.sub(hex, 1, full)
  local r = len % 4
  if r > 0 then
    local v = tonumber(string.sub(hex, full + 1, full + 1), 16)
    v = v - v % (2 ^ (4 - r))
    s = s .. string.sub(HEX, v + 1, v + 1)
  end
  return s .. string.rep('0', #hex - #s)
end
`;

/**
 * Lua: `match(ip, ver, hex, user, device, country)`, the JSON of the decisions that apply to a
 * subject (both batch scripts; each defines `call`, redis.call, and `clock()`, the time now).
 */
const MATCH = `${MASK}-- Whether any decision is held, and the range lengths in use: read once, by the first look-up.
local none, lens
local function match(ip, ver, hex, user, device, country)
  if none == nil then none = call('EXISTS', P .. 'd') == 0 end
  if none then return {} end
  local idx = {}
  if ip ~= '' then
    idx[#idx + 1] = P .. 'di:ip:' .. ip
    if not lens then lens = call('HGETALL', P .. 'dl') end
    for i = 1, #lens, 2 do
      local v, len = string.match(lens[i], '^(%d):(%d+)$')
      if v == ver then idx[#idx + 1] = P .. 'di:r' .. v .. ':' .. len .. ':' .. mask(hex, tonumber(len)) end
    end
  end
  if user ~= '' then idx[#idx + 1] = P .. 'di:user:' .. user end
  if device ~= '' then idx[#idx + 1] = P .. 'di:device:' .. device end
  if country ~= '' then idx[#idx + 1] = P .. 'di:country:' .. country end
  local found = {}
  if #idx == 0 then return found end
  for _, id in ipairs(call('SUNION', unpack(idx))) do
    local exp = tonumber(call('ZSCORE', P .. 'dx', id))
    if exp and exp > clock() then
      local j = call('HGET', P .. 'd', id)
      if j then found[#found + 1] = j end
    end
  end
  return found
end
`;

/**
 * One batch of counter operations, in order. KEYS: the keys the operations
 * name, in order; ARGV[4..]: the operations, each a code and its arguments:
 *   i by ttl           add to a counter (1 key)           -> the new count
 *   r                  read a counter (1 key)             -> the count, 0 when absent
 *   x                  delete a counter (1 key)           -> 0
 *   a ttl              add a member, one hold (set key, marker key) -> the set's count
 *   d ttl heldAt       give back one hold (set key, marker key)     -> the set's count
 *   c ttl              claim a key once (1 key)           -> 1 the first time, else 0
 *   m ip ver hex user device country   the decisions that apply (no key) -> their JSON
 *   e max json         append an event, keep the newest max (no key) -> 0
 * A set's count is a counter under the set's key; each member has a marker
 * whose count is its holds (see Store.addDistinct).
 *
 * Few commands however long the batch (each redis.call costs Redis more than
 * the Lua around it): every key is read by one MGET (a chunk of keys at a
 * time) before the first operation, the operations then work on a table, and
 * each key written is written once, after the last one (a counter every
 * attempt in the batch adds to is one SET, not one per attempt), and not at
 * all when it ends as it began (a take-back and the next attempt's count in
 * one call). The events go by one LPUSH (and an LTRIM once the list is longer
 * than kept); the decision look-ups read the range lengths once, and ask
 * every index a subject has in one SUNION (none at all while the store holds
 * no decision). The script runs atomically, so nothing can tell this from
 * running the operations one by one.
 */
export const BATCH = `
${PREAMBLE}local CHUNK = 1000

-- What each key held when the call began (false: nothing), from MGET.
local raw = {}
for i = 1, #KEYS, CHUNK do
  local part = {}
  for j = i, math.min(i + CHUNK - 1, #KEYS) do part[#part + 1] = KEYS[j] end
  local vals = redis.call('MGET', unpack(part))
  for j = 1, #part do raw[part[j]] = vals[j] end
end

-- The entries as this call has them: live[key] true (count cn[key], expiry ce[key]) or false (absent).
local live, cn, ce = {}, {}, {}
-- Keys to write back, in the order first written; made: keys (re)made by this call, which get Redis's expiry.
local order, dirty, made = {}, {}, {}

-- The count and expiry of a live entry, or nil.
local function get(key)
  local l = live[key]
  if l == nil then
    l = false
    local v = raw[key]
    if v == nil then v = redis.call('GET', key) end
    if v then
      local n, e = string.match(v, '^(%d+) (%d+)$')
      e = tonumber(e)
      if e and e > now then
        l = true
        cn[key], ce[key] = tonumber(n), e
      end
    end
    live[key] = l
  end
  if l then return cn[key], ce[key] end
  return nil
end

local function touch(key)
  if not dirty[key] then
    dirty[key] = true
    order[#order + 1] = key
  end
end

-- Writes an entry; a fresh one gets Redis's expiry, an existing one keeps its own.
local function put(key, n, e, fresh)
  live[key], cn[key], ce[key] = true, n, e
  if fresh then made[key] = true end
  touch(key)
end

local function del(key)
  live[key] = false
  made[key] = nil
  touch(key)
end

${COUNTER_ADD}
local call = redis.call
local function clock() return now end
${MATCH}
local out = {}
local events, keep = {}, nil
local a = 4
local k = 1
while a <= #ARGV do
  local op = ARGV[a]
  if op == 'i' then
    out[#out + 1] = add(KEYS[k], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]))
    k = k + 1
    a = a + 3
  elseif op == 'r' then
    out[#out + 1] = get(KEYS[k]) or 0
    k = k + 1
    a = a + 1
  elseif op == 'x' then
    del(KEYS[k])
    out[#out + 1] = 0
    k = k + 1
    a = a + 1
  elseif op == 'a' then
    local ttl = tonumber(ARGV[a + 1])
    local set, marker = KEYS[k], KEYS[k + 1]
    local h, e = get(marker)
    if h then
      put(marker, clamp(h + 1), e, false)
      out[#out + 1] = get(set) or 0
    else
      put(marker, 1, now + ttl, true)
      out[#out + 1] = add(set, 1, ttl)
    end
    k = k + 2
    a = a + 2
  elseif op == 'd' then
    local ttl = tonumber(ARGV[a + 1])
    local heldAt = tonumber(ARGV[a + 2])
    local set, marker = KEYS[k], KEYS[k + 1]
    local h, e = get(marker)
    -- A marker made after the hold was taken (it expired and came back) is somebody else's.
    if h and heldAt and e - ttl > heldAt then h = nil end
    if h and h > 1 then
      put(marker, h - 1, e, false)
    elseif h then
      del(marker)
      local n, se = get(set)
      if n then put(set, clamp(n - 1), se, false) end
    end
    out[#out + 1] = get(set) or 0
    k = k + 2
    a = a + 3
  elseif op == 'c' then
    if get(KEYS[k]) then
      out[#out + 1] = 0
    else
      put(KEYS[k], 1, now + tonumber(ARGV[a + 1]), true)
      out[#out + 1] = 1
    end
    k = k + 1
    a = a + 2
  elseif op == 'e' then
    events[#events + 1] = ARGV[a + 2]
    keep = tonumber(ARGV[a + 1])
    out[#out + 1] = 0
    a = a + 3
  elseif op == 'm' then
    out[#out + 1] = match(ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5], ARGV[a + 6])
    a = a + 7
  else
    return redis.error_reply('mamori: unknown batch operation ' .. tostring(op))
  end
end

-- Each key written, once: its last state, unless that is what it held (its Redis expiry too:
-- an entry's is always its own plus the grace).
for _, key in ipairs(order) do
  if not live[key] then
    if raw[key] ~= false then redis.call('DEL', key) end
  else
    local v = cn[key] .. ' ' .. ce[key]
    if v ~= raw[key] then
      if made[key] then
        redis.call('SET', key, v, 'PX', math.max(1, ce[key] - now + grace))
      else
        redis.call('SET', key, v, 'KEEPTTL')
      end
    end
  end
end
-- The list is cut only when it has grown past what is kept.
local held = 0
for i = 1, #events, CHUNK do
  local part = {}
  for j = i, math.min(i + CHUNK - 1, #events) do part[#part + 1] = events[j] end
  held = redis.call('LPUSH', P .. 'ev', unpack(part))
end
if keep and held > keep then redis.call('LTRIM', P .. 'ev', 0, keep - 1) end
return out
`;

/**
 * The batch script of a store that reads Redis's clock (no caller clock given): the operations
 * of BATCH on a layout Redis serves with less Lua. An entry is its count as a plain integer, and
 * its lifetime is Redis's own expiry (SET ... PX when it is made, kept by every later write), so
 * an expired entry is simply gone: nothing is parsed, and no time is read except where an expiry
 * is compared (a hold given back with heldAt: PTTL of its marker and TIME once; the decisions'
 * expiries). Keys live under names of their own (see RedisStore's KINDS), so an older mamori
 * sharing the Redis never reads an integer as its "count expiry" text, nor this one the other's.
 *
 * KEYS: each key the batch names, once. ARGV[1]: the prefix; ARGV[2]: the operations, one letter
 * each (as BATCH's codes); ARGV[3]: the keys each operation names, in order, each as its position
 * in KEYS in three base-64 digits (characters '0' + 0..63, most significant first); ARGV[4]: 't'
 * to read an older mamori's text entries where this layout has none, else ''; ARGV[5..]: the
 * operations' other arguments, in order (i: by ttl; a: ttl; d: ttl heldAt; c: ttl; e: max json;
 * m: ip ver hex user device country). The answers are BATCH's.
 *
 * As BATCH: every key is read by one MGET first, the operations then work on arrays indexed by
 * the keys' positions (no function call per operation), and each key is written once at the end
 * (a SET with its lifetime when this call made it, else SET ... KEEPTTL, or DEL), and not at all
 * when it ends as it began. A key's lifetime is passed to SET as the text it came in.
 */
export const BATCH_NATIVE = `
local call, tonumber, byte, fmt = redis.call, tonumber, string.byte, string.format
local P, OPS, IX = ARGV[1], ARGV[2], ARGV[3]
local MAX = 4294967295
-- A count as the text a command is given: Lua's own number to text (%.14g) is several times
-- dearer than this for the small counts most keys hold.
local DIG = {'1', '2', '3', '4', '5', '6', '7', '8', '9'}
local function str(n)
  if n == 0 then return '0' end
  return DIG[n] or fmt('%d', n)
end
local now
local function clock()
  if not now then
    local t = call('TIME')
    now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  end
  return now
end

-- was[j]: what KEYS[j] held when the call began (a count, or false); cn[j]: what it holds now.
local was, cn, made = {}, {}, {}
local nk = #KEYS
for i = 1, nk, 1000 do
  local last = math.min(i + 999, nk)
  local vals = call('MGET', unpack(KEYS, i, last))
  for j = i, last do
    local v = vals[j - i + 1]
    if v then v = tonumber(v) or false end
    was[j] = v
    cn[j] = v
  end
end

-- With ARGV[4] 't' (RedisStore's readTextEntries): a counter, marker or claim absent here takes
-- the count of an older mamori's live text entry of the same hash ("count expiry", on Redis's
-- clock too), and keeps its expiry (at[j], ms): written here with PXAT once the call ends. A
-- key deleted here (a reset, a last hold given back) is deleted under its old name too (gone[j]),
-- or the next call would take the old count over again.
local at, gone = {}, {}
local TEXT = ARGV[4] == 't'
if TEXT then
  local miss, names = {}, {}
  local np = #P
  for j = 1, nk do
    if not was[j] then
      local key = KEYS[j]
      local kind = string.sub(key, np + 1, np + 3)
      if kind == 'nc:' or kind == 'nm:' or kind == 'nk:' then
        miss[#miss + 1] = j
        names[#names + 1] = P .. string.sub(key, np + 2)
      end
    end
  end
  for i = 1, #miss, 1000 do
    local last = math.min(i + 999, #miss)
    local vals = call('MGET', unpack(names, i, last))
    for q = i, last do
      local v = vals[q - i + 1]
      if v then
        local n, e = string.match(v, '^(%d+) (%d+)$')
        e = tonumber(e)
        if e and e > clock() then
          cn[miss[q]] = tonumber(n)
          at[miss[q]] = e
        end
      end
    end
  end
end

${MATCH}
local out, events, keep = {}, {}, nil
local a, p = 5, 1
for o = 1, #OPS do
  local op = byte(OPS, o)
  if op == 105 then -- i: key, by, ttl
    local h, m2, l = byte(IX, p, p + 2)
    local j = (h - 48) * 4096 + (m2 - 48) * 64 + l - 47
    p = p + 3
    local n, by = cn[j], ARGV[a]
    -- (the usual amounts compared as text: no conversion)
    if by == '1' then by = 1 elseif by == '-1' then by = -1 else by = tonumber(by) end
    if n then
      n = n + by
    else
      n = by
      made[j] = ARGV[a + 1]
    end
    if n < 0 then n = 0 elseif n > MAX then n = MAX end
    cn[j] = n
    out[o] = n
    a = a + 2
  elseif op == 114 then -- r: key
    local h, m2, l = byte(IX, p, p + 2)
    out[o] = cn[(h - 48) * 4096 + (m2 - 48) * 64 + l - 47] or 0
    p = p + 3
  elseif op == 120 then -- x: key
    local h, m2, l = byte(IX, p, p + 2)
    local j = (h - 48) * 4096 + (m2 - 48) * 64 + l - 47
    p = p + 3
    cn[j] = false
    made[j] = nil
    at[j] = nil
    gone[j] = TEXT
    out[o] = 0
  elseif op == 97 then -- a: set, marker, ttl
    local h, m2, l, h2, m3, l2 = byte(IX, p, p + 5)
    local s, m = (h - 48) * 4096 + (m2 - 48) * 64 + l - 47, (h2 - 48) * 4096 + (m3 - 48) * 64 + l2 - 47
    p = p + 6
    local held = cn[m]
    if held then
      if held < MAX then cn[m] = held + 1 end
      out[o] = cn[s] or 0
    else
      cn[m] = 1
      made[m] = ARGV[a]
      local n = cn[s]
      if n then
        if n < MAX then n = n + 1 end
      else
        n = 1
        made[s] = ARGV[a]
      end
      cn[s] = n
      out[o] = n
    end
    a = a + 1
  elseif op == 100 then -- d: set, marker, ttl, heldAt
    local h, m2, l, h2, m3, l2 = byte(IX, p, p + 5)
    local s, m = (h - 48) * 4096 + (m2 - 48) * 64 + l - 47, (h2 - 48) * 4096 + (m3 - 48) * 64 + l2 - 47
    p = p + 6
    local held = cn[m]
    local heldAt = tonumber(ARGV[a + 1])
    -- A marker made after the hold was taken (it expired and came back) is somebody else's.
    if held and heldAt then
      local life = tonumber(made[m]) or (at[m] and at[m] - clock()) or call('PTTL', KEYS[m])
      if life >= 0 and clock() + life - tonumber(ARGV[a]) > heldAt then held = false end
    end
    if held and held > 1 then
      cn[m] = held - 1
    elseif held then
      cn[m] = false
      made[m] = nil
      at[m] = nil
      gone[m] = TEXT
      local n = cn[s]
      if n and n > 0 then cn[s] = n - 1 end
    end
    out[o] = cn[s] or 0
    a = a + 2
  elseif op == 99 then -- c: key, ttl
    local h, m2, l = byte(IX, p, p + 2)
    local j = (h - 48) * 4096 + (m2 - 48) * 64 + l - 47
    p = p + 3
    if cn[j] then
      out[o] = 0
    else
      cn[j] = 1
      made[j] = ARGV[a]
      out[o] = 1
    end
    a = a + 1
  elseif op == 101 then -- e: max, json
    events[#events + 1] = ARGV[a + 1]
    keep = tonumber(ARGV[a])
    out[o] = 0
    a = a + 2
  elseif op == 109 then -- m: ip, version, hex, user, device, country
    out[o] = match(ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5])
    a = a + 6
  else
    return redis.error_reply('mamori: unknown batch operation ' .. string.char(op))
  end
end

-- Each key written once, its last state, unless it is what it held; the keys deleted, by one DEL.
-- A key that was there and stays is changed by INCRBY (which keeps its lifetime, as SET ...
-- KEEPTTL would, and answers a number where SET's OK costs the script a table): this call's
-- net change, exact since the script read it and runs alone.
local dels = {}
for j = 1, nk do
  local v = cn[j]
  local ttl = made[j]
  if ttl then
    call('SET', KEYS[j], str(v), 'PX', ttl)
  elseif at[j] then
    call('SET', KEYS[j], str(v), 'PXAT', fmt('%d', at[j]))
  elseif v ~= was[j] then
    if v then
      local d = v - was[j]
      call('INCRBY', KEYS[j], d == 1 and '1' or d == -1 and '-1' or fmt('%d', d))
    else
      dels[#dels + 1] = KEYS[j]
    end
  end
  if gone[j] then dels[#dels + 1] = P .. string.sub(KEYS[j], #P + 2) end
end
for i = 1, #dels, 1000 do call('DEL', unpack(dels, i, math.min(i + 999, #dels))) end
local held = 0
for i = 1, #events, 1000 do
  held = call('LPUSH', P .. 'ev', unpack(events, i, math.min(i + 999, #events)))
end
if keep and held > keep then call('LTRIM', P .. 'ev', 0, keep - 1) end
return out
`;

/**
 * Adds a decision. ARGV[4..]: id, JSON, expiresAt, its index key (after the
 * prefix), its range's "version:prefix" ('' for other scopes). Returns how
 * many decisions the store holds.
 */
export const DECISION_ADD = `${COMMON}
local id, json, exp, idx, len = ARGV[4], ARGV[5], tonumber(ARGV[6]), ARGV[7], ARGV[8]
redis.call('HSET', P .. 'd', id, json)
redis.call('HSET', P .. 'dk', id, idx .. '|' .. len)
redis.call('ZADD', P .. 'dx', exp, id)
redis.call('ZADD', P .. 'dn', redis.call('INCR', P .. 'dseq'), id)
redis.call('SADD', P .. idx, id)
if len ~= '' then redis.call('HINCRBY', P .. 'dl', len, 1) end
return redis.call('HLEN', P .. 'd')
`;

/** Deletes decisions by id (ARGV[4..]); returns how many there were. */
export const DECISION_DELETE = `${COMMON}
local n = 0
for i = 4, #ARGV do
  local id = ARGV[i]
  local where = redis.call('HGET', P .. 'dk', id)
  if where then
    local idx, len = string.match(where, '^(.*)|([%d:]*)$')
    redis.call('SREM', P .. idx, id)
    if len ~= '' and redis.call('HINCRBY', P .. 'dl', len, -1) <= 0 then redis.call('HDEL', P .. 'dl', len) end
    redis.call('HDEL', P .. 'd', id)
    redis.call('HDEL', P .. 'dk', id)
    redis.call('ZREM', P .. 'dx', id)
    redis.call('ZREM', P .. 'dn', id)
    n = n + 1
  end
end
return n
`;

/** Every decision's JSON, the last added first (no key). */
export const DECISION_LIST = `${COMMON}
local out = {}
for _, id in ipairs(redis.call('ZREVRANGE', P .. 'dn', 0, -1)) do
  local j = redis.call('HGET', P .. 'd', id)
  if j then out[#out + 1] = j end
end
return out
`;

/** The ids of decisions expired by now (at most ARGV[4] of them). */
export const DECISION_EXPIRED = `${COMMON}
return redis.call('ZRANGEBYSCORE', P .. 'dx', '-inf', now, 'LIMIT', 0, tonumber(ARGV[4]))
`;

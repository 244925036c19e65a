/**
 * The Lua scripts of the store and how they are called. Internal.
 *
 * Each script touches exactly one key, so every one of them runs on a Cluster without hash
 * tags. They read the stored value with one anchored pattern over its numeric head (see
 * `record-codec.ts`) and never decode the application data. Return codes are integers, so
 * they read the same under RESP2 and RESP3.
 *
 * A key holding another type (a hash, a list) is reported as corrupt (-1); any other Redis
 * error, for example OOM, is passed through as an error so the caller answers 503.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { CommandOps } from './redis-ops.js';

/** A script and its SHA1, for `EVALSHA`. */
export interface LuaScript {
  readonly source: string;
  readonly sha1: string;
}

function script(body: string): LuaScript {
  const source = body.trim();
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}

// Loads KEYS[1]; `WRONGTYPE` becomes "corrupt", any other error aborts the script.
const LOAD = `
local v = redis.pcall('GET', KEYS[1])
if type(v) == 'table' then
  if string.find(v.err or '', 'WRONGTYPE', 1, true) then return -1 end
  return v
end`;

/**
 * Extends a live record: ARGV = lastSeenAt, expiresAt, now. Never creates, never shortens,
 * never passes absoluteExpiresAt. Returns 1 touched, 0 absent or expired at now, -1 corrupt.
 */
export const TOUCH = script(`${LOAD}
if not v then return 0 end
local ver, seen, exp, abs, rest = string.match(v, '^%[1,(%d+),([^,]+),([^,]+),([^,]+),(.*)$')
local nSeen, nExp, nAbs = tonumber(seen), tonumber(exp), tonumber(abs)
if not ver or not nSeen or not nExp or not nAbs then return -1 end
if nExp <= tonumber(ARGV[3]) then return 0 end
local newSeen, newExp = seen, exp
if tonumber(ARGV[1]) > nSeen then newSeen = ARGV[1] end
local cap, nCap = ARGV[2], tonumber(ARGV[2])
if nCap > nAbs then cap, nCap = abs, nAbs end
if nCap > nExp then newExp = cap end
if newSeen == seen and newExp == exp then return 1 end
redis.call('SET', KEYS[1], '[1,' .. ver .. ',' .. newSeen .. ',' .. newExp .. ',' .. abs .. ',' .. rest,
  'PXAT', string.format('%.0f', math.ceil(tonumber(newExp))))
return 1`);

/**
 * Compare-and-set: ARGV = value, expectedVersion, now, pxat, owner (JSON userId or ''),
 * absoluteExpiresAt, indexed ('0'/'1'). Returns 1 ok, 0 missing (absent or expired at now),
 * 2 conflict, 3 "index the new owner first" (nothing written), -1 corrupt. Never creates.
 */
export const UPDATE = script(`${LOAD}
if not v then return 0 end
local ver, exp, abs, tail = string.match(v, '^%[1,(%d+),[^,]+,([^,]+),([^,]+),[^,]+,[^,]+,[^,]+,(.*)$')
local nExp, nAbs = tonumber(exp), tonumber(abs)
if not ver or not nExp or not nAbs then return -1 end
if nExp <= tonumber(ARGV[3]) then return 0 end
if ver ~= ARGV[2] then return 2 end
if ARGV[7] == '0' and ARGV[5] ~= '' then
  local owner = ARGV[5] .. ','
  if string.sub(tail, 1, #owner) ~= owner or tonumber(ARGV[6]) > nAbs then return 3 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[4])
return 1`);

/**
 * Runs after `SET NX` failed: ARGV = value, pxat, clock. Writes only if the existing record
 * is already expired at the new record's clock (Redis may keep it until its real-time TTL).
 * Returns 1 written, 0 a live record exists, -1 the key holds something unreadable.
 */
export const CREATE_OVER_EXPIRED = script(`${LOAD}
if v then
  local exp = tonumber(string.match(v, '^%[1,%d+,[^,]+,([^,]+),') or '')
  if not exp then return -1 end
  if exp > tonumber(ARGV[3]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
return 1`);

/**
 * Deletes the record if ARGV[1] (JSON userId) owns it. Returns 1 deleted, 0 absent,
 * 2 owned by someone else (kept), -1 corrupt (deleted).
 */
export const DELETE_OWNED = script(`
local v = redis.pcall('GET', KEYS[1])
if type(v) == 'table' then
  if not string.find(v.err or '', 'WRONGTYPE', 1, true) then return v end
  redis.call('DEL', KEYS[1])
  return -1
end
if not v then return 0 end
local tail = string.match(v, '^%[1,%d+,[^,]+,[^,]+,[^,]+,[^,]+,[^,]+,[^,]+,(.*)$')
if not tail then
  redis.call('DEL', KEYS[1])
  return -1
end
local owner = ARGV[1] .. ','
if string.sub(tail, 1, #owner) == owner then
  redis.call('DEL', KEYS[1])
  return 1
end
return 2`);

/**
 * Deletes the record if it is expired at ARGV[1]. Returns 1 deleted, 0 otherwise (absent,
 * live, or not a record: those are left to `get`, which reports them).
 */
export const DELETE_EXPIRED = script(`
local v = redis.pcall('GET', KEYS[1])
if type(v) == 'table' or not v then return 0 end
local exp = tonumber(string.match(v, '^%[1,%d+,[^,]+,([^,]+),') or '')
if exp and exp <= tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`);

/**
 * Adds ARGV[2] (session id) to a user index with score ARGV[1] (the time of this write, ms),
 * never lowering a score, and makes the index key live at least until ARGV[3] (the session's
 * absolute expiry). A key of another type is replaced. Returns 0, or 1 when a corrupt key
 * was replaced.
 */
export const INDEX_ADD = script(`
local corrupt = 0
local r = redis.pcall('ZADD', KEYS[1], 'GT', ARGV[1], ARGV[2])
if type(r) == 'table' and r.err then
  if not string.find(r.err, 'WRONGTYPE', 1, true) then return r end
  redis.call('DEL', KEYS[1])
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
  corrupt = 1
end
local pttl = redis.call('PTTL', KEYS[1])
if pttl >= 0 then
  local t = redis.call('TIME')
  local expires = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + pttl
  if expires >= tonumber(ARGV[3]) then return corrupt end
end
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
return corrupt`);

/**
 * Removes the members ARGV[2..] from a user index, but only those whose score (the time
 * they were last indexed) is still <= ARGV[1]. A writer that re-indexed a member after the
 * caller decided to remove it has raised its score, so its entry survives. Returns the count.
 */
export const INDEX_PRUNE = script(`
local removed = 0
local cutoff = tonumber(ARGV[1])
for i = 2, #ARGV do
  local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if score and tonumber(score) <= cutoff then removed = removed + redis.call('ZREM', KEYS[1], ARGV[i]) end
end
return removed`);

/**
 * Takes the per-user session-cap lock (`cap-lock.ts`): ARGV = token, ttl (ms). Returns 1
 * taken, 0 held by someone else, -1 taken over a key without expiry (every lock has one, so
 * that key is not a lock: a value written by hand or another program).
 */
export const LOCK = script(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('PTTL', KEYS[1]) ~= -1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return -1`);

/** Releases the lock if it still holds ARGV[1] (this holder's token). Returns 1 released, 0 not. */
export const UNLOCK = script(`
local v = redis.pcall('GET', KEYS[1])
if v == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`);

// The expiry at the head of a history entry (`[expiresAt,...`).
const ENTRY_EXPIRY = `local function expiry(e) return tonumber(string.match(e, '^%[(%d+),') or '') end`;

/**
 * Appends history entries to one list (a session's or a user's), newest at the head:
 * ARGV = cap, now, pxat, entries.... Keeps the `cap` newest, drops expired ones from the
 * tail, and makes the key live at least until `pxat` (the newest entry's expiry). A key of
 * another type is replaced. Returns 0.
 */
export const HISTORY_APPEND = script(`${ENTRY_EXPIRY}
local kind = redis.call('TYPE', KEYS[1])
if kind.ok ~= 'list' and kind.ok ~= 'none' then redis.call('DEL', KEYS[1]) end
for i = 4, #ARGV do redis.call('LPUSH', KEYS[1], ARGV[i]) end
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[1]) - 1)
local now = tonumber(ARGV[2])
while true do
  local last = redis.call('LINDEX', KEYS[1], -1)
  if not last then break end
  local exp = expiry(last)
  if exp and exp > now then break end
  redis.call('RPOP', KEYS[1])
end
local pttl = redis.call('PTTL', KEYS[1])
if pttl >= 0 then
  local t = redis.call('TIME')
  local expires = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + pttl
  if expires >= tonumber(ARGV[3]) then return 0 end
end
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
return 0`);

/**
 * Removes the entries of one history list that are expired at ARGV[1] (or unreadable).
 * A key of another type is left alone. Returns how many went.
 */
export const HISTORY_PRUNE = script(`${ENTRY_EXPIRY}
local items = redis.pcall('LRANGE', KEYS[1], 0, -1)
if items.err then return 0 end
local removed = 0
for _, e in ipairs(items) do
  local exp = expiry(e)
  if not exp or exp <= tonumber(ARGV[1]) then removed = removed + redis.call('LREM', KEYS[1], 1, e) end
end
return removed`);

/**
 * Runs a script by SHA1, falling back to `EVAL` (which also caches it) when the server does
 * not know it: after a restart, a `SCRIPT FLUSH`, or a Cluster failover to a fresh node.
 */
export async function runScript(client: CommandOps, lua: LuaScript, key: string, args: string[]): Promise<unknown> {
  try {
    return await client.evalSha(lua.sha1, key, args);
  } catch (error) {
    // node-redis and ioredis both reject with the server's reply text.
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return client.eval(lua.source, key, args);
  }
}

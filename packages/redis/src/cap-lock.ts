/**
 * The per-user lock behind `createCapped` (`maxSessionsPerUser`). Internal.
 *
 * Why a lock and not one script: counting a user's live sessions needs their records, and
 * the records live in other Cluster slots than the user index (see `user-index.ts`), so no
 * script can read them and write the new one in one step. Every `createCapped` of a user
 * instead runs its count, evictions and create while holding `<prefix>cap:<userId>`:
 * `SET key token NX PX ttl`, waited for with jittered backoff, and released by a
 * compare-and-delete script. Both touch one key, so it works on a Cluster as on one server.
 * (An optimistic check on the index key alone cannot replace it: the record a writer is about
 * to create is in another slot, so nothing can stop a late writer once it has passed the check.)
 *
 * Guarantees: while a holder runs, no other `createCapped` of the user, on any instance
 * sharing the Redis and prefix, gets past `acquire`. Waiting is bounded by the lock's ttl
 * (`LOCK_TTL_FACTOR` x `opTimeoutMs`, 5 s by default): a holder that died leaves its key to
 * expire within that time, so the user's next login waits for it and then goes ahead; a
 * login that waited that long behind live holders (a flood) fails with `SessionStoreError`
 * (503), never over the cap. The holder runs as one store call, so it writes only before its
 * deadline (`opTimeoutMs`, far below the ttl): a holder that was slow getting there gives up
 * instead of writing late.
 *
 * Limit: a holder paused (a long GC pause, a stopped VM or container) for about the ttl
 * between that deadline check and its writes has lost the lock without knowing it; its writes
 * may then race the next holder's and leave the user over the cap until a later login evicts
 * the excess. Likewise a failover may promote a replica that never received the lock key.
 * Nothing can fence such a late writer: its writes go to record keys in other slots, which no
 * script can check against the lock.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CorruptRecordError, SessionStoreError } from 'coatcheck/errors';
import type { CommandOps } from './redis-ops.js';
import type { CorruptSink } from './op-guard.js';
import { LOCK, UNLOCK, runScript } from './scripts.js';

/** How long a lock lives, in multiples of `opTimeoutMs`; see the module comment. */
export const LOCK_TTL_FACTOR = 5;

// Backoff between attempts: doubling from FIRST_MS to MAX_MS, each drawn in [d/2, d] so
// waiters that collided do not collide again.
const FIRST_MS = 1;
const MAX_MS = 25;

/** Runs one step against Redis under the store's deadline and bulkhead (`guard.run`). */
export type GuardedRun = <T>(body: (found: CorruptSink) => Promise<T>) => Promise<T>;

/** Where and how long a lock is taken. */
export interface CapLockOptions {
  /** The lock key (`keys.capLock(userId)`). */
  readonly key: string;
  /** Lifetime of the lock in Redis, in ms; also how long a call waits for it at most. */
  readonly ttlMs: number;
}

async function tryLock(client: CommandOps, options: CapLockOptions, token: string, found: CorruptSink): Promise<boolean> {
  const code = Number(await runScript(client, LOCK, options.key, [token, String(options.ttlMs)]));
  if (code === -1) found.push({ key: options.key, error: new CorruptRecordError('session-cap lock', 'held a key without expiry; it was replaced') });
  return code !== 0;
}

const release = (client: CommandOps, key: string, token: string): Promise<unknown> => runScript(client, UNLOCK, key, [token]).catch(() => {});

// Waiting is sleeping, not a call to Redis: only each attempt is a guarded call, so waiters
// hold no `maxInFlight` slot and the holder's own call gets its whole `opTimeoutMs`.
async function acquire(client: CommandOps, run: GuardedRun, options: CapLockOptions, token: string): Promise<void> {
  const started = Date.now();
  const waitUntil = started + options.ttlMs;
  for (let attempt = 0; ; attempt++) {
    try {
      if (await run((found) => tryLock(client, options, token, found))) return;
    } catch (error) {
      // An attempt that timed out may still land: let it go again rather than block the user.
      void release(client, options.key, token);
      throw error;
    }
    const ceiling = Math.min(MAX_MS, FIRST_MS * 2 ** attempt);
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    if (Date.now() + delay > waitUntil) {
      throw new SessionStoreError(
        'redis',
        `Redis createCapped failed: the user's session-cap lock was held by other logins for ${Date.now() - started} ms (a lock expires on its own ${options.ttlMs} ms after it was taken)`,
      );
    }
    await sleep(delay);
  }
}

/**
 * Waits for the lock (at most its ttl), then runs `body` in one guarded call and releases the
 * lock when `body` settles (only if it is still this call's; a failed release is ignored, the
 * key expires). Throws `SessionStoreError` when the wait is over.
 */
export async function withCapLock<T>(client: CommandOps, run: GuardedRun, options: CapLockOptions, body: (found: CorruptSink) => Promise<T>): Promise<T> {
  const token = randomBytes(16).toString('base64url');
  await acquire(client, run, options, token);
  // Released from the body's own promise, so also when the guard gave up on it first.
  const held = async (found: CorruptSink): Promise<T> => {
    try {
      return await body(found);
    } finally {
      await release(client, options.key, token);
    }
  };
  let ran = false;
  return run((found) => {
    ran = true;
    return held(found);
  }).catch((error: unknown) => {
    // Refused before it ran (the store closed, `maxInFlight`): the lock is not needed any more.
    if (!ran) void release(client, options.key, token);
    throw error;
  });
}

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
 * sharing the Redis and prefix, gets past `acquire`. A holder that dies leaves the key to
 * expire after `ttl`; until then that user's logins fail with `SessionStoreError` (503) once
 * the wait bound is reached, never over the cap. A holder writes only before its call's
 * deadline (`opTimeoutMs`), which is far below `ttl`: a call that was slow getting there gives
 * up instead of writing late.
 *
 * Limit: a process paused (a GC pause, a stopped VM) longer than `ttl` between that deadline
 * check and its write loses the lock without knowing it, and its write may then race another
 * holder's and leave the user one session over the cap until their next login. Likewise a
 * Sentinel failover may lose a lock key the replica had not received. The lock cannot fence
 * such a writer: its writes go to record keys in other slots, which no script can check
 * against the lock.
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

/** Where and how long a lock is taken. */
export interface CapLockOptions {
  /** The lock key (`keys.capLock(userId)`). */
  readonly key: string;
  /** Lifetime of the lock in Redis, in ms. */
  readonly ttlMs: number;
  /** Stop waiting at this time (local clock, ms); then the call fails with `SessionStoreError`. */
  readonly waitUntil: number;
}

async function acquire(client: CommandOps, options: CapLockOptions, token: string, found: CorruptSink): Promise<void> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const code = Number(await runScript(client, LOCK, options.key, [token, String(options.ttlMs)]));
    if (code === 1) return;
    if (code === -1) {
      found.push({ key: options.key, error: new CorruptRecordError('session-cap lock', 'held a key without expiry; it was replaced') });
      return;
    }
    const ceiling = Math.min(MAX_MS, FIRST_MS * 2 ** attempt);
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    if (Date.now() + delay > options.waitUntil) {
      throw new SessionStoreError(
        'redis',
        `Redis createCapped failed: the user's session-cap lock was held by another login for ${Date.now() - started} ms (it expires on its own if its holder died)`,
      );
    }
    await sleep(delay);
  }
}

/**
 * Runs `body` holding the lock, then releases it (only if it is still this call's). A failed
 * release is ignored: the key expires after `ttlMs`.
 */
export async function withCapLock<T>(client: CommandOps, options: CapLockOptions, found: CorruptSink, body: () => Promise<T>): Promise<T> {
  const token = randomBytes(16).toString('base64url');
  await acquire(client, options, token, found);
  try {
    return await body();
  } finally {
    await runScript(client, UNLOCK, options.key, [token]).catch(() => {});
  }
}

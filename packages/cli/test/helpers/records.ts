// Session records written straight into a store, shaped as the manager writes them, so the
// CLI's view of them can be checked field by field.
import { randomBytes } from 'node:crypto';
import type { SessionRecord, SessionStore } from 'coatcheck/store-kit';

const HOUR = 3_600_000;

/** A record; `age` (ms since creation) and `ttl` (ms until idle expiry) set its times. */
function makeRecord(
  init: { userId?: string | null; persistent?: boolean; age?: number; ttl?: number; userAgent?: string; data?: Record<string, unknown> } = {},
): SessionRecord {
  const now = Date.now();
  const createdAt = now - (init.age ?? 0);
  return {
    id: randomBytes(18).toString('base64url'),
    secretHash: randomBytes(32).toString('base64url'),
    userId: init.userId ?? null,
    data: init.data ?? { theme: 'dark' },
    version: 1,
    createdAt,
    lastSeenAt: now,
    expiresAt: now + (init.ttl ?? HOUR),
    absoluteExpiresAt: Math.max(now + (init.ttl ?? HOUR), createdAt + 30 * 24 * HOUR),
    persistent: init.persistent ?? false,
    authenticatedAt: init.userId ? createdAt : null,
    device: { userAgent: init.userAgent ?? 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0', ip: '203.0.113.7' },
  };
}

/** The fixed population every store test seeds: 2 users, anonymous visitors, one expired record. */
export async function seed(store: SessionStore): Promise<{ alice: SessionRecord[]; bob: SessionRecord[]; anonymous: SessionRecord[] }> {
  const alice = [
    makeRecord({ userId: 'alice', persistent: true, age: 2 * 24 * HOUR }),
    makeRecord({ userId: 'alice', age: 10 * 60_000, userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/604.1' }),
    makeRecord({ userId: 'alice', age: 3 * HOUR }),
  ];
  const bob = [makeRecord({ userId: 'bob', persistent: true, age: 40 * 24 * HOUR })];
  const anonymous = [makeRecord({ age: 60_000 }), makeRecord({ age: 2 * HOUR })];
  for (const record of [...alice, ...bob, ...anonymous]) if (!(await store.create(record))) throw new Error('seed: create failed');
  return { alice, bob, anonymous };
}

/** An anonymous record that expired a minute ago (only SQL stores keep it until a prune). */
export function expiredRecord(): SessionRecord {
  const record = makeRecord({ age: 2 * HOUR });
  return { ...record, lastSeenAt: Date.now() - 2 * HOUR, expiresAt: Date.now() - 60_000 };
}

// LC-21, AB-08 on Postgres: the cap holds under 20 parallel logins to one account spread over
// two instances, each with its own store, its own Postgres bus and the local cache on (as
// docs/postgres.md sets them up). Evicted sessions stop loading on both instances (the bus
// drops them from the caches) and are recorded; refused logins change nothing.
import { describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { createSessionManager, type SessionManager, type SessionLimitOptions } from 'coatcheck';
import { checkCapEvicts, checkCapRejects } from '@coatcheck/testkit/session-cap';
import { postgresStore } from '@coatcheck/postgres';
import { DATABASE_URL, onCleanup, unique, useAdmin, useTable } from './helpers/database.js';
import { openBus } from './helpers/bus.js';

const admin = useAdmin();
const table = useTable(admin, 'cc_cap');
const secrets = [randomBytes(32).toString('base64url')];
const MAX = 3;

/** Two instances on one table and one bus channel. */
async function instances(policy: SessionLimitOptions['policy']): Promise<SessionManager[]> {
  const channel = unique('cc_cap_bus');
  const managers: SessionManager[] = [];
  for (let i = 0; i < 2; i++) {
    const store = postgresStore({ connectionString: DATABASE_URL, tableName: table, pruneIntervalMs: 0, opTimeoutMs: 10_000 });
    const bus = await openBus({ pool: store.pool, channel });
    const manager = createSessionManager({ store, bus, cache: true, secrets, production: true, maxSessionsPerUser: { max: MAX, policy } });
    onCleanup(async () => {
      await manager.close();
      await store.close();
    });
    managers.push(manager);
  }
  return managers;
}

describe('LC-21 AB-08 the session cap across two instances on Postgres', () => {
  it('LC-21 AB-08 evictOldest: 20 parallel logins over two instances leave 3 sessions; the evicted stop loading on both', { timeout: 60_000 }, async () => {
    await checkCapEvicts({ managers: await instances('evictOldest'), max: MAX });
  });

  it('LC-21 AB-08 reject: of 20 parallel logins over two instances, 3 succeed and 17 are refused with nothing changed', { timeout: 60_000 }, async () => {
    await checkCapRejects({ managers: await instances('reject'), max: MAX });
  });
});

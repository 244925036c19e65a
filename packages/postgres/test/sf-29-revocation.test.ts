// SF-29 end to end: two app instances share the Postgres table and talk over the Postgres
// bus, each with the local record cache on. A logout on instance A reaches instance B's cache
// through LISTEN/NOTIFY: B stops honouring the cookie, though its cache entry would
// otherwise live for a minute.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionStore } from 'coatcheck/store-kit';
import { postgresStore } from '@coatcheck/postgres';
import { DATABASE_URL, onCleanup, unique, useAdmin, useTable, waitFor } from './helpers/database.js';
import { openBus } from './helpers/bus.js';
import { buildApp, HTTPS, login } from './helpers/http.js';

const admin = useAdmin();
const table = useTable(admin, 'cc_sf29');

/** The store, with a count of `get` calls (every call still goes to Postgres). */
function countingGets(store: SessionStore): SessionStore & { gets: number } {
  const counted = Object.create(store) as SessionStore & { gets: number };
  counted.gets = 0;
  counted.get = (id, now) => {
    counted.gets++;
    return store.get(id, now);
  };
  return counted;
}

async function instance(channel: string) {
  const store = postgresStore({ connectionString: DATABASE_URL, tableName: table, pruneIntervalMs: 0 });
  const bus = await openBus({ pool: store.pool, channel });
  const counted = countingGets(store);
  const app = await buildApp(counted, { bus, cache: { ttlMs: 60_000 } });
  onCleanup(async () => {
    await app.close();
    await store.close();
  });
  return { app, store: counted };
}

describe('SF-29 revocation across instances over the Postgres bus', () => {
  it("SF-29 a logout on instance A is honoured by instance B's cache", { timeout: 30_000 }, async () => {
    const channel = unique('cc_sf29_bus');
    const a = await instance(channel);
    const b = await instance(channel);
    const cookie = await login(a.app);
    const me = async () => (await b.app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie } })).json().userId;

    // Positive control: B ends up serving the session from its cache (once the bus messages
    // of A's login, which invalidate it, have arrived), so only the bus can tell it later.
    await waitFor('B to serve from its cache', async () => {
      const gets = b.store.gets;
      assert.equal(await me(), 'alice');
      return b.store.gets === gets;
    });

    const logout = await a.app.inject({ method: 'POST', url: '/logout', headers: { ...HTTPS, cookie } });
    assert.equal(logout.statusCode, 200);
    await waitFor('B to drop the revoked session', async () => (await me()) === null);
  });
});

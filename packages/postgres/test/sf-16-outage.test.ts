// SF-16 / SF-06: Postgres "down" and back, without touching the shared server: the store
// connects through the testkit TCP proxy. Disabled proxy = server gone (connections reset,
// new ones refused); paused proxy = hung server (nothing answers). Calls and requests fail
// closed within the deadline (asserted by outcome; the test cap is only a failure cap), the
// process stays up, the cookie is never touched, and everything recovers by itself.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildRecord } from '@coatcheck/conformance';
import { postgresStore, type PostgresStore } from '@coatcheck/postgres';
import { startTcpProxy, type TcpProxy } from '@coatcheck/testkit/tcp-proxy';
import { DATABASE_URL, onCleanup, unique, urlVia, useAdmin, useTable, waitFor } from './helpers/database.js';
import { assertStoreError, settle } from './helpers/errors.js';
import { assertOutage, assertStillAlice, buildApp, HTTPS, login } from './helpers/http.js';

const admin = useAdmin();
const table = useTable(admin, 'cc_sf16');
const target = new URL(DATABASE_URL);
let proxy: TcpProxy;

before(async () => {
  proxy = await startTcpProxy({ target: { host: target.hostname, port: Number(target.port || 5432) } });
  onCleanup(() => proxy.close());
});

const CAP = { timeout: 60_000 };

function openStore(): PostgresStore {
  const url = urlVia('127.0.0.1', proxy.port, { application_name: unique('cc_sf16_app') });
  const store = postgresStore({ connectionString: url, maxConnections: 4, tableName: table, pruneIntervalMs: 0, opTimeoutMs: 500 });
  onCleanup(() => store.close());
  return store;
}

/** A mix of reads and writes, all expected to fail closed while the server is away. */
async function assertCallsFailClosed(store: PostgresStore, id: string, now: number): Promise<void> {
  const { values, errors } = await settle<unknown>([
    store.get(id, now),
    store.touch(id, now + 1, now + 60_000, now),
    store.create(buildRecord({ now })),
    store.createCapped(buildRecord({ now, userId: 'nobody' }), { max: 1, evict: 'oldest', replaces: null }, now),
    store.listByUser('nobody', now),
    store.prune(now),
    store.ping(),
    ...Array.from({ length: 8 }, () => store.get(id, now)), // more calls than connections
  ]);
  assert.deepStrictEqual(values, []);
  for (const error of errors) assertStoreError(error);
}

/** Recovery by itself: keep calling until a call succeeds (the cap is a failure cap). */
async function assertRecovers(store: PostgresStore, id: string, now: number): Promise<void> {
  await waitFor(
    'the store to recover',
    async () =>
      store.ping().then(
        () => true,
        () => false,
      ),
    20_000,
  );
  assert.equal((await store.get(id, now))?.id, id, 'the session survived the outage');
}

describe('SF-16 Postgres down and back (through a TCP proxy)', () => {
  it('SF-16 server gone (proxy disabled): calls reject with ERR_SESSION_STORE_UNAVAILABLE, then recover by themselves', CAP, async () => {
    const store = openStore();
    const now = Date.now();
    const record = buildRecord({ now });
    await store.create(record); // pool warm: the outage kills live connections as well
    await proxy.disable();
    try {
      await assertCallsFailClosed(store, record.id, now);
    } finally {
      await proxy.enable();
    }
    await assertRecovers(store, record.id, now);
  });

  it('SF-16 hung server (proxy paused): calls reject within the deadline instead of hanging, then recover', CAP, async () => {
    const store = openStore();
    const now = Date.now();
    const record = buildRecord({ now });
    await store.create(record);
    proxy.pause();
    try {
      await assertCallsFailClosed(store, record.id, now);
    } finally {
      proxy.resume();
    }
    await assertRecovers(store, record.id, now);
  });

  for (const outage of ['disabled', 'paused'] as const) {
    it(`SF-16 SF-06 over HTTP, proxy ${outage}: 503 with the code and no Set-Cookie, process alive; afterwards 200 with the same cookie`, CAP, async () => {
      const store = openStore();
      const app = await buildApp(store);
      onCleanup(() => app.close());
      const cookie = await login(app);

      if (outage === 'disabled') await proxy.disable();
      else proxy.pause();
      try {
        const responses = await Promise.all([
          app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie } }),
          app.inject({ method: 'POST', url: '/cart', headers: { ...HTTPS, cookie } }),
          app.inject({ method: 'POST', url: '/login', headers: { ...HTTPS, cookie } }),
        ]);
        for (const res of responses) assertOutage(res);
        // Public routes that never touch the store keep working (SF-07).
        assert.equal((await app.inject({ method: 'GET', url: '/me', headers: HTTPS })).statusCode, 200);
      } finally {
        if (outage === 'disabled') await proxy.enable();
        else proxy.resume();
      }
      await waitFor(
        'the store to recover',
        async () =>
          store.ping().then(
            () => true,
            () => false,
          ),
        20_000,
      );
      await assertStillAlice(app, cookie);
      const cart = await app.inject({ method: 'POST', url: '/cart', headers: { ...HTTPS, cookie } });
      assert.equal(cart.statusCode, 200);
    });
  }
});

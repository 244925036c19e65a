// The migration guide's app, taken from docs/migrating-from-express-session.md itself:
// started as two instances on a private Redis that a real express-session + connect-redis app
// filled. Five parallel first requests with one old
// cookie, spread over both instances, become one coatcheck session; the 7-day login stays
// persistent; the anonymous cart is kept; the retirement commands of the guide find the
// old keys gone.
// Its type-check (strict, nodenext, skipLibCheck false) is the consumer test's, against the
// packed tarballs as a user installs them (scripts/consumer), not repeated here.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readSnippet, startDocApp, writeDocApp, type DocApp, type RunningDocApp } from '@coatcheck/testkit/doc-apps';
import { useRedisServer } from './fixtures/redis-server.js';
import { connectClient } from './fixtures/clients.js';
import { OLD_SECRET, oldSessionId, startOldApp } from './fixtures/old-express-session.js';

const GUIDE = 'docs/migrating-from-express-session.md';
const redis = await useRedisServer(['--maxmemory-policy', 'noeviction']);
const client = await connectClient(redis.url);
const old = await startOldApp(client, 'sess:');

describe("docs/migrating-from-express-session.md: the guide's app", () => {
  let app: DocApp;
  const instances: RunningDocApp[] = [];

  before(async () => {
    app = writeDocApp({ 'server.ts': readSnippet(GUIDE, 'migration-guide/server.ts') });
    const env = { PORT: '0', REDIS_URL: redis.url, SESSION_SECRET: 'migration-guide-test-secret-1a7c3e9b5d', OLD_SESSION_SECRET: OLD_SECRET };
    instances.push(await startDocApp(app, 'server.ts', env), await startDocApp(app, 'server.ts', env));
  });

  after(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    app?.remove();
  });

  async function getCart(url: string, cookie: string) {
    const res = await fetch(`${url}/cart`, { headers: { cookie } });
    assert.equal(res.status, 200);
    const fresh = res.headers.getSetCookie().find((line) => !line.startsWith('connect.sid='));
    return { body: (await res.json()) as { cart: string[]; user: string | null; persistent: boolean }, pair: fresh?.split(';')[0], fresh };
  }

  it('five parallel first requests on two instances: one session, still persistent, cart kept', async () => {
    const cookie = await old.create({ userId: 'alice', cart: ['apple'], remember: true });
    const urls = [0, 1, 0, 1, 0].map((i) => instances[i]!.url);
    const results = await Promise.all(urls.map((url) => getCart(url, cookie)));
    const pairs = new Set(results.map((r) => r.pair));
    assert.equal(pairs.size, 1, `one new cookie, got ${[...pairs].join(', ')}`);
    for (const { body, fresh } of results) {
      assert.deepEqual(body, { cart: ['apple'], user: 'alice', persistent: true });
      assert.match(String(fresh), /Max-Age=\d+/);
    }
    const pair = [...pairs][0] as string;
    const url = instances[1]!.url;
    const origin = url.replace('127.0.0.1', 'localhost');
    const added = await fetch(`${origin}/cart/add`, {
      method: 'POST',
      headers: { cookie: pair, origin, 'content-type': 'application/json' },
      body: JSON.stringify({ item_id: 'pear' }),
    });
    assert.deepEqual(await added.json(), { cart: ['apple', 'pear'] });
    const devices = (await (await fetch(`${origin}/devices`, { headers: { cookie: pair } })).json()) as { current: boolean }[];
    assert.equal(devices.length, 1, 'one device, not five');
    assert.equal(await client.exists(`sess:${oldSessionId(cookie)}`), 0);
  });

  it('an anonymous cart is kept', async () => {
    const cookie = await old.create({ cart: ['fig'] });
    const { body } = await getCart(instances[0]!.url, cookie);
    assert.deepEqual(body, { cart: ['fig'], user: null, persistent: false });
  });

  it("the guide's drain check counts what is left under sess:*", async () => {
    const untouched = await old.create({ userId: 'bob' });
    assert.equal((await redis.cli('--scan', '--pattern', 'sess:*')).trim(), `sess:${oldSessionId(untouched)}`, 'only the session nobody used since');
    await getCart(instances[0]!.url, untouched);
    assert.equal((await redis.cli('--scan', '--pattern', 'sess:*')).trim(), '', 'drained');
  });
});

// An operator ends a user's sessions from a shell with `coatcheck revoke`, a process of its
// own: the browser on the running shop is logged out by the push alone. The shop keeps its
// sessions in Redis under a prefix of this test's own with the Redis bus, as `REDIS_URL`
// configures it; the command opens the same store and announces the revocation on the same
// bus, and the shop's hub closes the page's socket.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createClient } from 'redis';
import { waitFor } from '@coatcheck/testkit/wait-for';
import { connectRedis, createRedisClientOptions, ensureErrorListener, redisBus, redisStore } from '@coatcheck/redis';
import { launchBrowser, liveSocketReady, logIn, newDevicePage, registerUser, screenshot, startShop, TEST_TIMEOUT_MS } from './browser-helpers.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CLI_BIN = fileURLToPath(new URL('../../../../packages/cli/src/bin.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Runs the real `coatcheck` bin as an operator would (the sources through tsx, no build). */
function coatcheck(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=source', '--import', TSX, CLI_BIN, ...args],
      { env: { ...process.env, NODE_OPTIONS: '' }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr }),
    );
  });
}

/** The shop's session store and bus in Redis under a fresh prefix, closed after the file. */
async function redisSessions() {
  const prefix = `browser-cli-${randomBytes(4).toString('hex')}:`;
  const client = createClient(createRedisClientOptions({ url: REDIS_URL }));
  ensureErrorListener(client, 'cli-revoke test');
  await connectRedis(client);
  const store = redisStore({ client, prefix });
  const bus = redisBus({ client, prefix });
  after(async () => {
    await bus.close();
    await store.close();
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*` })) if (keys.length > 0) await client.del(keys);
    await client.close();
  });
  // A new bus is 'down' until its subscription is confirmed: a revocation before that is missed.
  for (let i = 0; i < 500 && bus.state !== 'up'; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(bus.state, 'up', 'the shop bus never subscribed');
  return { prefix, store, bus };
}

describe('browser: `coatcheck revoke` from a shell', { timeout: TEST_TIMEOUT_MS }, () => {
  it('WS-05 logs the browser out of the running shop by closing its socket, with no request from the page', async () => {
    const { prefix, store, bus } = await redisSessions();
    const shop = await startShop({ sessionBackend: { store, bus } });
    const browser = await launchBrowser();
    const userId = await registerUser(shop, 'erin');
    const page = await newDevicePage(browser);
    await page.goto(shop.url);
    const ready = liveSocketReady(page);
    await logIn(page, 'erin');
    const socket = await ready;
    assert.equal(socket.isClosed(), false);
    const [session] = await store.listByUser(userId, Date.now());
    assert.ok(session, 'the login is in Redis under the prefix');

    // From here on the page has nothing to ask: whatever it learns comes over the socket. A
    // request it sent before the notice arrived would mean it found out some other way.
    let pushed = false;
    const asked: string[] = [];
    page.on('request', (request) => {
      if (!pushed) asked.push(`${request.method()} ${request.url()}`);
    });
    let notice: string | null = null;
    socket.on('framereceived', ({ payload }) => {
      if (typeof payload === 'string' && payload.includes('"type":"session-ended"')) {
        pushed = true;
        notice = payload;
      }
    });
    // Playwright's default bound (10 s) runs from here, and starting the command can take
    // longer than that on a loaded machine: a hang guard as long as the test's instead.
    const closed = socket.waitForEvent('close', { timeout: TEST_TIMEOUT_MS });
    const result = await coatcheck(['revoke', '--user', userId, '--store', REDIS_URL, '--prefix', prefix, '--json']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { revoked: [session.id], announced: true, bus: 'redis pub/sub', warnings: [] });

    // A hang guard, not a timing bound: without the push the socket would stay open for good.
    assert.deepEqual(JSON.parse(await waitFor("the session-ended notice on the page's socket", () => notice)), { type: 'session-ended', reason: 'revoke-all' });
    await closed;
    assert.deepEqual(asked, [], 'the page asked the server before the push reached it');
    await page.getByRole('alert').getByText('You were signed out on this device').waitFor();
    await page.getByTestId('who').getByText('Browsing anonymously').waitFor();
    await screenshot(page, 'cli-revoke-signed-out');

    // The server agrees: the browser's cookie is dead, and the record is gone from Redis.
    const profile = await page.context().request.get(`${shop.url}/profile`);
    assert.equal(profile.status(), 401);
    assert.equal(await store.get(session.id, Date.now()), null);
    assert.deepEqual(await store.listByUser(userId, Date.now()), []);
  });
});

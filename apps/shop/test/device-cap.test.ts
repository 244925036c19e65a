// The cap on devices per account (MAX_DEVICES, MAX_DEVICES_POLICY) through the shop's HTTP
// API: a sign-in beyond it signs out the oldest device, which the Devices page then explains,
// or is refused with 409 and changes nothing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSessionManager, type SessionManager } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';
import { readConfig } from '../src/config.js';
import { listEvictions } from '../src/devices/evictions.js';
import { createBrowser, createShop, loggedIn, PASSWORD, ticketId, type Browser } from './helpers.js';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1';
const CHROME = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const DAY = 86_400_000;

interface Devices {
  sessions: Array<{ id: string; label: string; current: boolean }>;
  evictions: Array<{ at: number; id: string; label: string; signIn: { label: string; userAgent: string | null; ip: string | null } }>;
}

/** The shop with the cap the environment sets; sessions that outlive the 7 days the page looks back. */
async function cappedShop(env: Record<string, string>) {
  return createShop({
    app: {
      deviceCap: readConfig(env, '/tmp').deviceCap,
      lifetimes: { idleTimeout: 8 * 86_400, absoluteTimeout: 8 * 86_400 },
    },
  });
}

/** Logs `browser` in as `username` from `ip`. */
function logIn(browser: Browser, username: string, ip: string) {
  return browser.request({ method: 'POST', url: '/login', payload: { username, password: PASSWORD }, remoteAddress: ip });
}

describe('a cap on devices per account', () => {
  it('LC-21 MAX_DEVICES=2: a third sign-in signs out the first device, and the Devices page says which and why', async () => {
    const { app, clock } = await cappedShop({ MAX_DEVICES: '2' });
    const laptop = await loggedIn(app, 'alice', FIREFOX);
    const laptopId = ticketId(laptop.cookie as string);
    clock.advance(60_000);
    const phone = await loggedIn(app, 'alice', IPHONE);
    clock.advance(60_000);
    const desktop = createBrowser(app, CHROME);
    assert.equal((await logIn(desktop, 'alice', '203.0.113.7')).statusCode, 200);
    const evictedAt = clock.now();

    const gone = await laptop.get('/profile');
    assert.equal(gone.statusCode, 401, 'the oldest device is signed out');
    assert.equal(gone.json().error.code, 'ERR_NOT_AUTHENTICATED');
    assert.equal((await phone.get('/profile')).statusCode, 200);

    const res = await desktop.get('/sessions');
    assert.equal(res.statusCode, 200);
    const { sessions, evictions } = res.json() as Devices;
    assert.deepEqual(
      sessions.map((s) => [s.label, s.current]),
      [
        ['Safari on iOS', false],
        ['Chrome on macOS', true],
      ],
    );
    assert.deepEqual(evictions, [
      { at: evictedAt, id: laptopId, label: 'Firefox on Linux', signIn: { label: 'Chrome on macOS', userAgent: CHROME, ip: '203.0.113.7' } },
    ]);
    // The phone sees the same list; the signed-out device's own history says who ended it.
    assert.deepEqual((await phone.get('/sessions')).json().evictions, evictions);
    const history = (await phone.get(`/sessions/${laptopId}/history`)).json() as { history: Array<{ type: string; actor: string; reason: string }> };
    assert.deepEqual(
      history.history.map((e) => `${e.type}/${e.actor}/${e.reason}`),
      ['revoked/system/session-limit', 'created/user/login'],
    );

    // Recent means the last 7 days: the sessions live on, the eviction leaves the page.
    clock.advance(7 * DAY - 1);
    assert.equal((await desktop.get('/sessions')).json().evictions.length, 1);
    clock.advance(1);
    const later = (await desktop.get('/sessions')).json() as Devices;
    assert.equal(later.sessions.length, 2);
    assert.deepEqual(later.evictions, []);
  });

  it('LC-21 the Devices page lists the five newest evictions, each with its own device', async () => {
    const { app, clock } = await cappedShop({ MAX_DEVICES: '1', MAX_DEVICES_POLICY: 'oldest' });
    const agents = [FIREFOX, IPHONE, CHROME, FIREFOX, IPHONE, CHROME, FIREFOX];
    let last: Browser | null = null;
    for (const [n, agent] of agents.entries()) {
      // A minute apart: the throttles let one account sign in once a minute from one address.
      clock.advance(60_000);
      last = createBrowser(app, agent);
      const register = await last.post('/register', { username: 'bob', password: PASSWORD });
      assert.ok(register.statusCode === 201 || register.statusCode === 409);
      assert.equal((await logIn(last, 'bob', `198.51.100.${n + 1}`)).statusCode, 200);
    }
    const { sessions, evictions } = (await (last as Browser).get('/sessions')).json() as Devices;
    assert.deepEqual(
      sessions.map((s) => s.label),
      ['Firefox on Linux'],
    );
    // Six devices were signed out; the page shows the newest five, each by the sign-in after it.
    assert.deepEqual(
      evictions.map((e) => `${e.label} <- ${e.signIn.label} ${e.signIn.ip}`),
      [
        'Chrome on macOS <- Firefox on Linux 198.51.100.7',
        'Safari on iOS <- Chrome on macOS 198.51.100.6',
        'Firefox on Linux <- Safari on iOS 198.51.100.5',
        'Chrome on macOS <- Firefox on Linux 198.51.100.4',
        'Safari on iOS <- Chrome on macOS 198.51.100.3',
      ],
    );
  });

  it('LC-21 MAX_DEVICES_POLICY=reject: a third sign-in is refused with 409 ERR_SESSION_LIMIT_REACHED and both devices stay signed in', async () => {
    const { app, clock } = await cappedShop({ MAX_DEVICES: '2', MAX_DEVICES_POLICY: 'reject' });
    const laptop = await loggedIn(app, 'carol', FIREFOX);
    clock.advance(60_000);
    const phone = await loggedIn(app, 'carol', IPHONE);
    clock.advance(60_000);
    const desktop = createBrowser(app, CHROME);
    await desktop.post('/cart/add', { item_id: 1 });
    const visitor = desktop.cookie;

    const refused = await logIn(desktop, 'carol', '203.0.113.7');
    assert.equal(refused.statusCode, 409);
    assert.deepEqual(refused.json(), {
      error: { code: 'ERR_SESSION_LIMIT_REACHED', message: 'This account is signed in on the most devices allowed (2); sign out on one of them first.' },
    });
    assert.equal(refused.headers['set-cookie'], undefined, 'no new ticket');
    assert.equal(desktop.cookie, visitor, 'the visitor keeps their anonymous session');
    assert.equal((await desktop.get('/profile')).statusCode, 401);
    assert.equal((await desktop.get('/cart')).json().cart.length, 1, 'and their cart');
    for (const device of [laptop, phone]) assert.equal((await device.get('/profile')).statusCode, 200);
    const { sessions, evictions } = (await laptop.get('/sessions')).json() as Devices;
    assert.equal(sessions.length, 2);
    assert.deepEqual(evictions, []);

    // A browser's form post gets the login page again, with the reason.
    clock.advance(60_000);
    const form = await createBrowser(app, CHROME).request({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      payload: new URLSearchParams({ username: 'carol', password: PASSWORD }).toString(),
    });
    assert.equal(form.statusCode, 409);
    assert.match(String(form.headers['content-type']), /^text\/html/);
    assert.match(form.body, /<form method="post" action="\/login">/);
    assert.match(form.body, /signed in on the most devices allowed \(2\)/);
    assert.equal(form.headers['set-cookie'], undefined);
  });

  it('LC-21 an eviction behind a long history of the account is still found', async () => {
    let now = Date.UTC(2026, 0, 1);
    const store = memoryStore({ sweepIntervalMs: 0, quiet: true });
    const manager = createSessionManager({ store, secrets: ['device-cap-test-secret-0123456789abcdef'], now: () => now, maxSessionsPerUser: 1 });
    const first = await manager.load({ secure: true, userAgent: FIREFOX });
    await first.login('dora');
    const firstId = first.id;
    now += 1000;
    const second = await manager.load({ secure: true, userAgent: CHROME, ip: '203.0.113.7' });
    await second.login('dora');
    // Each renewal is an entry: the eviction ends up far behind the first page of the history.
    for (let i = 0; i < 150; i++) {
      now += 1000;
      await second.regenerate();
    }
    assert.ok((await manager.history({ userId: 'dora' }, { limit: 1000 })).length > 150);
    const evictions = await listEvictions(manager, 'dora', now);
    assert.deepEqual(
      evictions.map((e) => [e.id, e.label, e.signIn.label, e.signIn.ip]),
      [[firstId, 'Firefox on Linux', 'Chrome on macOS', '203.0.113.7']],
    );
    await manager.close();
  });
  // The account's history, read with each call counted by kind (user or session).
  const countingReads = (manager: SessionManager<any>) => {
    const reads: string[] = [];
    const counted: SessionManager<any> = {
      ...manager,
      history: (query, options) => {
        reads.push('userId' in query ? 'user' : 'session');
        return manager.history(query, options);
      },
    };
    return { counted, reads };
  };

  it('LC-21 evicted devices are labelled from the account history already read: one read for the page', async () => {
    let now = Date.UTC(2026, 0, 1);
    const manager = createSessionManager({
      store: memoryStore({ sweepIntervalMs: 0, quiet: true }),
      secrets: ['device-cap-test-secret-0123456789abcdef'],
      now: () => now,
      maxSessionsPerUser: 1,
    });
    const laptop = await manager.load({ secure: true, userAgent: FIREFOX });
    await laptop.login('erin');
    now += 1000;
    await (await manager.load({ secure: true, userAgent: CHROME, ip: '203.0.113.7' })).login('erin');
    const { counted, reads } = countingReads(manager);
    const evictions = await listEvictions(counted, 'erin', now);
    assert.deepEqual(
      evictions.map((e) => [e.id, e.label, e.signIn.label]),
      [[laptop.id, 'Firefox on Linux', 'Chrome on macOS']],
    );
    assert.deepEqual(reads, ['user']);
    await manager.close();
  });

  it('LC-21 a device whose beginning the account history no longer holds is labelled from its own history', async () => {
    let now = Date.UTC(2026, 0, 1);
    const manager = createSessionManager({
      store: memoryStore({ sweepIntervalMs: 0, quiet: true }),
      secrets: ['device-cap-test-secret-0123456789abcdef'],
      now: () => now,
      maxSessionsPerUser: 1,
      // The account keeps its 3 newest entries: the laptop's sign-in is trimmed off.
      history: { maxEntriesPerUser: 3 },
    });
    const laptop = await manager.load({ secure: true, userAgent: FIREFOX, ip: '198.51.100.1' });
    await laptop.login('finn');
    const [setCookie] = await laptop.commit();
    // The laptop moves between networks: an entry per move, none of them its beginning.
    for (const ip of ['198.51.100.2', '198.51.100.3', '198.51.100.4']) {
      now += 1000;
      const moved = await manager.load({ cookie: String(setCookie).split(';')[0], secure: true, userAgent: FIREFOX, ip });
      moved.set('network', ip);
      await moved.commit();
    }
    const laptopId = laptop.id;
    now += 1000;
    await (await manager.load({ secure: true, userAgent: CHROME, ip: '203.0.113.7' })).login('finn');
    const { counted, reads } = countingReads(manager);
    const evictions = await listEvictions(counted, 'finn', now);
    assert.deepEqual(
      evictions.map((e) => [e.id, e.label]),
      [[laptopId, 'Firefox on Linux']],
    );
    assert.deepEqual(reads, ['user', 'session']);
    await manager.close();
  });
});

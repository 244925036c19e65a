import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBrowser, createShop, loggedIn, ticketId } from './helpers.js';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1';

describe('my devices', () => {
  it('LC-18 lists my two logins with the current one flagged, and no usable credential', async () => {
    const { app } = await createShop();
    const laptop = await loggedIn(app, 'alice', FIREFOX);
    const phone = await loggedIn(app, 'alice', IPHONE);
    const res = await laptop.get('/sessions');
    assert.equal(res.statusCode, 200);
    const { sessions } = res.json() as { sessions: Array<{ id: string; current: boolean; label: string }> };
    assert.equal(sessions.length, 2);
    assert.deepEqual(sessions.map((s) => s.current).sort(), [false, true]);
    const current = sessions.find((s) => s.current);
    assert.equal(current?.id, ticketId(laptop.cookie as string));
    assert.equal(current?.label, 'Firefox on Linux');
    assert.equal(sessions.find((s) => !s.current)?.label, 'Safari on iOS');
    // The handle is the ticket's public id: the secret and signature never appear.
    for (const cookie of [laptop.cookie, phone.cookie]) {
      const [, value = ''] = (cookie as string).split('=');
      assert.ok(!res.body.includes(value.split('.')[1] as string));
    }
  });

  it("GET /sessions/:id/history shows a device's sign-in and who signed it out; never another user's", async () => {
    const { app } = await createShop();
    const laptop = await loggedIn(app, 'hana', FIREFOX);
    const phone = await loggedIn(app, 'hana', IPHONE);
    const phoneId = ticketId(phone.cookie as string);
    const before = await laptop.get(`/sessions/${phoneId}/history`);
    assert.equal(before.statusCode, 200);
    assert.deepEqual(
      (before.json() as { history: { type: string }[] }).history.map((e) => e.type),
      ['created'],
    );
    assert.equal((await laptop.delete(`/sessions/${phoneId}`)).statusCode, 204);
    const after = (await laptop.get(`/sessions/${phoneId}/history`)).json() as {
      history: { type: string; actor: string; reason: string; userAgent: string }[];
    };
    assert.deepEqual(
      after.history.map((e) => `${e.type}/${e.actor}/${e.reason}`),
      ['revoked/user/revoke', 'created/user/login'],
    );
    assert.equal(after.history[1]?.userAgent, IPHONE);
    const stranger = await loggedIn(app, 'ivan', FIREFOX);
    assert.equal((await stranger.get(`/sessions/${phoneId}/history`)).statusCode, 404);
    assert.equal((await stranger.get('/sessions/AAAAAAAAAAAAAAAAAAAAAAAA/history')).statusCode, 404);
  });

  it('DELETE /sessions/:id ends that device: its cookie gets 401, mine keeps working', async () => {
    const { app } = await createShop();
    const laptop = await loggedIn(app, 'bob', FIREFOX);
    const phone = await loggedIn(app, 'bob', IPHONE);
    const res = await laptop.delete(`/sessions/${ticketId(phone.cookie as string)}`);
    assert.equal(res.statusCode, 204);
    assert.equal(res.body, '');
    assert.equal((await phone.get('/profile')).statusCode, 401);
    assert.equal((await laptop.get('/profile')).statusCode, 200);
    assert.equal((await laptop.get('/sessions')).json().sessions.length, 1);
  });

  it('deleting my current session logs me out', async () => {
    const { app } = await createShop();
    const laptop = await loggedIn(app, 'carol');
    const res = await laptop.delete(`/sessions/${ticketId(laptop.cookie as string)}`);
    assert.equal(res.statusCode, 204);
    assert.equal(laptop.cookie, null, 'the response cleared the cookie');
  });

  it('LC-15 revoke-others ends every other device and keeps this one', async () => {
    const { app } = await createShop();
    const [a, b, c] = [await loggedIn(app, 'dave'), await loggedIn(app, 'dave'), await loggedIn(app, 'dave')];
    const other = await loggedIn(app, 'erin');
    const res = await a.post('/sessions/revoke-others');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { revoked: 2 });
    assert.equal((await b.get('/profile')).statusCode, 401);
    assert.equal((await c.get('/profile')).statusCode, 401);
    assert.equal((await a.get('/profile')).statusCode, 200);
    assert.equal((await other.get('/profile')).statusCode, 200, "another user's sessions are untouched");
    assert.deepEqual((await a.post('/sessions/revoke-others')).json(), { revoked: 0 });
  });

  it("LC-19 another user's session id is 404 and that session lives on", async () => {
    const { app } = await createShop();
    const mallory = await loggedIn(app, 'mallory');
    const victim = await loggedIn(app, 'victim');
    const res = await mallory.delete(`/sessions/${ticketId(victim.cookie as string)}`);
    assert.equal(res.statusCode, 404);
    assert.deepEqual(res.json(), { error: { code: 'ERR_SESSION_NOT_FOUND', message: 'You have no session with that id.' } });
    assert.equal((await victim.get('/profile')).statusCode, 200);
  });

  it('device routes need a login: 401 for anonymous visitors, even with a real id', async () => {
    const { app } = await createShop();
    const owner = await loggedIn(app, 'frank');
    const anonymous = createBrowser(app);
    await anonymous.post('/cart/add', { item_id: 1 });
    for (const [method, url] of [
      ['GET', '/sessions'],
      ['DELETE', `/sessions/${ticketId(owner.cookie as string)}`],
      ['POST', '/sessions/revoke-others'],
    ] as const) {
      const res = await anonymous.request({ method, url });
      assert.equal(res.statusCode, 401, `${method} ${url}`);
      assert.equal(res.json().error.code, 'ERR_NOT_AUTHENTICATED');
    }
    assert.equal((await owner.get('/profile')).statusCode, 200);
  });

  it('BI-09 non-ticket ids in DELETE /sessions/:id are a 4xx with the stable shape, never 5xx', async () => {
    const { app } = await createShop();
    const browser = await loggedIn(app, 'grace');
    const ids = [
      'x',
      '*',
      '%00',
      'abc%00def',
      '%5B%5D',
      '%7B%7D',
      "'%20OR%201=1--",
      '..%2F..%2Fetc',
      '%E2%98%83'.repeat(8),
      '%E0%A4%A',
      '%',
      'A'.repeat(23),
      'A'.repeat(25),
      'A'.repeat(100),
      'A'.repeat(1024),
      '[object Object]',
      'undefined',
    ];
    for (const id of ids) {
      const res = await browser.request({ method: 'DELETE', url: `/sessions/${id}` });
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${id.slice(0, 30)}: ${res.statusCode} ${res.body}`);
      assert.ok(!res.body.includes(id.slice(0, 30)), 'the id is not echoed back');
      const body = res.json();
      assert.ok(typeof body.error?.code === 'string' || Array.isArray(body.detail), `${id.slice(0, 30)}: ${res.body}`);
    }
    assert.equal((await browser.get('/profile')).statusCode, 200, 'none of these ended my session');
  });

  it('BI-09 ids come from the path only: a query-string id is ignored by the unsafe routes', async () => {
    const { app } = await createShop();
    const mine = await loggedIn(app, 'heidi', FIREFOX);
    const myPhone = await loggedIn(app, 'heidi', IPHONE);
    const phoneId = ticketId(myPhone.cookie as string);
    const wrongPath = await mine.delete(`/sessions/not-a-session?id=${phoneId}&id=${phoneId}`);
    assert.equal(wrongPath.statusCode, 404);
    const noPath = await mine.request({ method: 'DELETE', url: `/sessions/?id=${phoneId}` });
    assert.ok(noPath.statusCode >= 400 && noPath.statusCode < 500);
    await mine.request({ method: 'POST', url: `/logout?id=${phoneId}` });
    assert.equal((await myPhone.get('/profile')).statusCode, 200, 'the phone session was never touched');
  });
});

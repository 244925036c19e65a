// Requests an attacker shapes around the ticket: the ticket offered anywhere but the cookie
// (CK-11), with control characters around or inside it (BI-19), guessed by the thousand
// (AB-06), and session data written to break out of a header (BI-16). Each is decided before
// the store, or never reaches a header at all; the store calls are counted, not timed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createHttpPolicy, fetchRequest, isAnswer, type HttpHeaders, type HttpTransaction } from 'coatcheck/adapter';
import { memoryStore } from '../src/store/memory-store.js';
import { HTTPS, login, setup, type Data } from './helpers/manager-setup.js';

const quietStore = () => memoryStore({ sweepIntervalMs: 0, quiet: true });
const TICKET_COOKIE = /^__Host-sid=[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax$/;
const CLEARING_COOKIE = /^__Host-sid=; Path=\/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax$/;

/** The ticket string of a `__Host-sid=<ticket>` pair. */
const ticketOf = (cookie: string): string => cookie.slice(cookie.indexOf('=') + 1);
const b64 = (bytes: number): string => randomBytes(bytes).toString('base64url');

/** Starts a transaction on the policy; fails the test when the policy answers instead. */
async function begin(policy: ReturnType<typeof createHttpPolicy<Data>>, request: Request): Promise<HttpTransaction<Data>> {
  const tx = await policy.begin(fetchRequest(request));
  if (isAnswer(tx)) throw new Error(`the policy answered ${tx.status} ${tx.body}`);
  return tx;
}

/** Ends a transaction; fails the test when the commit answers instead of giving headers. */
async function end(tx: HttpTransaction<Data>): Promise<HttpHeaders> {
  const headers = await tx.end();
  if (isAnswer(headers)) throw new Error(`the commit answered ${headers.status} ${headers.body}`);
  return headers;
}

describe('the ticket is read from the cookie only', () => {
  it('CK-11 a valid ticket in the query string, a form field, X-Session-Id, Authorization or another cookie name is no session, and costs no store call', async () => {
    const { manager, take } = setup(quietStore());
    const policy = createHttpPolicy<Data>({ manager });
    const { cookie } = await login(manager);
    const ticket = ticketOf(cookie);
    take();
    const form = { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' };
    const elsewhere = [
      new Request(`https://shop.test/profile?sid=${ticket}`),
      new Request(`https://shop.test/profile?session=${ticket}&__Host-sid=${ticket}`),
      new Request('https://shop.test/profile', { headers: { 'x-session-id': ticket } }),
      new Request('https://shop.test/profile', { headers: { authorization: `Bearer ${ticket}` } }),
      new Request('https://shop.test/profile', { headers: { cookie: `sid=${ticket}; session=${ticket}; __Secure-sid=${ticket}` } }),
      new Request('https://shop.test/cart', { method: 'POST', headers: form, body: `sid=${ticket}&__Host-sid=${ticket}` }),
    ];
    for (const request of elsewhere) {
      const tx = await begin(policy, request);
      assert.equal(tx.session.status, 'none', request.url);
      assert.equal(tx.session.userId, null);
      assert.deepEqual(await end(tx), await end(await begin(policy, new Request('https://shop.test/profile'))), 'the same answer as no credential at all');
    }
    assert.deepEqual(take(), [], 'not one store call');
    const tx = await begin(policy, new Request('https://shop.test/profile', { headers: { cookie } }));
    assert.equal(tx.session.userId, 'alice', 'the same ticket in the cookie is the session');
  });
});

describe('control characters in the cookie', () => {
  it('BI-19 NUL, %00 and other control characters around or inside a valid ticket are refused before the store, never matched by truncation', async () => {
    const { manager, take } = setup(quietStore());
    const { cookie } = await login(manager);
    const ticket = ticketOf(cookie);
    const middle = 40;
    const hostile = [
      `${ticket}\0garbage`,
      `${ticket}\0`,
      `\0${ticket}`,
      `${ticket}%00`,
      `${ticket}%00garbage`,
      `${ticket.slice(0, -1)}\0`,
      `${ticket.slice(0, middle)}\0${ticket.slice(middle + 1)}`,
      `${ticket.slice(0, middle)}\0${ticket.slice(middle)}`,
      `${ticket}\r\n`,
      `${ticket}\r\nX-Injected: 1`,
      `${ticket}\x0b`,
      `${ticket}\x0c`,
      `${ticket}\x1b`,
      `${ticket}\x7f`,
      `${ticket}%0d%0a`,
      `${ticket}\u0085`,
      `${ticket}\u200b`,
    ];
    take();
    for (const value of hostile) {
      const session = await manager.load({ ...HTTPS, cookie: `__Host-sid=${value}` });
      assert.equal(session.status, 'invalid', JSON.stringify(value));
      assert.equal(session.userId, null);
      assert.match((await session.commit())[0] as string, CLEARING_COOKIE, 'the browser is told to drop the bad value');
    }
    // A NUL in the name is another name; control characters in other cookies leave ours readable.
    assert.equal((await manager.load({ ...HTTPS, cookie: `__Host-sid\0=${ticket}` })).status, 'none');
    assert.deepEqual(take(), [], 'none of them reached the store');
    const beside = await manager.load({ ...HTTPS, cookie: `a=\0\x01\x7f; __Host-sid=${ticket}; b=%00` });
    assert.equal(beside.userId, 'alice');
    assert.deepEqual(take(), ['get:ok']);
  });
});

describe('guessing tickets', () => {
  it('AB-06 1 000 random well-formed tickets, and 1 000 guesses at the secret of a known id, cost no store call and end no session', async () => {
    const { manager, take } = setup(quietStore());
    const { id, cookie } = await login(manager);
    take();
    const guesses = [
      ...Array.from({ length: 1000 }, () => `${b64(18)}.${b64(32)}.${b64(32)}`),
      // The id is public (the device list shows it); without the signing key it buys nothing.
      ...Array.from({ length: 1000 }, () => `${id}.${b64(32)}.${b64(32)}`),
    ];
    const statuses = new Set<string>();
    for (const guess of guesses) {
      assert.match(guess, /^[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/, 'the guess has the exact ticket format');
      statuses.add((await manager.load({ ...HTTPS, cookie: `__Host-sid=${guess}` })).status);
    }
    assert.deepEqual([...statuses], ['invalid']);
    assert.deepEqual(take(), [], 'a guess is refused by the signature check alone: no lookup to count or to time');
    assert.equal((await manager.load({ ...HTTPS, cookie })).userId, 'alice', 'the guessed-at session is untouched');
  });
});

describe('session data and headers', () => {
  it('BI-16 CRLF in session data and in the user id never reaches a header: the cookie is the ticket alone, the other headers are fixed', async () => {
    // A page on another origin the site trusts: CORS and CSRF headers are in play too.
    const { manager } = setup(quietStore(), { csrf: { trustedOrigins: ['https://app.test'] } });
    const policy = createHttpPolicy<Data>({ manager, cors: { origins: ['https://app.test'] } });
    const injected = 'x\r\nSet-Cookie: a=b\r\n\r\n<script>';
    const all: HttpHeaders[] = [];
    const request = (cookie: string | null, method = 'GET') =>
      new Request('https://shop.test/account', {
        method,
        headers: { origin: 'https://app.test', 'sec-fetch-site': 'same-site', ...(cookie ? { cookie } : {}) },
      });

    const first = await begin(policy, request(null, 'POST'));
    first.session.set('note', injected);
    first.session.set(injected as 'note', injected);
    await first.session.login(`mallory${injected}`);
    all.push(await end(first));
    const setCookie = all[0]?.cookies[0] as string;
    assert.match(setCookie, TICKET_COOKIE);
    const cookie = setCookie.split(';')[0] as string;

    const reader = await begin(policy, request(cookie));
    assert.equal(reader.session.get('note'), injected, 'the data itself is kept as it was written');
    reader.session.set('cart', [injected]);
    all.push(await end(reader));
    const leaver = await begin(policy, request(cookie, 'POST'));
    await leaver.session.logout();
    all.push(await end(leaver));
    assert.match(all[2]?.cookies[0] as string, CLEARING_COOKIE);

    for (const headers of all) {
      for (const value of [...headers.cookies, ...Object.values(headers.set), ...Object.values(headers.fallback)]) {
        assert.doesNotMatch(value, /[\r\n\0]|a=b|mallory|script/, value);
      }
      assert.deepEqual(
        [...Object.keys(headers.set), ...Object.keys(headers.fallback)].filter((name) => !/^(cache-control|vary|access-control-[a-z-]+)$/.test(name)),
        [],
        'only the policy’s own header names',
      );
    }
  });
});

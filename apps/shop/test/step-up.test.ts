// The shop's step-up: the password change and large orders use coatcheck's requireFresh; the
// refusal's challenge goes back with POST /reauth and is accepted once; a "view as" session is
// never fresh for the viewed user. (SU-09)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { REAUTH_WINDOW_MS } from '../src/routes/account.js';
import { createBrowser, createShop, loggedIn, PASSWORD, type Browser } from './helpers.js';

const ADDRESS = { name: 'Alice Liddell', street: '1 Rabbit Hole', city: 'Oxford', postcode: 'OX1 1AA', country: 'GB' };
const NEW_PASSWORD = 'a much better passphrase';

/** A cart of `towels` towels (15.00 each), at the review step. */
async function readyToPlace(browser: Browser, towels: number): Promise<void> {
  assert.equal((await browser.post('/cart/add', { item_id: 42, quantity: towels })).statusCode, 200);
  assert.equal((await browser.post('/checkout/address', ADDRESS)).statusCode, 200);
  assert.equal((await browser.post('/checkout/payment', { method: 'card' })).statusCode, 200);
}

describe('shop: step-up', () => {
  it('SU-09 a stale password change gets the challenge; /reauth answers it once, a replay is refused even with the right password', async () => {
    const { app, clock } = await createShop();
    const browser = await loggedIn(app, 'carol');
    clock.advance(REAUTH_WINDOW_MS + 1);
    const refused = await browser.post('/password', { new_password: NEW_PASSWORD });
    assert.equal(refused.statusCode, 403);
    const { stepUp } = refused.json().error;
    assert.deepEqual([stepUp.methods, stepUp.within], [null, REAUTH_WINDOW_MS]);
    assert.equal((await browser.post('/reauth', { password: PASSWORD, challenge: stepUp.challenge })).statusCode, 200);
    const replay = await browser.post('/reauth', { password: PASSWORD, challenge: stepUp.challenge });
    assert.equal(replay.statusCode, 403);
    assert.equal(replay.json().error.code, 'ERR_SESSION_STEP_UP_CHALLENGE');
    const account = (await browser.get('/account')).json();
    assert.equal(account.session.freshUntil, clock.now() + REAUTH_WINDOW_MS);
    assert.equal((await browser.post('/password', { new_password: NEW_PASSWORD })).statusCode, 200);
    const history = (await browser.get(`/sessions/${account.session.id}/history`)).json().history;
    assert.deepEqual(
      history.filter((entry: { type: string }) => entry.type === 'step_up').map((entry: { reason: string }) => entry.reason),
      ['pwd'],
      'the step-up is in the history with its method',
    );
  });

  it('SU-09 an order above STEP_UP_CHECKOUT_ABOVE needs a fresh login; smaller ones do not; nothing is placed on refusal', async () => {
    const { app, clock } = await createShop({ app: { stepUpCheckoutAbove: 5000 } });
    const browser = await loggedIn(app, 'alice');
    clock.advance(REAUTH_WINDOW_MS + 1);
    await readyToPlace(browser, 3);
    const small = await browser.post('/checkout/place', { idempotency_key: 'small-order-0123456789' });
    assert.equal(small.statusCode, 201, '45.00 is under the limit');
    await readyToPlace(browser, 4);
    const large = await browser.post('/checkout/place', { idempotency_key: 'large-order-0123456789' });
    assert.equal(large.statusCode, 403);
    assert.equal(large.json().error.code, 'ERR_SESSION_STEP_UP_REQUIRED');
    assert.equal((await browser.get('/orders')).json().orders.length, 1, 'the large order was not placed');
    assert.equal((await browser.post('/reauth', { password: PASSWORD, challenge: large.json().error.stepUp.challenge })).statusCode, 200);
    assert.equal((await browser.post('/checkout/place', { idempotency_key: 'large-order-0123456789' })).statusCode, 201);
  });

  it('SU-09 an admin viewing as a user is never fresh for them, however recently the admin logged in', async () => {
    const { app } = await createShop();
    const admin = await loggedIn(app, 'root');
    await loggedIn(app, 'bob');
    assert.equal((await admin.post('/admin/view-as', { username: 'bob' })).statusCode, 200);
    const change = await admin.post('/password', { new_password: NEW_PASSWORD });
    assert.equal(change.statusCode, 403);
    assert.equal(change.json().error.code, 'ERR_VIEW_AS_READ_ONLY');
    assert.equal((await admin.post('/reauth', { password: PASSWORD })).json().error.code, 'ERR_VIEW_AS_READ_ONLY');
    assert.equal((await createBrowser(app).post('/login', { username: 'bob', password: PASSWORD })).statusCode, 200, "bob's password is unchanged");
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openSqliteDatabase } from '@coatcheck/sqlite';
import { createAdminCheck, parseAdminUsers } from '../src/admin/admins.js';
import { createUserStore } from '../src/users/user-store.js';
import { createBrowser, createShop, loggedIn, ticketId } from './helpers.js';

const ADDRESS = { name: 'Bob', street: '2 Main St', city: 'Leeds', postcode: 'LS1 1AA', country: 'GB' };

describe('admin: view as user', () => {
  it('the first registered user is the admin; others get 403 ERR_FORBIDDEN', async () => {
    const { app } = await createShop();
    const admin = await loggedIn(app, 'root');
    const bob = await loggedIn(app, 'bob');
    assert.equal((await admin.get('/account')).json().role, 'admin');
    assert.equal((await bob.get('/account')).json().role, 'user');
    const users = await admin.get('/admin/users');
    assert.equal(users.statusCode, 200);
    assert.deepEqual(
      users.json().users.map((u: { username: string; role: string }) => [u.username, u.role]),
      [
        ['root', 'admin'],
        ['bob', 'user'],
      ],
    );
    for (const res of [await bob.get('/admin/users'), await bob.post('/admin/view-as', { username: 'root' })]) {
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().error.code, 'ERR_FORBIDDEN');
    }
    assert.equal((await createBrowser(app).get('/admin/users')).statusCode, 401);
  });

  it('ADMIN_USERS names the admins instead (case-insensitively)', () => {
    const users = createUserStore(openSqliteDatabase({ filename: ':memory:' }));
    const check = createAdminCheck(users, parseAdminUsers(' Alice, ops ') ?? 'first-user');
    assert.equal(check({ id: '1', username: 'alice' }), true);
    assert.equal(check({ id: '2', username: 'OPS' }), true);
    assert.equal(check({ id: '3', username: 'mallory' }), false);
    assert.equal(parseAdminUsers(' , '), null);
    assert.equal(parseAdminUsers(undefined), null);
  });

  it('LC-04 view-as shows the user in /account and /orders, keeps the admin as the session owner, and rotates the ticket', async () => {
    const { app } = await createShop();
    const admin = await loggedIn(app, 'root');
    const bob = await loggedIn(app, 'bob');
    await bob.post('/cart/add', { item_id: 2 });
    await bob.post('/checkout/address', ADDRESS);
    await bob.post('/checkout/payment', { method: 'invoice' });
    const order = (await bob.post('/checkout/place', { idempotency_key: 'bob-order-0123456789' })).json().order;

    const before = admin.cookie as string;
    const res = await admin.post('/admin/view-as', { username: 'BOB' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().viewAs.user.username, 'bob');
    assert.notEqual(ticketId(admin.cookie as string), ticketId(before));
    const account = (await admin.get('/account')).json();
    assert.equal(account.user.username, 'bob');
    assert.equal(account.role, 'user');
    assert.equal(account.viewAs.actor.username, 'root');
    assert.deepEqual((await admin.get('/orders')).json().orders, [order]);
    // The session still belongs to the admin: /profile, devices and bob's device list say so.
    assert.equal((await admin.get('/profile')).json().user.username, 'root');
    assert.equal((await bob.get('/sessions')).json().sessions.length, 1, "the admin's session is not among bob's devices");
    assert.equal((await admin.get('/sessions')).json().sessions.length, 1);

    const left = await admin.post('/admin/view-as/leave');
    assert.equal(left.statusCode, 200);
    assert.deepEqual(left.json(), { user: (await admin.get('/profile')).json().user, role: 'admin' });
    const back = (await admin.get('/account')).json();
    assert.equal(back.user.username, 'root');
    assert.equal(back.viewAs, null);
    assert.deepEqual((await admin.get('/orders')).json(), { orders: [] });
  });

  it('while viewing as a user, password changes and orders are refused with ERR_VIEW_AS_READ_ONLY', async () => {
    const { app } = await createShop();
    const admin = await loggedIn(app, 'root');
    await loggedIn(app, 'bob');
    await admin.post('/cart/add', { item_id: 1 });
    await admin.post('/checkout/address', ADDRESS);
    await admin.post('/checkout/payment', { method: 'card' });
    await admin.post('/admin/view-as', { username: 'bob' });
    for (const [url, payload] of [
      ['/password', { new_password: 'takeover password' }],
      ['/reauth', { password: 'correct horse battery staple' }],
      ['/checkout/place', { idempotency_key: 'admin-as-bob-0123456789' }],
    ] as const) {
      const res = await admin.post(url, payload);
      assert.equal(res.statusCode, 403, url);
      assert.equal(res.json().error.code, 'ERR_VIEW_AS_READ_ONLY');
    }
    assert.equal((await createBrowser(app).post('/login', { username: 'bob', password: 'correct horse battery staple' })).statusCode, 200);
  });

  it('view-as errors: unknown user 404, myself 409, and it ends when the viewer stops being an admin', async () => {
    const { app, db } = await createShop();
    const admin = await loggedIn(app, 'root');
    const bob = await loggedIn(app, 'bob');
    assert.equal((await admin.post('/admin/view-as', { username: 'nobody' })).json().error.code, 'ERR_USER_NOT_FOUND');
    const self = await admin.post('/admin/view-as', { username: 'root' });
    assert.equal(self.statusCode, 409);
    assert.equal(self.json().error.code, 'ERR_VIEW_AS_SELF');
    await admin.post('/admin/view-as', { username: 'bob' });
    // Roles are read on every request: once root is no longer the first user, the marker is void.
    db.prepare("UPDATE users SET created_at = created_at + 1 WHERE username = 'root'").run();
    const account = (await admin.get('/account')).json();
    assert.equal(account.user.username, 'root');
    assert.equal(account.viewAs, null);
    assert.equal((await bob.get('/account')).json().role, 'admin');
    assert.equal((await admin.post('/admin/view-as/leave')).statusCode, 200, 'leaving always works');
  });
});

// The express-session habit `req.session.cart = [...]` must fail loudly, in strict and in
// sloppy code, never be dropped.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { createSessionManager, type Session } from 'coatcheck';
import { SessionReadOnlyError } from 'coatcheck/errors';
import { memoryStore } from 'coatcheck/memory';

const SECRET = 'read-only-test-secret-3b7d1f9a5c2e8b4d6f0a';

async function handle(production: boolean): Promise<Session> {
  const manager = createSessionManager({ store: memoryStore({ sweepIntervalMs: 0, quiet: true }), secrets: [SECRET], production });
  return manager.load({ secure: true });
}

/** Runs `code` as a classic script (sloppy mode: no 'use strict') with `session` in scope. */
function runSloppy(code: string, session: Session): unknown {
  const sandbox = { session, sloppy: false };
  runInNewContext(`sloppy = (function () { return this !== undefined })();\n${code}`, sandbox);
  assert.equal(sandbox.sloppy, true, 'the script really ran in sloppy mode');
  return undefined;
}

function assertRefused(run: () => unknown, property: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof SessionReadOnlyError, `expected SessionReadOnlyError, got ${String(error)}`);
    assert.equal(error.code, 'ERR_SESSION_READ_ONLY');
    assert.equal(error.property, property);
    assert.ok(error.message.startsWith(`session.${property} cannot be assigned, deleted or defined`), error.message);
    assert.ok(error.message.includes(`session.set("${property}", value)`), error.message);
    return true;
  });
}

for (const production of [false, true]) {
  describe(`assignments to the session handle (production: ${production})`, () => {
    it('session.cart = [...] throws in strict code, with what to use instead', async () => {
      const session = await handle(production);
      assertRefused(() => {
        (session as unknown as Record<string, unknown>).cart = ['apple'];
      }, 'cart');
      assert.equal(session.get('cart' as never), undefined);
      assert.equal(Object.hasOwn(session, 'cart'), false);
    });

    it('session.cart = [...] and session.userId = ... throw in a sloppy-mode script too', async () => {
      const session = await handle(production);
      assertRefused(() => runSloppy(`session.cart = ['apple'];`, session), 'cart');
      assertRefused(() => runSloppy(`session.userId = 'mallory';`, session), 'userId');
      assertRefused(() => runSloppy(`session.data = { cart: [] };`, session), 'data');
      assert.equal(session.userId, null);
      assert.deepEqual(session.data, {});
      assert.throws(() => runSloppy(`session.userId = 'mallory';`, session), /To log a user in: await session\.login\(userId\)\.$/);
    });

    it('every read-only accessor refuses, and the handle keeps working afterwards', async () => {
      const session = await handle(production);
      for (const name of ['id', 'userId', 'status', 'isNew', 'isAuthenticated', 'persistent', 'createdAt', 'expiresAt', 'authenticatedAt', 'data', 'pending']) {
        assertRefused(() => {
          (session as unknown as Record<string, unknown>)[name] = 1;
        }, name);
      }
      session.set('cart' as never, ['apple'] as never);
      assert.deepEqual(session.get('cart' as never), ['apple']);
      const cookies = await session.commit();
      assert.equal(cookies.length, 1);
      assert.equal(typeof session.id, 'string');
    });

    it('session.then = ... is refused too, and a handle is not a thenable', async () => {
      const session = await handle(production);
      assertRefused(() => runSloppy(`session.then = function (resolve) { resolve(1); };`, session), 'then');
      assert.equal(await Promise.resolve(session), session);
    });
  });
}

describe('development handles refuse every kind of write', () => {
  it('delete session.x, Object.defineProperty and assignments to method names throw SessionReadOnlyError', async () => {
    const session = await handle(false);
    assertRefused(() => runSloppy(`delete session.cart;`, session), 'cart');
    assertRefused(() => {
      delete (session as unknown as Record<string, unknown>).userId;
    }, 'userId');
    assertRefused(() => Object.defineProperty(session, 'cart', { value: [] }), 'cart');
    assertRefused(() => runSloppy(`session.login = function () {};`, session), 'login');
    assert.equal(typeof session.login, 'function');
  });

  it('the development handle works like the plain one: write, login, read back', async () => {
    const manager = createSessionManager({ store: memoryStore({ sweepIntervalMs: 0, quiet: true }), secrets: [SECRET], production: false });
    const session = await manager.load({ secure: true });
    session.update('cart' as never, ((cart: string[] = []) => [...cart, 'apple']) as never);
    await session.login('alice');
    const [cookie] = await session.commit();
    const again = await manager.load({ secure: true, cookie: (cookie as string).split(';')[0] });
    assert.deepEqual([again.status, again.userId, again.get('cart' as never)], ['valid', 'alice', ['apple']]);
  });
});

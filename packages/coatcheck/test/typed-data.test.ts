// Typed session data (the `data` option) with real validators, on write: zod and valibot, the
// two most used Standard Schema implementations, prove that the core takes any. Every "nothing
// was written" is read back from the store itself. On load (validateOnLoad, versions and
// migrations): typed-data-load.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import * as v from 'valibot';
import { createSessionManager, SessionConfigError, SessionDataInvalidError, type DataOptions } from '../src/index.js';
import { HTTPS, pair } from './helpers/manager-setup.js';
import { Item, manager, quietStore, SECRET, start, stored } from './helpers/typed-data-setup.js';

describe('per-key schemas', () => {
  it('a refused value throws at set(), naming the key and the issue path, and is neither applied nor written', async () => {
    const store = quietStore();
    const { sessions } = manager(store, { schema: { cart: z.array(Item), theme: z.enum(['light', 'dark']) } });
    const { id, cookie } = await start(sessions, { theme: 'dark' });
    const session = await sessions.load({ ...HTTPS, cookie });
    session.set('cart', [{ sku: 'apple', qty: 2 }]);
    const error = (() => {
      try {
        session.set('cart', [{ sku: 'pear', qty: 'two' }]);
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    assert.ok(error instanceof SessionDataInvalidError);
    assert.equal(error.code, 'ERR_SESSION_DATA_INVALID');
    assert.equal(error.statusCode, 500);
    assert.equal(error.key, 'cart');
    assert.deepEqual(
      error.issues.map((issue) => issue.path),
      [[0, 'qty']],
    );
    assert.match(error.message, /^session data "cart" is invalid: \[0\]\.qty: /);
    // The refused value never reached the data; the valid change before it still commits.
    assert.deepEqual(session.get('cart'), [{ sku: 'apple', qty: 2 }]);
    await session.commit();
    assert.deepEqual(await stored(store, id), { theme: 'dark', cart: [{ sku: 'apple', qty: 2 }] });
  });

  it('a key without a schema is refused the same way; coatcheck keys pass; deleting is always allowed', async () => {
    const store = quietStore();
    const { sessions } = manager(store, { schema: { theme: v.picklist(['light', 'dark']) } });
    const session = await sessions.load(HTTPS);
    assert.throws(
      () => session.set('them', 'dark'),
      (error: unknown) => error instanceof SessionDataInvalidError && error.key === 'them' && /no schema in data\.schema/.test(error.message),
    );
    assert.throws(() => session.update('them', () => 'dark'), SessionDataInvalidError);
    session.set('$coatcheck.refresh', { kept: true });
    session.delete('them');
    session.set('theme', 'light');
    await session.commit();
    assert.deepEqual(await stored(store, session.id as string), { '$coatcheck.refresh': { kept: true }, theme: 'light' });
  });

  it('valibot: refusals and outputs (a transform) work as with zod; update() results are checked too', async () => {
    const store = quietStore();
    const Name = v.pipe(v.string(), v.trim(), v.minLength(1));
    const { sessions } = manager(store, { schema: { name: Name, visits: v.number() } });
    const session = await sessions.load(HTTPS);
    session.set('name', '  Ada ');
    assert.equal(session.get('name'), 'Ada');
    assert.throws(
      () => session.set('name', '   '),
      (error: unknown) => error instanceof SessionDataInvalidError && error.key === 'name',
    );
    session.update('visits', (n) => ((n as number | undefined) ?? 0) + 1);
    assert.throws(() => session.update('visits', () => 'many'), SessionDataInvalidError);
    await session.commit();
    assert.deepEqual(await stored(store, session.id as string), { name: 'Ada', visits: 1 });
  });

  it('an async validator is checked at the commit instead, before anything is written', async () => {
    const store = quietStore();
    const Coupon = z.string().refine(async (code) => code.startsWith('OK'), 'unknown coupon');
    const { sessions } = manager(store, { schema: { coupon: Coupon, theme: z.string() } });
    const { id, cookie } = await start(sessions, { theme: 'dark' });
    const session = await sessions.load({ ...HTTPS, cookie });
    session.set('coupon', 'NOPE');
    await assert.rejects(
      session.commit(),
      (error: unknown) => error instanceof SessionDataInvalidError && error.key === 'coupon' && /unknown coupon/.test(error.message),
    );
    assert.deepEqual(await stored(store, id), { theme: 'dark' });

    // A first write (no record yet) too; and a valid one goes through.
    const fresh = await sessions.load(HTTPS);
    fresh.set('coupon', 'NOPE');
    await assert.rejects(fresh.commit(), SessionDataInvalidError);
    assert.equal(fresh.id, null);
    const good = await sessions.load({ ...HTTPS, cookie });
    good.set('coupon', 'OK10');
    await good.commit();
    assert.deepEqual(await stored(store, id), { theme: 'dark', coupon: 'OK10' });
  });

  it('login: merged data is checked before the rotation, and a refusal keeps the old session as it was', async () => {
    const store = quietStore();
    const { sessions } = manager(store, { schema: { cart: z.array(z.string()) } });
    const { id, cookie } = await start(sessions, { cart: ['apple'] });
    const session = await sessions.load({ ...HTTPS, cookie });
    await assert.rejects(
      session.login('alice', { merge: (anonymous) => ({ cart: [...((anonymous.cart as string[]) ?? []), 42] }) }),
      (error: unknown) => error instanceof SessionDataInvalidError && error.key === 'cart' && error.issues[0]?.path[0] === 1,
    );
    assert.deepEqual(await stored(store, id), { cart: ['apple'] });
    assert.equal((await store.get(id, Date.now()))?.userId, null);
  });
});

describe('a whole-data schema', () => {
  const Shop = z.object({ cart: z.array(Item).default([]), theme: z.enum(['light', 'dark']).optional() }).strict();

  it('is checked at the commit: a refusal writes nothing; the output (defaults) is what is stored', async () => {
    const store = quietStore();
    const { sessions } = manager(store, { schema: Shop });
    const first = await sessions.load(HTTPS);
    first.set('theme', 'dark');
    first.set('cart', [{ sku: 'apple', qty: 0 }]);
    await assert.rejects(first.commit(), (error: unknown) => {
      assert.ok(error instanceof SessionDataInvalidError);
      assert.equal(error.key, 'cart');
      assert.match(error.message, /^session data is invalid: cart\[0\]\.qty: /);
      return true;
    });
    assert.equal(first.id, null);

    const second = await sessions.load(HTTPS);
    second.set('theme', 'dark');
    const cookie = pair(await second.commit());
    assert.deepEqual(await stored(store, second.id as string), { theme: 'dark', cart: [] });
    assert.deepEqual(second.data, { theme: 'dark', cart: [] });

    const third = await sessions.load({ ...HTTPS, cookie });
    third.set('coupon', 'X');
    await assert.rejects(third.commit(), (error: unknown) => error instanceof SessionDataInvalidError);
    assert.deepEqual(await stored(store, second.id as string), { theme: 'dark', cart: [] });
  });

  it('regenerate() carries this request changes and checks them before the new ticket is written', async () => {
    const store = quietStore();
    const { sessions } = manager(store, { schema: Shop });
    const { id, cookie } = await start(sessions, { theme: 'light' });
    const session = await sessions.load({ ...HTTPS, cookie });
    session.set('theme', 'blue');
    await assert.rejects(session.regenerate(), SessionDataInvalidError);
    assert.equal(session.id, id);
    assert.deepEqual(await stored(store, id), { theme: 'light', cart: [] });
  });
});

describe('what the schemas leave alone', () => {
  it("a write of coatcheck's keys alone (a refresh token's state) is not blocked by stale application data", async () => {
    const store = quietStore();
    const { id, cookie } = await start(manager(store).sessions, { theme: 'blue' });
    const { sessions } = manager(store, { schema: z.object({ theme: z.enum(['light', 'dark']) }).strict() });
    const session = await sessions.load({ ...HTTPS, cookie });
    session.set('$coatcheck.refresh', { generation: 2 });
    await session.commit();
    assert.deepEqual(await stored(store, id), { theme: 'blue', '$coatcheck.refresh': { generation: 2 } });
  });

  it('a whole-data schema whose output is not an object (the types refuse it; JavaScript may not) refuses every write', async () => {
    const { sessions } = manager(quietStore(), { schema: z.unknown().transform(() => 'flat') as unknown as DataOptions['schema'] });
    const session = await sessions.load(HTTPS);
    session.set('theme', 'dark');
    await assert.rejects(session.commit(), (error: unknown) => error instanceof SessionDataInvalidError && /must describe an object/.test(error.message));
  });
});

describe('misconfigured data options fail at start-up', () => {
  const cases: [string, unknown, RegExp][] = [
    ['not an object', 'zod', /^data must be an object/],
    ['an unknown option', { schema: { a: z.string() }, validateonload: true }, /data\.validateonload is not an option/],
    ['a schema that is not a Standard Schema', { schema: { cart: { parse() {} } } }, /data\.schema\.cart is not one/],
    ['a reserved key', { schema: { '$coatcheck.x': z.string() } }, /keys starting with \$coatcheck\. are coatcheck's own/],
    ['version 0', { version: 0 }, /data\.version must be a whole number of 1 or more/],
    ['a version without migrations', { version: 2 }, /data\.migrate is missing/],
    ['a missing step', { version: 3, migrate: { 3: (d: object) => d } }, /data\.migrate has no step 2/],
    ['a step past the version', { version: 2, migrate: { 2: (d: object) => d, 3: (d: object) => d } }, /data\.migrate\["3"\]/],
    ['a step for version 1', { version: 2, migrate: { 1: (d: object) => d, 2: (d: object) => d } }, /data\.migrate\["1"\]/],
    ['a step that is not a function', { version: 2, migrate: { 2: 'upgrade' } }, /data\.migrate\[2\] must be a function/],
    ['validateOnLoad without a schema', { validateOnLoad: true }, /validateOnLoad needs data\.schema/],
  ];
  for (const [what, data, message] of cases) {
    it(what, () => {
      assert.throws(
        () => createSessionManager({ store: quietStore(), secrets: [SECRET], data: data as DataOptions }),
        (error: unknown) => error instanceof SessionConfigError && message.test(error.message),
      );
    });
  }
});

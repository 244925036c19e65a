// Typed session data on its way from the store: validateOnLoad, versions and lazy migrations,
// and what a read that could not use all of the stored data leaves in the store. Every "the
// store keeps it" is read back from the store itself.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { WARNINGS } from '../src/warnings.js';
import { HTTPS, STORES } from './helpers/manager-setup.js';
import { type AnyData, Item, manager, quietStore, start, stored } from './helpers/typed-data-setup.js';

describe('validateOnLoad', () => {
  it('drops the keys it refuses (a warning once per key), keeps the store as it is until the next write', async () => {
    const store = quietStore();
    const before = manager(store).sessions;
    const { id, cookie } = await start(before, { cart: [{ sku: 'apple', qty: -1 }], theme: 'dark', legacy: 1 });
    const { sessions, warnings } = manager(store, { schema: { cart: z.array(Item), theme: z.string() }, validateOnLoad: true });
    const session = await sessions.load({ ...HTTPS, cookie });
    assert.deepEqual(session.data, { theme: 'dark' });
    await sessions.load({ ...HTTPS, cookie });
    assert.deepEqual(
      warnings.map((w) => [w.context?.code, w.context?.key]),
      [
        [WARNINGS.SESSION_DATA_DROPPED.code, 'cart'],
        [WARNINGS.SESSION_DATA_DROPPED.code, 'legacy'],
      ],
    );
    assert.match(warnings[0]?.message ?? '', /session data "cart" is invalid: \[0\]\.qty: /);
    await session.commit();
    assert.deepEqual(await stored(store, id), { cart: [{ sku: 'apple', qty: -1 }], theme: 'dark', legacy: 1 });
    const writer = await sessions.load({ ...HTTPS, cookie });
    writer.set('theme', 'light');
    await writer.commit();
    assert.deepEqual(await stored(store, id), { theme: 'light' });
  });

  it("a write of coatcheck's keys alone keeps the keys it dropped, as stored", async () => {
    const store = quietStore();
    const { id, cookie } = await start(manager(store).sessions, { cart: [{ sku: 'apple', qty: -1 }], theme: 'dark' });
    const { sessions } = manager(store, { schema: { cart: z.array(Item), theme: z.string() }, validateOnLoad: true });
    const session = await sessions.load({ ...HTTPS, cookie });
    assert.deepEqual(session.data, { theme: 'dark' });
    session.set('$coatcheck.refresh', { generation: 3 });
    await session.commit();
    assert.deepEqual(await stored(store, id), { cart: [{ sku: 'apple', qty: -1 }], theme: 'dark', '$coatcheck.refresh': { generation: 3 } });
  });

  it('an async validator is not run on load: its value is kept, and that is said once', async () => {
    const store = quietStore();
    const { cookie } = await start(manager(store).sessions, { coupon: 'NOPE' });
    const Coupon = z.string().refine(async (code) => code.startsWith('OK'));
    const { sessions, warnings } = manager(store, { schema: { coupon: Coupon }, validateOnLoad: true });
    assert.deepEqual((await sessions.load({ ...HTTPS, cookie })).data, { coupon: 'NOPE' });
    await sessions.load({ ...HTTPS, cookie });
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]?.context?.key, 'coupon');
    assert.match(warnings[0]?.message ?? '', /answered with a promise on load; validateOnLoad runs synchronous validators only/);
  });

  it('a whole-data schema that refuses the data reads it as {}, coatcheck keys kept', async () => {
    const store = quietStore();
    const { id, cookie } = await start(manager(store).sessions, { theme: 'blue', '$coatcheck.refresh': 'kept' });
    const { sessions, warnings } = manager(store, { schema: z.object({ theme: z.enum(['light', 'dark']) }), validateOnLoad: true });
    const session = await sessions.load({ ...HTTPS, cookie });
    assert.deepEqual(session.data, { '$coatcheck.refresh': 'kept' });
    assert.equal(warnings.length, 1);
    assert.deepEqual(await stored(store, id), { theme: 'blue', '$coatcheck.refresh': 'kept' });
  });
});

for (const [storeName, makeStore] of STORES) {
  describe(`versions and migrations (${storeName} store)`, () => {
    const migrate = {
      2: ({ items, ...data }: AnyData) => ({ ...data, cart: (items ?? []).map((sku: string) => ({ sku, qty: 1 })) }),
      3: ({ dark, ...data }: AnyData) => ({ ...data, theme: dark ? 'dark' : 'light' }),
    };

    it('a version-1 record is migrated to 3 when read, and written back only at the next write', async () => {
      const store = makeStore();
      const { id, cookie } = await start(manager(store).sessions, { items: ['apple', 'pear'], dark: true });
      const { sessions } = manager(store, {
        schema: { cart: z.array(Item), theme: z.enum(['light', 'dark']), note: z.string() },
        version: 3,
        migrate,
      });
      const reader = await sessions.load({ ...HTTPS, cookie });
      assert.deepEqual(reader.get('cart'), [
        { sku: 'apple', qty: 1 },
        { sku: 'pear', qty: 1 },
      ]);
      assert.equal(reader.get('theme'), 'dark');
      await reader.commit();
      assert.deepEqual(await stored(store, id), { items: ['apple', 'pear'], dark: true }, 'a read writes nothing');

      const writer = await sessions.load({ ...HTTPS, cookie });
      writer.set('note', 'hi');
      await writer.commit();
      assert.deepEqual(await stored(store, id), {
        cart: [
          { sku: 'apple', qty: 1 },
          { sku: 'pear', qty: 1 },
        ],
        theme: 'dark',
        note: 'hi',
        '$coatcheck.dataVersion': 3,
      });
      // Read again: at version 3 already, nothing runs.
      const again = await sessions.load({ ...HTTPS, cookie });
      assert.equal(again.get('note'), 'hi');
    });

    it('new sessions are stamped with the version, so they are never migrated', async () => {
      const store = makeStore();
      const { sessions } = manager(store, { version: 2, migrate: { 2: () => ({ migrated: true }) } });
      const { id, cookie } = await start(sessions, { fresh: true });
      assert.deepEqual(await stored(store, id), { fresh: true, '$coatcheck.dataVersion': 2 });
      assert.equal((await sessions.load({ ...HTTPS, cookie })).get('migrated'), undefined);
    });

    it('a record of a newer version is read as it is, reported, and keeps its version when written', async () => {
      const store = makeStore();
      const newer = manager(store, { version: 4, migrate: { 2: (d) => d, 3: (d) => d, 4: (d) => d } }).sessions;
      const { id, cookie } = await start(newer, { shape: 'v4' });
      const { sessions, warnings } = manager(store, {
        schema: z.object({ shape: z.literal('v2'), seen: z.number().optional() }),
        version: 2,
        migrate: { 2: () => ({ wiped: true }) },
        validateOnLoad: true,
      });
      const session = await sessions.load({ ...HTTPS, cookie });
      assert.equal(session.get('shape'), 'v4');
      session.set('seen', 1);
      await session.commit();
      assert.deepEqual(await stored(store, id), { shape: 'v4', seen: 1, '$coatcheck.dataVersion': 4 });
      assert.deepEqual(
        warnings.map((w) => w.context?.code),
        [WARNINGS.SESSION_DATA_NEWER.code],
      );
    });

    it('a migration that returns no object counts as failed, reported once per step', async () => {
      const store = makeStore();
      const first = await start(manager(store).sessions, { a: 1 });
      const second = await start(manager(store).sessions, { a: 2 });
      const { sessions, warnings } = manager(store, { version: 2, migrate: { 2: () => null as never } });
      assert.deepEqual((await sessions.load({ ...HTTPS, cookie: first.cookie })).data, {});
      assert.deepEqual((await sessions.load({ ...HTTPS, cookie: second.cookie })).data, {});
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]?.message ?? '', /returned null/);
    });

    it('a migration that throws reads the data as {} (reported), and the record stays until the next write', async () => {
      const store = makeStore();
      const { id, cookie } = await start(manager(store).sessions, { items: 'not-a-list' });
      const { sessions, warnings } = manager(store, {
        version: 2,
        migrate: {
          2: (data) => ({ cart: data.items.map((sku: string) => sku) }),
        },
      });
      const session = await sessions.load({ ...HTTPS, cookie });
      assert.deepEqual(session.data, {});
      assert.equal(warnings[0]?.context?.code, WARNINGS.SESSION_DATA_DROPPED.code);
      assert.match(warnings[0]?.message ?? '', /data\.migrate\[2\] failed/);
      assert.deepEqual(await stored(store, id), { items: 'not-a-list' });
    });

    it("after a migration threw, coatcheck's own writes keep the stored data and its version; fixed code migrates it", async () => {
      const store = makeStore();
      const { id, cookie } = await start(manager(store).sessions, { items: 'apple' });
      const broken = manager(store, { version: 2, migrate: { 2: (data) => ({ cart: data.items.map((sku: string) => sku) }) } }).sessions;
      const session = await broken.load({ ...HTTPS, cookie });
      assert.deepEqual(session.data, {});
      // A refresh token's state: a write of coatcheck's keys only.
      session.set('$coatcheck.refresh', { generation: 2 });
      await session.commit();
      assert.deepEqual(await stored(store, id), { items: 'apple', '$coatcheck.refresh': { generation: 2 } });
      const fixed = manager(store, { version: 2, migrate: { 2: (data) => ({ cart: [data.items] }) } }).sessions;
      assert.deepEqual((await fixed.load({ ...HTTPS, cookie })).get('cart'), ['apple']);
      // The application's own write replaces what it could not read.
      const writer = await broken.load({ ...HTTPS, cookie });
      writer.set('cart', ['pear']);
      await writer.commit();
      assert.deepEqual(await stored(store, id), { cart: ['pear'], '$coatcheck.refresh': { generation: 2 }, '$coatcheck.dataVersion': 2 });
    });
  });
}

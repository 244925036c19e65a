// Key management: generate, publish next, rotate with overlap, retire, remove; the JWKS.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SessionConfigError } from 'coatcheck';
import { addNextKey, generateKeyFile, importKeySet, removeKey, retireKeys, rotateKeyFile, type TokenKeyFile } from '../src/index.js';

const T0 = Date.UTC(2026, 0, 1);
const states = (file: TokenKeyFile) => file.keys.map((key) => key.state);

describe('key files', () => {
  it('a generated file has one current key per algorithm, with a fresh kid each time', async () => {
    for (const alg of ['EdDSA', 'ES256', 'HS256'] as const) {
      const a = await generateKeyFile(alg, T0);
      const b = await generateKeyFile(alg, T0);
      assert.deepEqual(states(a), ['current']);
      assert.equal(a.keys[0]?.alg, alg);
      assert.notEqual(a.keys[0]?.kid, b.keys[0]?.kid);
      assert.notEqual(JSON.stringify(a), JSON.stringify(b));
      const set = await importKeySet(a, T0);
      assert.equal(set.signing.alg, alg);
      assert.deepEqual(set.algorithms, [alg]);
    }
  });

  it('the JWKS carries public parts only, and never an HS256 secret', async () => {
    const ed = await importKeySet(await generateKeyFile('EdDSA', T0), T0);
    const ec = await importKeySet(await generateKeyFile('ES256', T0), T0);
    const hs = await importKeySet(await generateKeyFile('HS256', T0), T0);
    assert.deepEqual(Object.keys(ed.jwks.keys[0] ?? {}).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x']);
    assert.deepEqual(Object.keys(ec.jwks.keys[0] ?? {}).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    assert.deepEqual(hs.jwks.keys, []);
    for (const set of [ed, ec]) assert.doesNotMatch(JSON.stringify(set.jwks), /"d"/);
  });

  it('rotation: next is published, then promoted; the old key overlaps, then retires', async () => {
    const start = await generateKeyFile('EdDSA', T0);
    const first = start.keys[0]!.kid;
    const published = await addNextKey(start, 'ES256', T0);
    assert.deepEqual(states(published), ['current', 'next']);
    const set = await importKeySet(published, T0);
    assert.equal(set.signing.kid, first, 'next does not sign yet');
    assert.equal(set.jwks.keys.length, 2, 'but it is published');
    assert.deepEqual([...set.algorithms].sort(), ['ES256', 'EdDSA']);

    const rotated = await rotateKeyFile(published, { now: T0 + 1000, overlapSeconds: 3600 });
    assert.deepEqual(states(rotated), ['current', 'previous']);
    assert.equal(rotated.keys[0]!.alg, 'ES256', 'the published key is the one promoted');
    assert.equal(rotated.keys[1]!.kid, first);
    assert.equal(rotated.keys[1]!.retireAt, T0 + 1000 + 3600_000);
    assert.equal((await importKeySet(rotated, T0 + 2000)).byKid.size, 2);
    assert.equal((await importKeySet(rotated, T0 + 1000 + 3600_000)).byKid.size, 1, 'import ignores a key past retireAt');
    assert.deepEqual(states(retireKeys(rotated, T0 + 3600_000)), ['current', 'previous']);
    assert.deepEqual(states(retireKeys(rotated, T0 + 1000 + 3600_000)), ['current']);

    const again = await rotateKeyFile(rotated, { now: T0 + 5000 });
    assert.deepEqual(states(again), ['current', 'previous', 'previous'], 'without a next key a fresh one is made');
    assert.equal(again.keys[0]!.alg, 'ES256');
  });

  it('removing a leaked key: any but the signing one', async () => {
    const rotated = await rotateKeyFile(await generateKeyFile('EdDSA', T0), { now: T0 });
    assert.deepEqual(states(removeKey(rotated, rotated.keys[1]!.kid)), ['current']);
    assert.throws(() => removeKey(rotated, rotated.keys[0]!.kid), SessionConfigError);
    await assert.rejects(rotateKeyFile(rotated, { overlapSeconds: -1 }), SessionConfigError);
  });
});

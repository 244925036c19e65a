// iss/aud: issued and required when set (RFC 9068); serving the JWKS without them warns once,
// because that is when other services start trusting the tokens.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UNSCOPED_TOKENS_WARNING } from '../src/index.js';
import { getMe, keyFileFor, payloadOf, setup } from './helpers.js';

async function warningsDuring(action: () => unknown): Promise<Error[]> {
  const seen: Error[] = [];
  const listen = (warning: Error) => void ((warning as Error & { code?: string }).code === UNSCOPED_TOKENS_WARNING && seen.push(warning));
  process.on('warning', listen);
  try {
    await action();
    await new Promise((done) => setImmediate(done)); // warnings are emitted on the next tick
  } finally {
    process.off('warning', listen);
  }
  return seen;
}

describe('issuer and audience', () => {
  it('are issued when set, and a token without them is refused by a service that requires them', async () => {
    const scoped = await setup({ tokens: { issuer: 'https://auth.example', audience: 'https://api.example' } });
    const pair = await scoped.tokens.anonymous();
    assert.deepEqual([payloadOf(pair.access_token).iss, payloadOf(pair.access_token).aud], ['https://auth.example', 'https://api.example']);
    assert.equal((await getMe(scoped.app, `Bearer ${pair.access_token}`)).statusCode, 200);
    const plain = await setup();
    const unscoped = await plain.tokens.anonymous();
    assert.equal(payloadOf(unscoped.access_token).iss, undefined, 'none unless set');
    const other = await setup({ tokens: { issuer: 'https://auth.example', audience: 'https://other.example' } });
    for (const token of [unscoped.access_token, pair.access_token]) {
      const res = await getMe(other.app, `Bearer ${token}`);
      assert.equal(res.json().error.code, 'ERR_TOKEN_INVALID', 'no iss/aud, or another audience');
    }
  });

  it('serving the JWKS without them warns once, naming what is missing and the fix', async () => {
    const t = await setup({ tokens: { issuer: 'https://auth.example' } });
    const warnings = await warningsDuring(() => {
      t.tokens.jwks();
      t.tokens.jwks();
    });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!.message, /carry no audience \(aud\)/);
    assert.match(warnings[0]!.message, /createTokenService\(\{ issuer, audience \}\)/);
    assert.match(warnings[0]!.message, /RFC 9068/);
  });

  it('no warning when both are set, nor when no public key is served (HS256)', async () => {
    const scoped = await setup({ tokens: { issuer: 'https://auth.example', audience: 'https://api.example' } });
    const hmac = await setup({ keys: await keyFileFor('HS256') });
    const warnings = await warningsDuring(() => {
      assert.equal(scoped.tokens.jwks().keys.length, 1);
      assert.equal(hmac.tokens.jwks().keys.length, 0);
    });
    assert.deepEqual(warnings, []);
  });
});

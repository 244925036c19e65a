import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '../src/users/password.js';

describe('password hashing', () => {
  it('hashes as scrypt$N$r$p$salt$hash with a fresh 16-byte salt and a 64-byte key', async () => {
    const [a, b] = [await hashPassword('hunter2hunter2'), await hashPassword('hunter2hunter2')];
    const parts = a.split('$');
    assert.deepEqual(parts.slice(0, 4), ['scrypt', '16384', '8', '1']);
    assert.equal(Buffer.from(parts[4] as string, 'base64url').length, 16);
    assert.equal(Buffer.from(parts[5] as string, 'base64url').length, 64);
    assert.notEqual(a, b, 'random salt');
  });

  it('verifies the right password only', async () => {
    const stored = await hashPassword('correct horse');
    assert.equal(await verifyPassword('correct horse', stored), true);
    assert.equal(await verifyPassword('correct horsf', stored), false);
    assert.equal(await verifyPassword('', stored), false);
  });

  it('treats composed and decomposed accents as the same password', async () => {
    const stored = await hashPassword('caf\u00e9 au lait');
    assert.equal(await verifyPassword('cafe\u0301 au lait', stored), true);
  });

  it('never matches, and never throws, on damaged or hostile hashes', async () => {
    const good = (await hashPassword('pw-pw-pw-pw')).split('$');
    const variants = [
      '', 'plaintext', 'bcrypt$2b$10$abc', good.slice(0, 5).join('$'),
      ['scrypt', '16385', ...good.slice(2)].join('$'), // N not a power of two
      ['scrypt', String(1 << 24), ...good.slice(2)].join('$'), // N too large to allow
      ['scrypt', '16384', '0', ...good.slice(3)].join('$'),
      [...good.slice(0, 4), '', good[5]].join('$'), // no salt
      [...good.slice(0, 5), 'AAAA'].join('$'), // truncated key
    ];
    for (const stored of variants) assert.equal(await verifyPassword('pw-pw-pw-pw', stored), false, stored);
  });

  it('the dummy check always fails', async () => {
    assert.equal(await verifyAgainstDummy('anything at all'), false);
  });
});

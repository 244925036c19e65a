import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createKeyRing } from '../src/ticket/key-ring.js';
import { formatTicket, generateTicket, hashSecret, TICKET_LENGTH, verifyTicket, cryptoRandom } from '../src/ticket/ticket.js';
import { SessionConfigError } from '../src/errors.js';

const SECRET = 'unit-secret-5d1f9b3e7a2c6e0f4b8d2a6c9e1f3b7d';
const ring = createKeyRing([SECRET], 'session-ticket');

describe('tickets', () => {
  it('TG-01 ids come only from the CSPRNG path: Math.random is never used and injected bytes are encoded as-is', () => {
    const original = Math.random;
    Math.random = () => 0;
    try {
      const ids = new Set(Array.from({ length: 10_000 }, () => generateTicket(cryptoRandom).id));
      assert.equal(ids.size, 10_000);
    } finally {
      Math.random = original;
    }
    const fixed = (size: number) => new Uint8Array(size).fill(7);
    const { id, secret } = generateTicket(fixed);
    assert.equal(id, Buffer.alloc(18, 7).toString('base64url'));
    assert.equal(secret, Buffer.alloc(32, 7).toString('base64url'));
  });

  it('TG-02 ids carry 144 random bits and secrets 256, with no fixed prefix or suffix', () => {
    const tickets = Array.from({ length: 1000 }, () => generateTicket(cryptoRandom));
    for (const { id, secret } of tickets) {
      assert.equal(Buffer.from(id, 'base64url').length, 18);
      assert.equal(Buffer.from(secret, 'base64url').length, 32);
    }
    assert.ok(new Set(tickets.map((t) => t.id[0])).size > 30, 'first characters vary');
    assert.ok(new Set(tickets.map((t) => t.id.at(-1))).size > 30, 'last characters vary');
  });

  it('TG-06 tickets have one fixed format, which is also what inbound tickets must match', () => {
    const { id, secret } = generateTicket(cryptoRandom);
    const value = formatTicket(ring, id, secret);
    assert.equal(value.length, TICKET_LENGTH);
    assert.match(value, /^[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(verifyTicket(ring, value), { id, secret, keyIndex: 0 });
  });

  it('TG-08 only a SHA-256 hash of the secret is meant for the store, and it differs from the secret', () => {
    const { secret } = generateTicket(cryptoRandom);
    const hash = hashSecret(secret);
    assert.notEqual(hash, secret);
    assert.equal(Buffer.from(hash, 'base64url').length, 32);
  });

  it('TG-09 weak, short or published secrets are refused at construction', () => {
    const weak = [
      '',
      'x'.repeat(16),
      'a'.repeat(31),
      'keyboard cat',
      'changeit',
      'secret',
      'complex_password_at_least_32_characters_long',
      'a'.repeat(40),
      new Uint8Array(16),
    ];
    for (const secret of weak) assert.throws(() => createKeyRing([secret], 'session-ticket'), SessionConfigError, String(secret));
    assert.throws(() => createKeyRing([], 'session-ticket'), SessionConfigError);
  });

  it('TG-10 a ticket signed with an older key verifies with its key index; once the key is removed it fails', () => {
    const OLD = 'older-secret-8c2e6a0f4d9b3e7c1a5f9d3b7e2c6a0f';
    const old = createKeyRing([OLD], 'session-ticket');
    const rotated = createKeyRing([SECRET, OLD], 'session-ticket');
    const { id, secret } = generateTicket(cryptoRandom);
    const value = formatTicket(old, id, secret);
    assert.equal(verifyTicket(rotated, value)?.keyIndex, 1);
    assert.equal(verifyTicket(ring, value), null);
  });

  it('TG-11 a MAC made for one purpose never verifies for another', () => {
    const csrf = createKeyRing([SECRET], 'csrf-token');
    const { id, secret } = generateTicket(cryptoRandom);
    assert.equal(verifyTicket(csrf, formatTicket(ring, id, secret)), null);
  });

  it('BI-18 arbitrary strings and single-character mutations never verify and never throw', () => {
    const { id, secret } = generateTicket(cryptoRandom);
    const value = formatTicket(ring, id, secret);
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => verifyTicket(ring, s) === null || s === value));
    fc.assert(
      fc.property(fc.nat({ max: value.length - 1 }), fc.constantFrom(...'AZaz09-_.+/='), (i, c) => {
        const mutated = value.slice(0, i) + c + value.slice(i + 1);
        return mutated === value || verifyTicket(ring, mutated) === null;
      }),
    );
  });
});

describe('verified-ticket cache', () => {
  it('BI-01 a cached valid ticket never lets a forged variant through, and forged tickets are never cached', async () => {
    const { createTicketVerifier, hashesEqual } = await import('../src/ticket/verified-cache.js');
    const verifier = createTicketVerifier(ring, 2);
    const { id, secret } = generateTicket(cryptoRandom);
    const value = formatTicket(ring, id, secret);
    assert.equal(verifier.verify(value)?.secretHash, hashSecret(secret));
    assert.equal(verifier.verify(value)?.id, id, 'served again');
    const forged = `${value.slice(0, -1)}${value.endsWith('A') ? 'B' : 'A'}`;
    assert.equal(verifier.verify(forged), null);
    assert.equal(verifier.verify(forged), null);
    for (let i = 0; i < 5; i++) {
      const t = generateTicket(cryptoRandom);
      assert.ok(verifier.verify(formatTicket(ring, t.id, t.secret)));
    }
    assert.equal(verifier.verify(value)?.id, id, 'evicted entries are verified again');
    assert.equal(hashesEqual('abc', 'abc'), true);
    assert.equal(hashesEqual('abc', 'abd'), false);
    assert.equal(hashesEqual('abc', 'ab'), false);
  });
});

// AB-11: every comparison of a secret the client presents is made in constant time. Timing is
// not measured (the machine is shared); instead a spy on `crypto.timingSafeEqual` shows that
// every MAC check goes through it, with equal-length inputs, whether the first or the last
// character is wrong, and the hash comparison after the store read is shown to read every
// character.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { formatTicket, generateTicket, cryptoRandom } from '../src/ticket/ticket.js';
import { createKeyRing } from '../src/ticket/key-ring.js';
import { hashesEqual } from '../src/ticket/verified-cache.js';
import { memoryStore } from '../src/store/memory-store.js';
import { HTTPS, pair, setup } from './helpers/manager-setup.js';

const CURRENT = 'constant-time-secret-3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c2e';
const PREVIOUS = 'constant-time-previous-6b8d0f2a4c6e8a1c3e5b7d9f1a3c5e7b';

/** Runs `work` with `crypto.timingSafeEqual` spied on; returns the lengths of each call's inputs. */
async function spyTimingSafeEqual(work: () => Promise<void>): Promise<Array<[number, number]>> {
  const original = crypto.timingSafeEqual;
  const calls: Array<[number, number]> = [];
  crypto.timingSafeEqual = ((a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
    calls.push([a.byteLength, b.byteLength]);
    return original(a, b);
  }) as typeof crypto.timingSafeEqual;
  // The named import the key ring holds follows the module object only after this.
  syncBuiltinESMExports();
  try {
    await work();
  } finally {
    crypto.timingSafeEqual = original;
    syncBuiltinESMExports();
  }
  return calls;
}

/** `value` with its character at `index` replaced by another base64url character. */
const flip = (value: string, index: number): string => value.slice(0, index) + (value[index] === 'A' ? 'B' : 'A') + value.slice(index + 1);

describe('constant-time comparisons', () => {
  it('AB-11 the ticket MAC is checked with timingSafeEqual against every key, whether its first or last character is wrong, before any store call', async () => {
    const { manager, take } = setup(memoryStore({ sweepIntervalMs: 0, quiet: true }), { secrets: [CURRENT, PREVIOUS] });
    const ring = createKeyRing([CURRENT, PREVIOUS], 'session-ticket');
    const fresh = () => {
      const { id, secret } = generateTicket(cryptoRandom);
      return formatTicket(ring, id, secret);
    };
    const signatureAt = 24 + 1 + 43 + 1;
    for (const ticket of [flip(fresh(), signatureAt), flip(fresh(), signatureAt + 42), fresh()]) {
      const calls = await spyTimingSafeEqual(async () => void (await manager.load({ ...HTTPS, cookie: `__Host-sid=${ticket}` })));
      assert.deepEqual(calls, [
        [43, 43],
        [43, 43],
      ]);
    }
    assert.deepEqual(take(), ['get:miss'], 'only the well-signed ticket reached the store');
  });

  it('AB-11 the CSRF token is checked with timingSafeEqual, whether its first or last byte is wrong', async () => {
    const { manager } = setup(memoryStore({ sweepIntervalMs: 0, quiet: true }), { secrets: [CURRENT, PREVIOUS] });
    const visit = await manager.load(HTTPS);
    const token = await visit.csrfToken();
    const session = await manager.load({ ...HTTPS, cookie: pair(await visit.commit()) });
    // The second half of the token is the masked MAC: change its first or its last character.
    for (const [candidate, expected] of [
      [flip(token, 43), false],
      [flip(token, 84), false],
      [token, true],
    ] as const) {
      let verdict: boolean | null = null;
      const calls = await spyTimingSafeEqual(async () => void (verdict = session.verifyCsrfToken(candidate)));
      assert.equal(verdict, expected);
      assert.deepEqual(calls, [
        [43, 43],
        [43, 43],
      ]);
    }
  });

  it('AB-11 the secret hash read from the store is compared character by character to the end, wherever the first difference is', () => {
    const stored = 'q7Yw0b3Kd9Zx1c5Vn8Mf2Lg6Hj4Pt0Rs3Ue7Wa9Ob1E';
    const reads = (presented: string): number => {
      let count = 0;
      // A string object that counts the characters read from it.
      const counted = Object.assign(new String(presented), {
        charCodeAt(index: number) {
          count++;
          return presented.charCodeAt(index);
        },
      });
      hashesEqual(counted as unknown as string, stored);
      return count;
    };
    assert.equal(reads(flip(stored, 0)), stored.length);
    assert.equal(reads(flip(stored, stored.length - 1)), stored.length);
    assert.equal(reads(stored), stored.length);
    assert.equal(hashesEqual(flip(stored, 0), stored), false);
  });
});

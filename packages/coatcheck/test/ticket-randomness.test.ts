// TG-03 and TG-05: ticket ids are unique across processes (including a child forked from a
// parent that already drew ids) and carry no meaning: no user id, time or counter inside,
// and their bits pass the monobit and runs tests.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cryptoRandom, generateTicket } from '../src/ticket/ticket.js';

const WORKER = fileURLToPath(new URL('./fixtures/draw-ids.ts', import.meta.url));

/** Draws `count` ids in a child process started through tsx, like the tests themselves. */
function drawInChild(count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [String(count)], { execArgv: ['--import', 'tsx'], serialization: 'advanced' });
    let ids: string[] | null = null;
    child.once('message', (message) => void (ids = message as string[]));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 && ids ? resolve(ids) : reject(new Error(`worker exited with ${code}`))));
  });
}

/** erfc(|x|), the complementary error function NIST SP 800-22 states its p-values in. */
function erfc(value: number): number {
  // Abramowitz-Stegun 7.1.26, accurate to ~1e-7: enough to compare with 0.001.
  const x = Math.abs(value);
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return poly * Math.exp(-x * x);
}

describe('ticket randomness', () => {
  // What this guards against is a shared or replayed generator state (a fork that reseeds
  // nothing, a seeded PRNG): that repeats ids at once, so a few hundred thousand draws across
  // processes show it as surely as millions, at a fraction of the run time.
  it('TG-03 ids from four processes started together (and this parent) never collide', async () => {
    const parent = Array.from({ length: 20_000 }, () => generateTicket(cryptoRandom).id);
    const children = await Promise.all([0, 1, 2, 3].map(() => drawInChild(50_000)));
    const all = new Set(parent);
    let total = parent.length;
    for (const ids of children) {
      total += ids.length;
      for (const id of ids) all.add(id);
    }
    assert.equal(total, 220_000);
    assert.equal(all.size, total, 'every id is distinct');
    // No two processes produced the same sequence start (a reseeding failure would).
    assert.equal(new Set(children.map((ids) => ids[0])).size, 4);
  });

  it('TG-05 ids carry no meaning: no user id or timestamp inside, and their bits pass monobit and runs tests', () => {
    const userId = 'user-42';
    const now = Date.now();
    const markers = [userId, String(now).slice(0, 8), now.toString(16).slice(0, 8), Buffer.from(String(now)).toString('base64url').slice(0, 8)];
    const ids = Array.from({ length: 100_000 }, () => generateTicket(cryptoRandom).id);
    for (const id of ids.slice(0, 10_000)) for (const marker of markers) assert.ok(!id.includes(marker), `${id} contains ${marker}`);

    const bytes = Buffer.concat(ids.map((id) => Buffer.from(id, 'base64url')));
    const n = bytes.length * 8;
    let ones = 0;
    let runs = 1;
    let previous = bytes[0]! >> 7;
    for (const byte of bytes) {
      for (let b = 7; b >= 0; b--) {
        const bit = (byte >> b) & 1;
        ones += bit;
        if (bit !== previous) runs++; // the very first bit equals `previous`: no new run
        previous = bit;
      }
    }
    // NIST SP 800-22 §2.1 frequency (monobit) test.
    const monobitP = erfc(Math.abs(2 * ones - n) / Math.sqrt(2 * n));
    assert.ok(monobitP > 0.001, `monobit p = ${monobitP}`);
    // NIST SP 800-22 §2.3 runs test.
    const pi = ones / n;
    const runsP = erfc(Math.abs(runs - 2 * n * pi * (1 - pi)) / (2 * Math.sqrt(2 * n) * pi * (1 - pi)));
    assert.ok(runsP > 0.001, `runs p = ${runsP}`);
  });
});

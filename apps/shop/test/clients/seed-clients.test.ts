// The seed tutorials' clients, written as their readers would in Python (Debian's python3 with
// requests, httpx and PyJWT), against the real shop listening on a free port: seed 004's
// login → token → /protected → revoke, seed 000's anonymous token flow, and a cookie-jar
// script that fetches its CSRF token.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createBrowser, createShop, PASSWORD } from '../helpers.js';

const PYTHON = '/usr/bin/python3';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `script` with `args`; no proxy variables, so requests and httpx talk to the shop directly. */
function runClient(script: string, args: readonly string[]): Promise<Run> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(PYTHON, [path, ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The JSON summary each client prints last, after checking that it exited cleanly. */
function summaryOf(run: Run): any {
  assert.equal(run.code, 0, `exit ${run.code}\n${run.stdout}\n${run.stderr}`);
  const lines = run.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] as string);
}

/** The real app (real clock, so token times are real) on 127.0.0.1 and a free port. */
async function listening(csrfMode: 'standard' | 'strict' = 'standard'): Promise<{ url: string; register(username: string): Promise<string> }> {
  const { app } = await createShop({ app: { now: Date.now, csrfMode } });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    async register(username) {
      const res = await createBrowser(app).post('/register', { username, password: PASSWORD });
      assert.equal(res.statusCode, 201, res.body);
      return res.json().id;
    },
  };
}

describe("the seeds' Python clients against the shop", () => {
  it('JW-24 seed 004 (requests + PyJWT): /token, claims, /protected, revoke with the access token, then 401', async () => {
    const shop = await listening();
    const userId = await shop.register('alice');
    const summary = summaryOf(await runClient('seed-004-client.py', [shop.url, 'alice', PASSWORD]));
    assert.equal(summary.claims.sub, userId);
    assert.equal(typeof summary.claims.sid, 'string');
    assert.ok(summary.claims.exp * 1000 > Date.now(), 'a live token, decoded without verifying');
    assert.deepEqual(summary.protected, { message: 'Welcome, alice' });
    assert.equal(summary.after.status, 401);
    assert.equal(summary.after.code, 'ERR_TOKEN_SESSION_ENDED');
    assert.match(summary.after.challenge, /^Bearer error="invalid_token"/);
  });

  it('seed 000 (httpx, as api.js): anonymous token, /user/me, /anonymous-data with its cart, bearer logout', async () => {
    const shop = await listening();
    const summary = summaryOf(await runClient('seed-000-client.py', [shop.url]));
    assert.match(summary.me.current_user_id, /^anonymous_/);
    assert.deepEqual(summary.data.data, { cart_items: 1, cart: [{ item_id: 1, quantity: 2 }] });
    assert.equal(summary.after.status, 401);
    assert.match(summary.after.challenge, /^Bearer error="invalid_token"/);
  });

  it('CS-14 a cookie-jar script (requests.Session) sends neither Origin nor Sec-Fetch-Site and passes', async () => {
    const shop = await listening();
    await shop.register('cron');
    const summary = summaryOf(await runClient('cookie-jar-client.py', [shop.url, 'cron', PASSWORD, 'standard']));
    assert.equal(summary.plain.status, 200);
    assert.deepEqual(summary.cart, [{ item_id: 1, quantity: 2 }]);
    assert.equal(summary.after, 401);
  });

  it("CS-04 with CSRF_MODE=strict the same script is refused without its CSRF token and passes with /csrf-token's", async () => {
    const shop = await listening('strict');
    await shop.register('cron');
    const summary = summaryOf(await runClient('cookie-jar-client.py', [shop.url, 'cron', PASSWORD, 'strict']));
    assert.equal(summary.plain.body.error.code, 'ERR_SESSION_CSRF');
    assert.deepEqual(summary.cart, [{ item_id: 1, quantity: 1 }]);
    assert.equal(summary.after, 401);
  });
});

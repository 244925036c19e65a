// The tutorials' own clients against the real shop on a real port: the FastAPI tutorial's
// httpx script (test_client.py, as written there) and the Flask tutorial's login form driven
// with requests (form_login.py). Both run with Debian's python3 and its httpx and requests.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createShop } from '../helpers.js';

/** Debian's interpreter, which has python3-httpx and python3-requests (scripts/ensure-test-tools.mjs). */
const PYTHON = '/usr/bin/python3';

/** Runs one client script against `url`; resolves with its exit code and output. */
function runClient(script: string, url: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(PYTHON, [file], { env: { PATH: process.env.PATH ?? '', SHOP_URL: url, PYTHONIOENCODING: 'utf-8' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The real app listening on a free port, on the real clock (the clients' cookie jars check dates). */
async function listeningShop(user: { username: string; password: string }): Promise<string> {
  const { app } = await createShop({ app: { now: Date.now } });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const register = await fetch(`${url}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(user) });
  assert.equal(register.status, 201);
  return url;
}

describe("the tutorials' clients", () => {
  it('CS-14 seed 001: test_client.py logs in with a form, reads the profile, adds item 42, logs out', async () => {
    const url = await listeningShop({ username: 'admin', password: 'secret-secret' });
    const { code, stdout, stderr } = await runClient('test_client.py', url);
    assert.equal(code, 0, stderr);
    // The script prints Python dicts: one line per step.
    const lines = stdout.trim().split('\n');
    assert.equal(lines.length, 4, stdout);
    assert.match(lines[0] as string, /^\{'user': \{'id': '[^']+', 'username': 'admin'\}\}$/);
    assert.match(
      lines[1] as string,
      /^\{'user': \{'id': '[^']+', 'username': 'admin'\}, 'session': \{'createdAt': \d+, 'expiresAt': \d+, 'persistent': False\}\}$/,
    );
    assert.equal(lines[2], "{'cart': [{'item_id': 42, 'quantity': 1}]}");
    assert.equal(lines[3], "{'ok': True}");
  });

  it('seed 002: form_login.py gets the form, posts it with its _csrf, lands on the dashboard, logs out', async () => {
    const url = await listeningShop({ username: 'test_user', password: 'test_password' });
    const { code, stdout, stderr } = await runClient('form_login.py', url);
    assert.equal(code, 0, stderr);
    const steps = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(steps, [
      { step: 'cart', status: 200, path: '/cart/add', redirects: [], cart: [{ item_id: 42, quantity: 1 }] },
      { step: 'login-form', status: 200, path: '/login', redirects: [], has_csrf: true, has_remember: true },
      { step: 'wrong-password', status: 401, path: '/login', redirects: [], says_invalid: true },
      { step: 'login', status: 200, path: '/dashboard', redirects: [303], greeting: 1, remembered_hours: 24 },
      { step: 'logout', status: 200, path: '/login', redirects: [303] },
      { step: 'dashboard-after-logout', status: 200, path: '/login', redirects: [303] },
    ]);
  });
});

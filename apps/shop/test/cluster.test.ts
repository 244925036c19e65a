// `npm run start:cluster` as it runs: src/cluster.ts starts two real shop processes on PORT
// and PORT + 1, sharing a data directory, with sessions in its SQLite file (the default) or
// in Redis (REDIS_URL); a cookie issued by one works on the other, revoking a device on one
// closes its socket on the other, and SIGTERM stops both. (WS-04, WS-05, SF-29 across
// processes)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { useTempDir } from './helpers.js';

const CLUSTER = fileURLToPath(new URL('../src/cluster.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PASSWORD = 'correct horse battery staple';

function isFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port P with P + 1 free too, both a moment ago. */
async function twoFreePorts(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    if ((await isFree(port)) && (await isFree(port + 1))) return port;
  }
  throw new Error('no two consecutive free ports');
}

async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const post = (url: string, body: unknown, cookie?: string) =>
  // Sec-Fetch-Site: what a browser's same-origin fetch sends, so the CSRF check passes.
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });

async function logIn(base: string, username: string): Promise<string> {
  const res = await post(`${base}/login`, { username, password: PASSWORD });
  assert.equal(res.status, 200);
  const cookie = res.headers.getSetCookie()[0]?.split(';')[0];
  assert.ok(cookie);
  return cookie;
}

const BACKENDS = [
  ['sqlite', {}],
  ['redis', { REDIS_URL: 'redis://127.0.0.1:6379' }],
] as const;

describe('npm run start:cluster', { timeout: 90_000 }, () => {
  for (const [service, backend] of BACKENDS) {
    it(`SF-29 two instances on ${service} share sessions; a revoke on one closes the socket on the other; SIGTERM stops both`, async () => {
      const port = await twoFreePorts();
      const [a, b] = [`http://127.0.0.1:${port}`, `http://127.0.0.1:${port + 1}`];
      const { SESSION_SECRET: _secret, REDIS_URL: _redis, DATABASE_URL: _database, ...inherited } = process.env;
      const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CLUSTER], {
        cwd: REPO_ROOT,
        env: { ...inherited, ...backend, HOST: '127.0.0.1', PORT: String(port), DATA_DIR: useTempDir()('data'), LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const output: string[] = [];
      createInterface({ input: child.stdout }).on('line', (line) => output.push(line));
      createInterface({ input: child.stderr }).on('line', (line) => output.push(line));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      try {
        for (const base of [a, b]) {
          const health = await until(`${base}/health`, async () => {
            const res = await fetch(`${base}/health`);
            return res.status === 200 ? ((await res.json()) as { checks: Record<string, { status: string; service?: string }> }) : null;
          });
          assert.equal(health.checks.store?.service, service);
          assert.deepEqual(health.checks.bus, { ...health.checks.bus, status: 'ok', service });
        }

        // Registered on A, logged in on A twice (a laptop and a phone); the phone's cookie
        // works on B, whose page origin is allowed on B's /ws by default.
        const username = `u${randomBytes(5).toString('hex')}`;
        assert.equal((await post(`${a}/register`, { username, password: PASSWORD })).status, 201);
        const laptop = await logIn(a, username);
        const phone = await logIn(a, username);
        assert.equal((await fetch(`${b}/profile`, { headers: { cookie: phone } })).status, 200);
        const ws = new WebSocket(`ws://127.0.0.1:${port + 1}/ws`, 'coatcheck.v1', { headers: { cookie: phone, origin: b } });
        const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
        await new Promise<void>((resolve, reject) => {
          ws.on('message', (data) => String(data).includes('"type":"ready"') && resolve());
          ws.once('error', reject);
        });

        const { sessions } = (await (await fetch(`${a}/sessions`, { headers: { cookie: laptop } })).json()) as {
          sessions: Array<{ id: string; current: boolean }>;
        };
        const phoneSession = sessions.find((s) => !s.current);
        assert.ok(phoneSession);
        assert.equal(
          (await fetch(`${a}/sessions/${phoneSession.id}`, { method: 'DELETE', headers: { cookie: laptop, 'sec-fetch-site': 'same-origin' } })).status,
          204,
        );
        assert.equal(await closed, 4401, 'the socket on B closed as revoked');
      } finally {
        child.kill('SIGTERM');
      }
      assert.equal(await exited, 0, output.join('\n'));
      for (const base of [a, b]) await assert.rejects(fetch(`${base}/health`), 'the instance stopped');
    });
  }
});

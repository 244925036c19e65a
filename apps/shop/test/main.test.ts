// Smoke test of src/main.ts as `npm start` runs it: a real process on a free port, a real
// data directory, signals for shutdown.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openSqliteDatabase } from '@coatcheck/sqlite';
import { SEALED_PROPERTY } from 'coatcheck/store-kit';
import { useTempDir } from './helpers.js';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface Running {
  url: string;
  child: ChildProcess;
  /** Every log message so far. */
  messages: string[];
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

function run(env: Record<string, string>): { child: ChildProcess; messages: string[]; exited: Promise<number | null> } {
  const { SESSION_SECRET: _ignored, TOKEN_KEYS: _keys, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', MAIN], {
    cwd: REPO_ROOT,
    env: { ...inherited, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const messages: string[] = [];
  const collect = (line: string) => {
    try {
      messages.push(String((JSON.parse(line) as { msg?: unknown }).msg));
    } catch {
      messages.push(line);
    }
  };
  createInterface({ input: child.stdout! }).on('line', collect);
  createInterface({ input: child.stderr! }).on('line', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, messages, exited };
}

/** Starts main.ts and waits for its "listening" log line. */
async function start(env: Record<string, string>): Promise<Running> {
  const { child, messages, exited } = run(env);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line after 20 s:\n${messages.join('\n')}`)), 20_000);
    const check = setInterval(() => {
      const line = messages.find((m) => m.startsWith('shop listening on '));
      if (line) {
        clearInterval(check);
        clearTimeout(timer);
        resolve(line.slice('shop listening on '.length));
      }
    }, 20);
    void exited.then((code) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening:\n${messages.join('\n')}`));
    });
  });
  return {
    url,
    child,
    messages,
    stop(signal = 'SIGTERM') {
      child.kill(signal);
      return exited;
    },
  };
}

async function waitForHealth(url: string): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(`${url}/health`);
      if (res.status === 200 || attempt >= 50) return res;
    } catch (error) {
      if (attempt >= 50) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function post(url: string, body: unknown, cookie?: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
}

describe('main.ts', { timeout: 240_000 }, () => {
  it('starts, serves, shuts down on SIGTERM, and keeps sessions across a restart with the generated secret and encryption key', async () => {
    const dataDir = useTempDir()('data');
    const first = await start({ DATA_DIR: dataDir });
    assert.match(first.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await waitForHealth(first.url);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status: string }).status, 'ok');

    assert.ok(
      first.messages.some((m) => m.includes('generated a random secret')),
      first.messages.join('\n'),
    );
    const secretFile = join(dataDir, 'session-secret');
    assert.equal(statSync(secretFile).mode & 0o777, 0o600);

    assert.equal((await post(`${first.url}/register`, { username: 'alice', password: 'correct horse battery' })).status, 201);
    const login = await post(`${first.url}/login`, { username: 'alice', password: 'correct horse battery' });
    assert.equal(login.status, 200);
    const cookie = login.headers.getSetCookie()[0]?.split(';')[0];
    assert.ok(cookie);
    assert.ok(
      first.messages.some((m) => m.includes('generated an Ed25519 signing key')),
      first.messages.join('\n'),
    );
    // Session data is encrypted at rest with a key generated beside the secret. (SF-30)
    assert.ok(
      first.messages.some((m) => m.includes('session data at rest: encrypted; SESSION_ENCRYPTION_KEYS is not set: generated a key')),
      first.messages.join('\n'),
    );
    const encryptionKeyFile = join(dataDir, 'session-encryption-key');
    assert.equal(statSync(encryptionKeyFile).mode & 0o777, 0o600);
    const db = openSqliteDatabase({ filename: join(dataDir, 'shop.sqlite') });
    try {
      const rows = db.prepare('SELECT data FROM coatcheck_sessions').all() as { data: string }[];
      assert.ok(rows.length > 0);
      for (const row of rows) assert.deepEqual(Object.keys(JSON.parse(row.data)), [SEALED_PROPERTY]);
    } finally {
      db.close();
    }
    const keyFile = join(dataDir, 'token-keys.json');
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    const token = (await (await post(`${first.url}/token`, { username: 'alice', password: 'correct horse battery' })).json()) as { access_token: string };
    const bearer = { authorization: `Bearer ${token.access_token}` };
    assert.equal((await fetch(`${first.url}/user/me`, { headers: bearer })).status, 200);

    assert.equal(await first.stop('SIGTERM'), 0);
    assert.ok(first.messages.includes('shop stopped'), first.messages.join('\n'));

    const second = await start({ DATA_DIR: dataDir });
    try {
      assert.ok(
        second.messages.some((m) => m.includes(`using the secret saved in ${secretFile}`)),
        second.messages.join('\n'),
      );
      assert.ok(
        second.messages.some((m) => m.includes(`encrypted with the key saved in ${encryptionKeyFile}`)),
        second.messages.join('\n'),
      );
      const profile = await fetch(`${second.url}/profile`, { headers: { cookie } });
      assert.equal(profile.status, 200, 'the session survived the restart');
      assert.equal(((await profile.json()) as { user: { username: string } }).user.username, 'alice');
      assert.ok(
        second.messages.some((m) => m.includes(`using the keys saved in ${keyFile}`)),
        second.messages.join('\n'),
      );
      assert.equal((await fetch(`${second.url}/user/me`, { headers: bearer })).status, 200, 'the access token survived the restart');
    } finally {
      assert.equal(await second.stop('SIGINT'), 0);
    }
  });

  it('refuses to start with a weak SESSION_SECRET, saying how to fix it', async () => {
    const dataDir = useTempDir()('data');
    const { messages, exited } = run({ DATA_DIR: dataDir, SESSION_SECRET: 'too-short' });
    assert.equal(await exited, 1);
    assert.ok(
      messages.some((m) => /at least 32 are required/.test(m)),
      messages.join('\n'),
    );
  });

  it('refuses to start with an unusable TOKEN_KEYS, saying what is wrong', async () => {
    for (const [value, pattern] of [
      ['not json', /TOKEN_KEYS is not JSON/],
      ['{"keys":[{"kid":"k","alg":"RS256","kty":"RSA","state":"current"}]}', /alg must be one of EdDSA, ES256, HS256/],
    ] as const) {
      const { messages, exited } = run({ DATA_DIR: useTempDir()('data'), TOKEN_KEYS: value });
      assert.equal(await exited, 1);
      assert.ok(
        messages.some((m) => pattern.test(m)),
        messages.join('\n'),
      );
    }
  });

  it('refuses to start with an invalid PORT', async () => {
    const { messages, exited } = run({ DATA_DIR: useTempDir()('data'), PORT: 'eighty' });
    assert.equal(await exited, 1);
    assert.ok(
      messages.some((m) => m.startsWith('shop: PORT must be')),
      messages.join('\n'),
    );
  });
});

// The key-rotation scenario of `coatcheck reencrypt`, run against every store: three sessions
// (one plain, two under an old key), a dry run, the run, a second run that finds nothing to do,
// the app reading every session with the new key alone, and a key that was not given reported.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSessionManager } from 'coatcheck';
import { createDataCipher, type SessionStore } from 'coatcheck/store-kit';
import { runCli, runJson } from './run-cli.js';

const key = () => randomBytes(32).toString('base64url');
const SECRET = randomBytes(32).toString('base64url');

/** A store to rotate: how to open it, and the CLI's store options for it. */
export interface Backend {
  open(): Promise<SessionStore> | SessionStore;
  readonly args: readonly string[];
}

interface Report {
  records: number;
  alreadyCurrent: number;
  resealed: Record<string, number>;
  unreadable: Record<string, number>;
  keyId: string;
}

/** Three sessions: one plain (before encryption), two under the old key; returns their cookies. */
async function seed(open: () => Promise<SessionStore> | SessionStore, oldKey: string): Promise<string[]> {
  const cookies: string[] = [];
  for (const encryption of [undefined, { keys: [oldKey] }, { keys: [oldKey] }]) {
    const store = await open();
    const manager = createSessionManager({ store, secrets: [SECRET], production: false, cache: false, ...(encryption ? { encryption } : {}) });
    const session = await manager.load({ secure: true });
    session.set('n', cookies.length);
    await session.login(`user-${cookies.length}`);
    cookies.push(((await session.commit())[0] as string).split(';')[0] as string);
    await store.close();
  }
  return cookies;
}

/** Runs the rotation scenario on `backend`. */
export async function rotateAndCheck(backend: Backend): Promise<void> {
  const [oldKey, newKey] = [key(), key()];
  const cookies = await seed(() => backend.open(), oldKey);
  const env = { SESSION_ENCRYPTION_KEYS: `${newKey},${oldKey}` };
  const cipher = createDataCipher([newKey, oldKey]);
  const oldId = createDataCipher([oldKey]).keyId;

  const dry = await runJson<Report>(['reencrypt', ...backend.args, '--dry-run', '--json'], { env });
  assert.equal(dry.code, 0, dry.stderr);
  assert.deepEqual([dry.json.records, dry.json.alreadyCurrent, dry.json.resealed], [3, 0, { plain: 1, [oldId]: 2 }]);

  const run = await runJson<Report>(['reencrypt', ...backend.args, '--json'], { env });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(run.json.resealed, { plain: 1, [oldId]: 2 });
  const again = await runJson<Report>(['reencrypt', ...backend.args, '--json'], { env });
  assert.deepEqual([again.json.alreadyCurrent, again.json.resealed], [3, {}]);

  // Only the new key is needed now, and every session still reads its own data.
  const store = await backend.open();
  try {
    const manager = createSessionManager({ store, secrets: [SECRET], production: false, cache: false, encryption: { keys: [newKey] } });
    for (const [index, cookie] of cookies.entries()) {
      const session = await manager.load({ cookie, secure: true });
      assert.equal(session.get('n'), index);
      const [record] = await store.listByUser(`user-${index}`, Date.now());
      assert.equal(cipher.keyIdOf(record?.data ?? {}), cipher.keyId);
    }
  } finally {
    await store.close();
  }

  // A key that is not given: reported, left alone, exit 1.
  const stranger = await runCli(['reencrypt', ...backend.args], { env: { SESSION_ENCRYPTION_KEYS: key() } });
  assert.equal(stranger.code, 1);
  assert.match(stranger.stdout, /NOT readable with the given keys, left as they are: 3 from key /);
}

/**
 * The at-rest check of encryption, run by each store's tests (SF-30): a manager with
 * `encryption` writes a signed-in session holding a marker on the real backend; the backend's
 * own dump of everything it holds must not contain the marker, while the user index still
 * finds the session and a new manager with the same key reads the data back.
 *
 * @module
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSessionManager } from 'coatcheck';
import type { SessionStore } from 'coatcheck/store-kit';

/** What {@link checkEncryptedAtRest} needs: the store, and everything the backend holds as text. */
export interface AtRestSubject {
  readonly store: SessionStore;
  /** Every byte the backend holds for this store, as text (rows, values, files). */
  dump(): Promise<string> | string;
}

/** Writes a session with a marker through an encrypting manager, then checks the dump. Returns the marker. */
export async function checkEncryptedAtRest(subject: AtRestSubject): Promise<string> {
  const marker = `card-${randomBytes(8).toString('hex')}`;
  const userId = `user-${randomBytes(6).toString('hex')}`;
  const options = {
    store: subject.store,
    secrets: [randomBytes(32).toString('base64url')],
    encryption: { keys: [randomBytes(32).toString('base64url')] },
    production: false,
    history: false,
  } as const;
  const manager = createSessionManager(options);
  const session = await manager.load({ secure: true, userAgent: 'at-rest-check' });
  session.set('card', marker);
  await session.login(userId);
  const cookie = ((await session.commit())[0] as string).split(';')[0] as string;
  const again = await manager.load({ cookie, secure: true });
  again.set('note', `${marker}-2`);
  await again.commit();

  const dump = await subject.dump();
  assert.ok(dump.includes(userId), 'the dump holds the session (its user id stays readable)');
  assert.ok(!dump.includes(marker), 'no session data in plain text at rest');

  const reader = createSessionManager(options);
  const read = await reader.load({ cookie, secure: true });
  assert.equal(read.get('card'), marker);
  assert.equal(read.get('note'), `${marker}-2`);
  assert.equal((await reader.listSessions(userId)).length, 1, 'the user index finds it');
  return marker;
}

// SF-30: with encryption on, the database file, its WAL and every row hold no session data in
// plain text, while the user index still works.
import { it } from 'node:test';
import { existsSync, readFileSync } from 'node:fs';
import { checkEncryptedAtRest } from '@coatcheck/testkit/encrypted-at-rest';
import { sqliteStore } from '@coatcheck/sqlite';
import { useTempDir } from './fixtures/temp-dir.js';

const path = useTempDir();

it('SF-30 the file, the WAL and the rows hold no session data in plain text', async () => {
  const filename = path('encrypted.db');
  const store = sqliteStore({ filename, pruneIntervalMs: 0 });
  try {
    await checkEncryptedAtRest({
      store,
      dump: () => {
        const rows = JSON.stringify(store.db.prepare('SELECT * FROM coatcheck_sessions').all());
        const files = [filename, `${filename}-wal`].filter(existsSync).map((file) => readFileSync(file).toString('latin1'));
        return [rows, ...files].join('\n');
      },
    });
  } finally {
    await store.close();
  }
});

// SF-30: with encryption on, no row of the sessions table holds session data in plain text
// (every column as text), while the user index still works.
import { it } from 'node:test';
import { checkEncryptedAtRest } from '@coatcheck/testkit/encrypted-at-rest';
import { postgresStore } from '@coatcheck/postgres';
import { DATABASE_URL, onCleanup, useAdmin, useTable } from './helpers/database.js';

const admin = useAdmin();
const table = useTable(admin, 'cc_at_rest');
const store = postgresStore({ connectionString: DATABASE_URL, tableName: table, pruneIntervalMs: 0 });
onCleanup(() => store.close());

it('SF-30 no row holds session data in plain text', async () => {
  await checkEncryptedAtRest({
    store,
    dump: async () => {
      const { rows } = await admin.query(`SELECT t::text AS row FROM "${table}" t`);
      return rows.map((r: { row: string }) => r.row).join('\n');
    },
  });
});

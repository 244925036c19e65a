// SF-01: the Postgres store passes the shared store contract. Every store of a run shares one
// pool and one table (the suite uses fresh random ids and drains before counting prunes); a
// second, shorter run gives each store its own pool from a connection string.
import pg from 'pg';
import { describeStoreConformance } from '@coatcheck/conformance';
import { postgresStore } from '@coatcheck/postgres';
import { DATABASE_URL, onCleanup, unique, useAdmin, useTable } from './helpers/database.js';

const admin = useAdmin();
const shared = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
onCleanup(() => shared.end());

// Generous deadline: the suite checks semantics; the outage tests check the deadline.
const opTimeoutMs = 10_000;

const sharedTable = useTable(admin, 'cc_conf');
const onShared = () => postgresStore({ pool: shared, tableName: sharedTable, pruneIntervalMs: 0, opTimeoutMs });
// Another store on the same table is what an instance restart gives.
describeStoreConformance('postgresStore (shared pool)', onShared, { restart: onShared });

const ownedTable = useTable(admin, 'cc_conf_owned');
describeStoreConformance(
  'postgresStore (own pool from a connection string)',
  () => postgresStore({ connectionString: DATABASE_URL, maxConnections: 4, tableName: ownedTable, pruneIntervalMs: 0, opTimeoutMs }),
  { numRuns: 10, concurrency: 20 },
);

// Tables in another schema behave the same.
const schema = unique('cc_schema');
onCleanup(() => admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
describeStoreConformance(
  'postgresStore (schema-qualified table)',
  async () => {
    await admin.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    return postgresStore({ pool: shared, schema, tableName: 'sessions', pruneIntervalMs: 0, opTimeoutMs });
  },
  { numRuns: 10 },
);

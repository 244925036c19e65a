/**
 * The options every store command shares, and how they become a store to open. Internal.
 *
 * @module
 */
import { integerOption, stringOption, type OptionSpec, type OptionValues } from '../command.js';
import { usageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { parseStoreUrl, SUPPORTED_STORE_URLS, type StoreSpec } from './store-url.js';

/** `--store` and friends. */
export const STORE_OPTIONS: OptionSpec = {
  store: { type: 'string', short: 's' },
  cluster: { type: 'boolean' },
  prefix: { type: 'string' },
  table: { type: 'string' },
  schema: { type: 'string' },
  channel: { type: 'string' },
  timeout: { type: 'string' },
};

/** The `--help` lines of {@link STORE_OPTIONS}. */
export const STORE_HELP = `Store options:
  --store URL      the session store (default: $COATCHECK_STORE), one of:
                     ${SUPPORTED_STORE_URLS.join('\n                     ')}
  --cluster        treat a redis:// or rediss:// URL as Redis Cluster seed nodes
  --prefix P       Redis key prefix of the app (default coatcheck:)
  --table NAME     SQLite or Postgres table (default coatcheck_sessions)
  --schema NAME    Postgres schema of the table (default: the search_path)
  --channel NAME   Postgres bus channel (default coatcheck_bus)
  --timeout MS     how long to wait for the store (default 5000)`;

/** What `openStore` needs, from the command line. */
export interface StoreSelection {
  readonly spec: StoreSpec;
  readonly prefix: string | undefined;
  readonly table: string | undefined;
  readonly schema: string | undefined;
  readonly channel: string | undefined;
  readonly timeoutMs: number;
}

/** Reads the store options; a usage error when no store is given. */
export function readStoreSelection(values: OptionValues, io: CliIo): StoreSelection {
  const url = stringOption(values, 'store') ?? io.env.COATCHECK_STORE;
  if (url === undefined || url === '') {
    throw usageError(
      `give the store with --store URL (or COATCHECK_STORE), e.g. --store sqlite:./sessions.db. Supported:\n  ${SUPPORTED_STORE_URLS.join('\n  ')}`,
    );
  }
  return {
    spec: parseStoreUrl(url, { cluster: values.cluster === true }),
    prefix: stringOption(values, 'prefix'),
    table: stringOption(values, 'table'),
    schema: stringOption(values, 'schema'),
    channel: stringOption(values, 'channel'),
    timeoutMs: integerOption(values, 'timeout', 5000),
  };
}

/**
 * Starts the shop: `npm start` at the repository root.
 *
 * Environment: `PORT` (3000), `HOST` (127.0.0.1), `DATA_DIR` (apps/shop/data),
 * `SESSION_SECRET` and `TOKEN_KEYS` (generated and kept in the data directory when unset),
 * `TRUST_PROXY` (off), `ALLOWED_HOSTS` (loopback names on a loopback HOST), `LOG_LEVEL` (info), `WS_ORIGINS` (page origins allowed on `/ws`),
 * `CORS_ORIGINS` (other origins whose pages may call the API),
 * `REDIS_URL` or `DATABASE_URL` (sessions in Redis or Postgres instead of the SQLite file;
 * users stay in SQLite), `ADMIN_USERS` (the first registered user), `THROTTLE_*` (see
 * hardening/throttle-config.ts), `MAX_DEVICES` and `MAX_DEVICES_POLICY` (10, oldest; see
 * devices/device-cap.ts). SIGINT/SIGTERM close the server (in-flight requests finish),
 * then the store, then the database.
 *
 * @module
 */
import { isSessionError } from 'coatcheck';
import { buildApp } from './app.js';
import { openDatabase, prepareDataDir } from './hardening/data-dir.js';
import { openBackends } from './backends.js';
import { ConfigError, readConfig } from './config.js';
import { WEB_DIST } from './routes/web.js';
import { resolveEncryptionKeys, resolveSecrets, type ResolvedSecrets } from './secret.js';
import { readOrigins } from './realtime/ws.js';
import { importKeySet } from '@coatcheck/tokens';
import { resolveTokenKeys, type ResolvedTokenKeys } from './token-keys.js';
import { describeThrottle, THROTTLE_VARIABLES } from './hardening/throttle-config.js';
import { describeDeviceCap } from './devices/device-cap.js';

/** Database file inside the data directory: users and sessions, in separate tables. */
export const DATABASE_FILE = 'shop.sqlite';
/** How long a shutdown may take before the process gives up waiting. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

function describeSecret({ source, path }: ResolvedSecrets): string {
  if (source === 'env') return 'session secret: from SESSION_SECRET';
  if (source === 'generated') {
    return `SESSION_SECRET is not set: generated a random secret and saved it to ${path} so sessions survive restarts; set SESSION_SECRET to manage it yourself`;
  }
  return `SESSION_SECRET is not set: using the secret saved in ${path}`;
}

function describeEncryption(resolved: ResolvedSecrets | null): string {
  if (resolved === null) return 'session data at rest: not encrypted (SESSION_ENCRYPTION_KEYS=off)';
  if (resolved.source === 'env') return 'session data at rest: encrypted with SESSION_ENCRYPTION_KEYS';
  if (resolved.source === 'generated')
    return `session data at rest: encrypted; SESSION_ENCRYPTION_KEYS is not set: generated a key and saved it to ${resolved.path}`;
  return `session data at rest: encrypted with the key saved in ${resolved.path}`;
}

function describeTokenKeys({ source, path }: ResolvedTokenKeys): string {
  if (source === 'env') return 'token keys: from TOKEN_KEYS';
  if (source === 'generated') return `TOKEN_KEYS is not set: generated an Ed25519 signing key and saved it to ${path}`;
  return `TOKEN_KEYS is not set: using the keys saved in ${path}`;
}

async function main(): Promise<void> {
  const config = readConfig(process.env);
  // 0700 whatever it was before, and every file in it 0600 (AP-05).
  prepareDataDir(config.dataDir);
  const secret = resolveSecrets(config.secrets, config.dataDir);
  const encryption = resolveEncryptionKeys(config.encryptionKeys, config.dataDir);
  const tokenKeys = await resolveTokenKeys(config.tokenKeys, config.dataDir);
  // Unusable keys fail here, with their message, before anything is opened.
  await importKeySet(tokenKeys.keys);

  const db = openDatabase(config.dataDir, DATABASE_FILE, config.sqliteDriver ?? undefined);
  let backends: Awaited<ReturnType<typeof openBackends>>;
  try {
    backends = await openBackends(config, db);
  } catch (error) {
    db.close();
    throw error;
  }
  const { store, bus } = backends;
  let app: ReturnType<typeof buildApp>;
  try {
    app = buildApp({
      store,
      bus,
      db,
      secrets: secret.secrets,
      encryptionKeys: encryption?.secrets ?? null,
      logger: { level: config.logLevel },
      trustProxy: config.trustProxy,
      lifetimes: config.lifetimes,
      admins: config.admins ?? 'first-user',
      csrfMode: config.csrfMode,
      allowedHosts: config.allowedHosts,
      corsOrigins: config.corsOrigins,
      throttles: config.throttles,
      stepUpCheckoutAbove: config.stepUpCheckoutAbove,
      deviceCap: config.deviceCap,
      rateLimitBackend: backends.rateLimit,
      activeSessions: backends.countActive,
      tracing: config.tracing,
      web: WEB_DIST,
      realtime: { origins: readOrigins(process.env, config.host, config.port) },
      tokenKeys: tokenKeys.keys,
    });
  } catch (error) {
    await backends.close();
    db.close();
    throw error;
  }
  app.log.info(describeSecret(secret));
  app.log.info(describeEncryption(encryption));
  app.log.info(config.admins ? `admins: ${config.admins.join(', ')} (ADMIN_USERS)` : 'admins: the first registered user (set ADMIN_USERS to choose)');
  app.log.info(describeTokenKeys(tokenKeys));
  app.log.info(`sessions: ${backends.kind}${bus ? ' (with cross-instance bus and local cache)' : ''}`);
  app.log.info(
    `SQLite (users, orders${backends.kind === 'sqlite' ? ', sessions' : ''}): ${db.driver}${config.sqliteDriver ? ' (SQLITE_DRIVER)' : ' (set SQLITE_DRIVER to choose)'}`,
  );
  app.log.info(`devices: ${describeDeviceCap(config.deviceCap)}`);
  app.log.info(`throttles (in ${backends.kind}): ${THROTTLE_VARIABLES.map(({ name, key }) => `${name}=${describeThrottle(config.throttles[key])}`).join(' ')}`);
  if (config.allowedHosts === null)
    app.log.warn('no Host allow-list: every Host header is answered; set ALLOWED_HOSTS to the names of this server (DNS rebinding)');

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      app.log.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    setTimeout(() => {
      app.log.error('shutdown timed out; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    try {
      // Order matters: requests still running may write sessions, so the store closes last.
      await app.close();
      await backends.close();
      db.close();
      app.log.info('shop stopped');
    } catch (error) {
      app.log.error({ err: error }, 'error while shutting down');
      process.exitCode = 1;
    }
  };
  process.on('SIGINT', (signal) => void stop(signal));
  process.on('SIGTERM', (signal) => void stop(signal));

  try {
    const url = await app.listen({ port: config.port, host: config.host });
    app.log.info({ url }, `shop listening on ${url}`);
  } catch (error) {
    app.log.error({ err: error }, 'could not start the server');
    await app.close();
    await backends.close();
    db.close();
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  // Configuration mistakes get their message only; it says how to fix them.
  const known = error instanceof ConfigError || isSessionError(error);
  console.error(known ? `shop: ${(error as Error).message}` : error);
  process.exitCode = 1;
});

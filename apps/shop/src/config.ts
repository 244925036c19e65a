/**
 * Configuration from the environment, validated once at start-up with messages that say how
 * to fix the problem.
 *
 * @module
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAdminUsers } from './admin/admins.js';
import { readAllowedHosts } from './hardening/host-allow-list.js';
import type { TokenKeyFile } from '@coatcheck/tokens';
import type { SessionLimitOptions } from 'coatcheck';
import { normalizeOrigin } from 'coatcheck/adapter';
import { DEFAULT_STEP_UP_CHECKOUT_ABOVE } from './checkout/checkout.js';
import { readLifetimes, type ShopLifetimes } from './lifetimes.js';
import { readThrottles, type ShopThrottles } from './hardening/throttle-config.js';
import { ConfigError } from './config-error.js';

export { ConfigError } from './config-error.js';
import { readDeviceCap } from './devices/device-cap.js';

/** The shop's configuration. */
export interface ShopConfig {
  /** `PORT`; `0` picks a free port. @default 3000 */
  readonly port: number;
  /** `HOST`. @default '127.0.0.1' (not reachable from other machines) */
  readonly host: string;
  /** `DATA_DIR`, absolute. @default apps/shop/data */
  readonly dataDir: string;
  /** `SESSION_SECRET`, comma-separated for rotation (new first); `null` when unset. */
  readonly secrets: readonly string[] | null;
  /** `SESSION_ENCRYPTION_KEYS`, comma-separated (new first); `null` when unset (a key is generated), `'off'` for none. */
  readonly encryptionKeys: readonly string[] | null | 'off';
  /** `TRUST_PROXY`: `true`/`1` (trust every proxy), or comma-separated proxy addresses/CIDRs. @default false */
  readonly trustProxy: boolean | string[];
  /** `LOG_LEVEL`. @default 'info' */
  readonly logLevel: string;
  /**
   * `SQLITE_DRIVER`: `node:sqlite` or `better-sqlite3` for the shop's SQLite file; `null`
   * (unset) lets `@coatcheck/sqlite` choose: node:sqlite where Node has it, else better-sqlite3.
   */
  readonly sqliteDriver: 'node:sqlite' | 'better-sqlite3' | null;
  /** `REDIS_URL`: keep sessions in Redis (several instances share them). */
  readonly redisUrl: string | null;
  /** `DATABASE_URL`: keep sessions in Postgres (several instances share them). */
  readonly databaseUrl: string | null;
  /** `ADMIN_USERS`: comma-separated usernames; `null` makes the first registered user the admin. */
  readonly admins: readonly string[] | null;
  /** `TOKEN_KEYS`: the access-token key file as JSON; `null` when unset (kept in `DATA_DIR`). */
  readonly tokenKeys: TokenKeyFile | null;
  /** `CSRF_MODE`: `standard` or `strict` (see docs/csrf.md). @default 'standard' */
  readonly csrfMode: 'standard' | 'strict';
  /**
   * `SESSION_IDLE_TIMEOUT`, `SESSION_ABSOLUTE_TIMEOUT`, `REMEMBER_ME_LIFETIME`,
   * `ACCESS_TOKEN_TTL`, `REFRESH_TOKEN_LIFETIME`: seconds, or a number with `s`, `m`, `h`
   * or `d`. @default DEFAULT_LIFETIMES
   */
  readonly lifetimes: ShopLifetimes;
  /**
   * `ALLOWED_HOSTS`: `Host` values answered; `null` checks nothing (`*`, or bound to a
   * non-loopback address with the variable unset). @default on loopback, localhost,
   * 127.0.0.1 and [::1] on the port
   */
  readonly allowedHosts: readonly string[] | null;
  /**
   * `REDIS_WAIT_REPLICAS` (and `REDIS_WAIT_TIMEOUT_MS`, default 100): with Redis, confirm every
   * session change and revocation with `WAIT` on this many replicas, so a failover cannot undo
   * a logout (the store's `waitForReplicas`). `null`: off. @default null
   */
  readonly redisWaitForReplicas: { readonly replicas: number; readonly timeoutMs: number } | null;
  /**
   * `CORS_ORIGINS`: comma-separated exact origins (`https://app.example`) of pages served
   * elsewhere that may call the API with credentials; they are CSRF-trusted too. @default []
   */
  readonly corsOrigins: readonly string[];
  /**
   * `OTEL_TRACES`: `1`/`true` traces session work through the OpenTelemetry tracer provider
   * an SDK registered (preload one: `node --import ./otel.mjs`); without an SDK the spans are
   * no-ops. @default false
   */
  readonly tracing: boolean;
  /**
   * `THROTTLE_LOGIN_ADDRESS`, `THROTTLE_LOGIN_ACCOUNT_ADDRESS`, `THROTTLE_LOGIN_ACCOUNT`,
   * `THROTTLE_REGISTER_ADDRESS`, `THROTTLE_REFRESH_ADDRESS`, `THROTTLE_NEW_SESSIONS`: tiers `limit/window`
   * (`5/1m,20/1h`), or `off`. @default DEFAULT_THROTTLES
   */
  readonly throttles: ShopThrottles;
  /**
   * `STEP_UP_CHECKOUT_ABOVE`: orders above this total, in cents, need a fresh authentication;
   * `off`: none do. @default 10000
   */
  readonly stepUpCheckoutAbove: number | null;
  /**
   * `MAX_DEVICES` (1 to 1000, or `off`) and `MAX_DEVICES_POLICY` (`oldest`, `idlest` or
   * `reject`): how many devices one account may be signed in on, and what a sign-in beyond
   * that does; `null`: no cap. @default DEFAULT_DEVICE_CAP (10, oldest)
   */
  readonly deviceCap: SessionLimitOptions | null;
}

/** apps/shop/data, wherever the process was started from. */
const DEFAULT_DATA_DIR = fileURLToPath(new URL('../data', import.meta.url));

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

function readPort(value: string | undefined): number {
  if (value === undefined || value === '') return 3000;
  const port = /^[0-9]{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new ConfigError(`PORT must be a number from 0 to 65535; got ${JSON.stringify(value)}.`);
  return port;
}

/** A comma-separated list of secrets (the current one first), or `null` when unset. */
function readSecretList(value: string | undefined, name: string): string[] | null {
  if (!value) return null;
  const list = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  if (list.length === 0) throw new ConfigError(`${name} is set but empty.`);
  return list;
}

function readTrustProxy(value: string | undefined): boolean | string[] {
  const text = value?.trim().toLowerCase() ?? '';
  if (text === '' || text === 'false' || text === '0') return false;
  if (text === 'true' || text === '1') return true;
  // A hop count is not offered: it trusts whoever happens to be N hops away.
  if (/^[0-9]+$/.test(text)) throw new ConfigError('TRUST_PROXY must be true, false, or comma-separated proxy addresses/CIDRs (e.g. 127.0.0.1,10.0.0.0/8).');
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/** Reads the configuration from `env` (normally `process.env`). Throws {@link ConfigError}. */
export function readConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): ShopConfig {
  const dataDir = env.DATA_DIR ? (isAbsolute(env.DATA_DIR) ? env.DATA_DIR : resolve(cwd, env.DATA_DIR)) : DEFAULT_DATA_DIR;
  const secrets = readSecretList(env.SESSION_SECRET, 'SESSION_SECRET');
  const logLevel = env.LOG_LEVEL?.trim() || 'info';
  if (!LOG_LEVELS.has(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${[...LOG_LEVELS].join(', ')}.`);
  const redisUrl = readUrl('REDIS_URL', env.REDIS_URL, ['redis:', 'rediss:']);
  const databaseUrl = readUrl('DATABASE_URL', env.DATABASE_URL, ['postgres:', 'postgresql:']);
  if (redisUrl && databaseUrl) throw new ConfigError('Set REDIS_URL or DATABASE_URL, not both: sessions live in one store.');
  const tokenKeys = readTokenKeys(env.TOKEN_KEYS);
  const lifetimes = readLifetimes(env);
  const port = readPort(env.PORT?.trim());
  const host = env.HOST?.trim() || '127.0.0.1';
  return Object.freeze({
    port,
    host,
    dataDir,
    secrets,
    encryptionKeys: env.SESSION_ENCRYPTION_KEYS?.trim() === 'off' ? 'off' : readSecretList(env.SESSION_ENCRYPTION_KEYS, 'SESSION_ENCRYPTION_KEYS'),
    trustProxy: readTrustProxy(env.TRUST_PROXY),
    logLevel,
    sqliteDriver: readSqliteDriver(env.SQLITE_DRIVER),
    redisUrl,
    databaseUrl,
    admins: parseAdminUsers(env.ADMIN_USERS),
    tokenKeys,
    csrfMode: readCsrfMode(env.CSRF_MODE),
    lifetimes,
    allowedHosts: readHosts(env.ALLOWED_HOSTS, host, port),
    redisWaitForReplicas: readWaitForReplicas(env, redisUrl),
    corsOrigins: readCorsOrigins(env.CORS_ORIGINS),
    tracing: readTracing(env.OTEL_TRACES),
    throttles: readThrottles(env),
    stepUpCheckoutAbove: readStepUpAbove(env.STEP_UP_CHECKOUT_ABOVE),
    deviceCap: readDevices(env),
  });
}

function readSqliteDriver(value: string | undefined): ShopConfig['sqliteDriver'] {
  const text = value?.trim() ?? '';
  if (text === '') return null;
  if (text === 'node:sqlite' || text === 'better-sqlite3') return text;
  throw new ConfigError(`SQLITE_DRIVER must be node:sqlite or better-sqlite3 (or unset to choose automatically); got ${JSON.stringify(value)}.`);
}

function readStepUpAbove(value: string | undefined): number | null {
  const text = value?.trim() ?? '';
  if (text === '') return DEFAULT_STEP_UP_CHECKOUT_ABOVE;
  if (text === 'off') return null;
  if (/^[0-9]{1,9}$/.test(text)) return Number(text);
  throw new ConfigError(`STEP_UP_CHECKOUT_ABOVE must be a whole number of cents (10000 is 100.00) or off; got ${JSON.stringify(value)}.`);
}

function readDevices(env: NodeJS.ProcessEnv): SessionLimitOptions | null {
  try {
    return readDeviceCap(env.MAX_DEVICES, env.MAX_DEVICES_POLICY);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

function readTracing(value: string | undefined): boolean {
  const text = value?.trim().toLowerCase() ?? '';
  if (text === '' || text === '0' || text === 'false') return false;
  if (text === '1' || text === 'true') return true;
  throw new ConfigError(`OTEL_TRACES must be 1 (trace session work) or 0; got ${JSON.stringify(value)}.`);
}

function readWaitForReplicas(env: NodeJS.ProcessEnv, redisUrl: string | null): ShopConfig['redisWaitForReplicas'] {
  const replicasText = env.REDIS_WAIT_REPLICAS?.trim() ?? '';
  const timeoutText = env.REDIS_WAIT_TIMEOUT_MS?.trim() ?? '';
  if (replicasText === '' || replicasText === '0') {
    if (timeoutText !== '') throw new ConfigError('REDIS_WAIT_TIMEOUT_MS needs REDIS_WAIT_REPLICAS (the number of replicas that must confirm each write).');
    return null;
  }
  if (!redisUrl) throw new ConfigError('REDIS_WAIT_REPLICAS needs REDIS_URL: it confirms writes to Redis replicas.');
  const replicas = /^[1-9][0-9]?$/.test(replicasText) ? Number(replicasText) : NaN;
  if (Number.isNaN(replicas))
    throw new ConfigError(`REDIS_WAIT_REPLICAS must be a number of replicas from 0 (off) to 99; got ${JSON.stringify(replicasText)}.`);
  // The store refuses a timeout at or above its operation deadline (1000 ms) itself, with a
  // message that says so; here only the shape is checked.
  const timeoutMs = timeoutText === '' ? 100 : /^[1-9][0-9]{0,5}$/.test(timeoutText) ? Number(timeoutText) : NaN;
  if (Number.isNaN(timeoutMs)) throw new ConfigError(`REDIS_WAIT_TIMEOUT_MS must be a number of milliseconds; got ${JSON.stringify(timeoutText)}.`);
  return Object.freeze({ replicas, timeoutMs });
}

function readHosts(value: string | undefined, host: string, port: number): readonly string[] | null {
  try {
    return readAllowedHosts(value, host, port);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

function readCorsOrigins(value: string | undefined): readonly string[] {
  const parts = (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  // The origin rule is the library's (the one its CORS option applies); only the message is ours.
  return Object.freeze(
    parts.map((part) => {
      try {
        return normalizeOrigin(part, 'CORS_ORIGINS');
      } catch {
        throw new ConfigError(
          `CORS_ORIGINS lists exact origins, scheme://host[:port] with no path and never *, comma-separated (e.g. https://app.example,http://localhost:5173); got ${JSON.stringify(part)}.`,
        );
      }
    }),
  );
}

function readCsrfMode(value: string | undefined): 'standard' | 'strict' {
  const text = value?.trim().toLowerCase() ?? '';
  if (text === '' || text === 'standard') return 'standard';
  if (text === 'strict') return 'strict';
  throw new ConfigError(`CSRF_MODE must be standard or strict; got ${JSON.stringify(value)}.`);
}

function readTokenKeys(value: string | undefined): TokenKeyFile | null {
  const text = value?.trim() ?? '';
  if (text === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError('TOKEN_KEYS is not JSON; expected a key file {"keys": [...]} as generateKeyFile() of @coatcheck/tokens writes it.');
  }
  if (parsed === null || typeof parsed !== 'object' || !Array.isArray((parsed as { keys?: unknown }).keys)) {
    throw new ConfigError('TOKEN_KEYS must be a key file {"keys": [...]}.');
  }
  return parsed as TokenKeyFile;
}

function readUrl(name: string, value: string | undefined, protocols: readonly string[]): string | null {
  const text = value?.trim() ?? '';
  if (text === '') return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`${name} is not a URL; expected e.g. ${protocols[0]}//127.0.0.1.`);
  }
  if (!protocols.includes(url.protocol)) throw new ConfigError(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}.`);
  return text;
}

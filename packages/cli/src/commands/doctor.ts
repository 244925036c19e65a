/**
 * `coatcheck doctor`: checks a deployment (secret, store, app) and says what to fix.
 *
 * @module
 */
import type { RedisClientLike } from '@coatcheck/redis';
import { stringOption, type Command } from '../command.js';
import { CliError, EXIT_CODES, usageError } from '../errors.js';
import { emit } from '../io.js';
import { fail, renderFindings, type Finding } from '../doctor/finding.js';
import { checkApp } from '../doctor/http-checks.js';
import { checkRedis } from '../doctor/redis-checks.js';
import { checkSecrets } from '../doctor/secret-checks.js';
import { checkClock, checkLatency, checkPostgres } from '../doctor/store-checks.js';
import { openStore } from '../store/open-store.js';
import { readStoreSelection, STORE_HELP, STORE_OPTIONS } from '../store/store-options.js';

/** `coatcheck doctor`. */
export const doctorCommand: Command = {
  name: 'doctor',
  summary: "check a deployment: secret, store settings and clock, the app's cookie and headers",
  options: { ...STORE_OPTIONS, url: { type: 'string' }, cookie: { type: 'string' }, 'secret-env': { type: 'string' } },
  help: `Usage: coatcheck doctor [--store URL] [--url APP_URL] [--cookie NAME] [--secret-env NAME] [--json]

Checks what it is given and prints one finding per check: ok, warn or fail, what was found,
and the fix.

  secret   (from $SESSION_SECRET, or the variable --secret-env names) the app's own rules
           (at least 32 bytes, no published example, not a few repeated characters), an
           entropy estimate, and how many secrets the rotation keeps
  store    (--store) latency over a few round trips and the clock against the store's
           (Redis TIME, Postgres now()); Redis: maxmemory-policy (anything but noeviction
           evicts live sessions), persistence (appendonly, save), replicas, memory, on every
           master of a Cluster; Postgres: the table answers the store's read, server version
  app      (--url) one GET: HTTPS, Strict-Transport-Security, X-Content-Type-Options, and the
           session cookie (--cookie NAME, default __Host-sid or the first one set): Secure,
           HttpOnly, the __Host- prefix, SameSite

${STORE_HELP}

Exit codes: 0 no failure (warnings allowed), 1 at least one check failed, 2 usage error,
3 the store or the app could not be reached, 4 store package missing.

Examples:
  SESSION_SECRET=... coatcheck doctor --store redis://10.0.0.5:6379 --prefix shop:
  coatcheck doctor --store postgres://app@db/app --url https://shop.example/login --json`,
  async run({ values, positionals, io, json }) {
    if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}". See: coatcheck doctor --help`);
    const secretEnv = stringOption(values, 'secret-env') ?? 'SESSION_SECRET';
    const url = stringOption(values, 'url');
    const hasStore = stringOption(values, 'store') !== undefined || Boolean(io.env.COATCHECK_STORE);
    if (!hasStore && url === undefined && io.env[secretEnv] === undefined) {
      throw usageError(`nothing to check: give --store URL, --url APP_URL, or ${secretEnv} in the environment. See: coatcheck doctor --help`);
    }
    const findings: Finding[] = [...checkSecrets(io.env[secretEnv], secretEnv)];
    let unreachable = false;
    if (hasStore) {
      const selection = readStoreSelection(values, io);
      try {
        const opened = await openStore(selection);
        const keepAlive = setInterval(() => {}, 1000);
        try {
          findings.push(await checkLatency(opened), await checkClock(opened));
          if (opened.kind === 'redis') findings.push(...(await checkRedis(opened.handles.redis as RedisClientLike)));
          if (opened.kind === 'postgres') findings.push(...(await checkPostgres(opened)));
        } finally {
          await opened.close().catch(() => {});
          clearInterval(keepAlive);
        }
      } catch (error) {
        if (!(error instanceof CliError) || error.exitCode !== EXIT_CODES.unreachable) throw error;
        unreachable = true;
        findings.push(
          fail(
            'store',
            error.message.replace(/^cannot use the store /, 'cannot reach '),
            'check the URL, that the store is running and reachable from here, and the credentials',
          ),
        );
      }
    }
    if (url !== undefined) {
      const app = await checkApp(url, stringOption(values, 'cookie'), selectionTimeout(values.timeout));
      findings.push(...app.findings);
      if (!app.reached) unreachable = true;
    }
    emit(
      io,
      json,
      {
        findings,
        ok: findings.filter((f) => f.level === 'ok').length,
        warn: findings.filter((f) => f.level === 'warn').length,
        fail: findings.filter((f) => f.level === 'fail').length,
      },
      (r) => renderFindings(r.findings),
    );
    if (unreachable) return EXIT_CODES.unreachable;
    return findings.some((f) => f.level === 'fail') ? EXIT_CODES.failure : EXIT_CODES.ok;
  },
};

function selectionTimeout(raw: unknown): number {
  const value = Number(raw ?? 5000);
  return Number.isSafeInteger(value) && value > 0 ? value : 5000;
}

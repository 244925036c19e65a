/**
 * `coatcheck revoke`: ends one session or a user's sessions through a session manager on
 * the app's bus, so caches, tokens and open sockets on every instance follow at once.
 *
 * @module
 */
import { stringOption, type Command } from '../command.js';
import { CliError, EXIT_CODES, usageError } from '../errors.js';
import { emit } from '../io.js';
import { openManager } from '../store/open-manager.js';
import { withStore } from '../store/open-store.js';
import { readStoreSelection, STORE_HELP, STORE_OPTIONS } from '../store/store-options.js';

/** The session history names the command as who revoked. */
const CLI = { actor: 'cli' } as const;
const BUS_NAMES = { redis: 'redis pub/sub', postgres: 'postgres NOTIFY', sqlite: 'the SQLite file' } as const;

/** What a revocation did. */
interface Revocation {
  revoked: string[];
  announced: boolean;
  bus: string;
  warnings: string[];
}

/** `coatcheck revoke`. */
export const revokeCommand: Command = {
  name: 'revoke',
  summary: "end a session, or a user's sessions, on every instance",
  options: { ...STORE_OPTIONS, session: { type: 'string' }, user: { type: 'string', short: 'u' }, except: { type: 'string' } },
  help: `Usage: coatcheck revoke --session SESSION_ID --store URL [--json]
       coatcheck revoke --user USER [--except SESSION_ID] --store URL [--json]

Ends sessions the way the app does (manager.revokeSession / revokeAllSessions /
revokeOtherSessions) and announces it on the app's bus: Redis pub/sub on the same prefix,
Postgres NOTIFY on --channel. Instances drop their cached copies, refuse the session's
tokens, and close its WebSockets at once. SQLite has no bus: every instance reads the file,
so the next request fails, but open sockets stay until their next check.

${STORE_HELP}

Exit codes: 0 revoked, 1 nothing to revoke (no such live session or no sessions),
2 usage error, 3 store unreachable, 4 store package missing.

Examples:
  coatcheck revoke --session 3q2-7wE... --store redis://127.0.0.1:6379 --prefix shop:
  coatcheck revoke --user 42 --store postgres://app@db/app     # log out everywhere
  coatcheck revoke --user 42 --except 3q2-7wE... --store sqlite:./sessions.db`,
  async run({ values, positionals, io, json }) {
    if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}". See: coatcheck revoke --help`);
    const sessionId = stringOption(values, 'session');
    const userId = stringOption(values, 'user');
    const except = stringOption(values, 'except');
    if ((sessionId === undefined) === (userId === undefined)) throw usageError('give either --session ID or --user USER. See: coatcheck revoke --help');
    if (except !== undefined && userId === undefined) throw usageError('--except goes with --user.');
    const selection = readStoreSelection(values, io);
    const result = await withStore(selection, { bus: true }, async (opened): Promise<Revocation> => {
      const { manager, busErrors } = openManager(opened);
      try {
        let revoked: string[];
        if (sessionId !== undefined) {
          const record = await opened.store.get(sessionId, Date.now());
          if (record === null) revoked = [];
          else if (record.userId !== null) revoked = (await manager.revokeSession(record.userId, sessionId, CLI)) ? [sessionId] : [];
          else {
            // An anonymous session has no owner to revoke it for: end it as its own logout would.
            const session = await manager.loadById(sessionId);
            revoked = session.id === null ? [] : [session.id];
            if (session.id !== null) await session.destroy();
          }
        } else if (except !== undefined) revoked = await manager.revokeOtherSessions(userId as string, except, CLI);
        else revoked = await manager.revokeAllSessions(userId as string, CLI);
        const bus = opened.bus === null ? 'none' : BUS_NAMES[opened.kind];
        return { revoked, announced: opened.bus !== null && busErrors.length === 0, bus, warnings: busErrors };
      } finally {
        await manager.close();
      }
    });
    if (result.revoked.length === 0) {
      const what = sessionId !== undefined ? `no live session ${sessionId}` : `no live sessions of user ${userId}${except ? ` other than ${except}` : ''}`;
      throw new CliError('ERR_CLI_FAILED', `${what} in ${selection.spec.display}; nothing revoked.`);
    }
    emit(io, json, result, (r) => [
      `revoked ${r.revoked.length} session(s): ${r.revoked.join(', ')}`,
      r.announced
        ? `announced on the bus (${r.bus}): other instances close their sockets now`
        : r.bus === 'none'
          ? 'no bus: every instance sees it on its next read of the session'
          : `NOT announced on the bus (${r.bus}): other instances notice at their next store read`,
      ...r.warnings.map((w) => `warning: ${w}`),
    ]);
    return EXIT_CODES.ok;
  },
};

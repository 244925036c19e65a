/**
 * `coatcheck sessions list | show`: a user's devices as the app's device list shows them,
 * and one session's record and lifetimes.
 *
 * @module
 */
import type { DeviceSession } from 'coatcheck';
import type { SessionRecord } from 'coatcheck/store-kit';
import { stringOption, type Command } from '../command.js';
import { CliError, EXIT_CODES, usageError } from '../errors.js';
import { emit, formatDuration, formatTime } from '../io.js';
import { openManager } from '../store/open-manager.js';
import { withStore } from '../store/open-store.js';
import { readStoreSelection, STORE_HELP, STORE_OPTIONS } from '../store/store-options.js';

function renderDevices(result: { userId: string; sessions: DeviceSession[] }): string[] {
  if (result.sessions.length === 0) return [`no live sessions for user ${result.userId}`];
  return [
    `${result.sessions.length} live session(s) of user ${result.userId}:`,
    ...result.sessions.map(
      (s) =>
        `  ${s.id}  ${s.label}${s.persistent ? ' (remember me)' : ''}  ip ${s.ip ?? '-'}  created ${formatTime(s.createdAt)}  last seen ${formatTime(s.lastSeenAt)}  expires ${formatTime(s.expiresAt)}`,
    ),
  ];
}

/** What `sessions show` prints: the record's fields, data keys only unless asked. */
function describeRecord(record: SessionRecord, now: number, withData: boolean) {
  return {
    id: record.id,
    userId: record.userId,
    persistent: record.persistent,
    version: record.version,
    createdAt: record.createdAt,
    lastSeenAt: record.lastSeenAt,
    authenticatedAt: record.authenticatedAt,
    idleExpiresAt: record.expiresAt,
    absoluteExpiresAt: record.absoluteExpiresAt,
    expiresIn: record.expiresAt - now,
    age: now - record.createdAt,
    device: record.device,
    dataKeys: Object.keys(record.data).sort(),
    ...(withData ? { data: record.data } : {}),
  };
}

function renderRecord(r: ReturnType<typeof describeRecord>): string[] {
  return [
    `session ${r.id}`,
    `  user              ${r.userId ?? '(anonymous)'}`,
    `  remember me       ${r.persistent ? 'yes' : 'no'}`,
    `  created           ${formatTime(r.createdAt)} (${formatDuration(r.age)} ago)`,
    `  last seen         ${formatTime(r.lastSeenAt)}`,
    `  signed in         ${formatTime(r.authenticatedAt)}`,
    `  idle expiry       ${formatTime(r.idleExpiresAt)} (in ${formatDuration(r.expiresIn)})`,
    `  absolute expiry   ${formatTime(r.absoluteExpiresAt)}`,
    `  device            ${r.device.userAgent ?? '-'} from ${r.device.ip ?? '-'}`,
    `  version           ${r.version}`,
    `  data keys         ${r.dataKeys.join(', ') || '(none)'}`,
    ...(r.data ? [`  data              ${JSON.stringify(r.data)}`] : []),
  ];
}

/** `coatcheck sessions`. */
export const sessionsCommand: Command = {
  name: 'sessions',
  summary: "a user's devices (list), one session's record and lifetimes (show)",
  options: { ...STORE_OPTIONS, user: { type: 'string', short: 'u' }, data: { type: 'boolean' } },
  help: `Usage: coatcheck sessions list --user USER --store URL [--json]
       coatcheck sessions show SESSION_ID --store URL [--data] [--json]

  list   the user's live sessions as the app's device list shows them (label from the
         User-Agent, IP, created, last seen, expiry), oldest first
  show   one session: user, created, last seen, signed in, idle and absolute expiry,
         device, and the names of its data keys (--data prints the values too: they may
         hold personal data)

${STORE_HELP}

Exit codes: 0 ok, 1 no such live session (show), 2 usage error, 3 store unreachable,
4 store package missing.

Examples:
  coatcheck sessions list --user 42 --store redis://127.0.0.1:6379 --prefix shop:
  coatcheck sessions show 3q2-7wE... --store sqlite:./data/sessions.db`,
  async run({ values, positionals, io, json }) {
    const [action, id, ...extra] = positionals;
    if (extra.length > 0) throw usageError(`unexpected argument "${extra[0]}". See: coatcheck sessions --help`);
    if (action === 'list') {
      const userId = stringOption(values, 'user');
      if (userId === undefined || id !== undefined) throw usageError('sessions list takes --user USER. See: coatcheck sessions --help');
      const selection = readStoreSelection(values, io);
      const sessions = await withStore(selection, {}, async (opened) => {
        const { manager } = openManager(opened);
        try {
          return await manager.listSessions(userId);
        } finally {
          await manager.close();
        }
      });
      emit(io, json, { userId, sessions }, renderDevices);
      return EXIT_CODES.ok;
    }
    if (action === 'show') {
      if (id === undefined) throw usageError('sessions show needs a session id. See: coatcheck sessions --help');
      const selection = readStoreSelection(values, io);
      const found = await withStore(selection, {}, async (opened) => {
        const now = Date.now();
        const record = await opened.store.get(id, now);
        return record ? describeRecord(record, now, values.data === true) : null;
      });
      if (found === null)
        throw new CliError('ERR_CLI_FAILED', `no live session ${id} in ${selection.spec.display} (expired, revoked, or another --prefix/--table).`);
      emit(io, json, found, renderRecord);
      return EXIT_CODES.ok;
    }
    throw usageError(`sessions needs an action: list or show${action ? `, not "${action}"` : ''}. See: coatcheck sessions --help`);
  },
};

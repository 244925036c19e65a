/**
 * `coatcheck sessions list | show`: a user's devices as the app's device list shows them,
 * and one session's record and lifetimes.
 *
 * @module
 */
import type { DeviceSession, HistoryEntry } from 'coatcheck';
import type { SessionRecord } from 'coatcheck/store-kit';
import { stringOption, type Command } from '../command.js';
import { CliError, EXIT_CODES, usageError } from '../errors.js';
import { emit, formatDuration, formatTime } from '../io.js';
import { openManager } from '../store/open-manager.js';
import { withStore, type OpenedStore } from '../store/open-store.js';
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

/** A session's history, newest first (followed back through its rotations), as the manager reads it. */
async function readHistory(opened: OpenedStore, id: string): Promise<HistoryEntry[]> {
  if (typeof opened.store.readHistory !== 'function') return [];
  const { manager } = openManager(opened);
  try {
    return await manager.history({ sessionId: id }, { limit: 100 });
  } finally {
    await manager.close();
  }
}

function renderHistory(history: readonly HistoryEntry[]): string[] {
  if (history.length === 0) return ['  history           (none)'];
  return [
    `  history           ${history.length} entr${history.length === 1 ? 'y' : 'ies'}, newest first:`,
    ...history.map((e) => {
      const reason = e.reason === null ? '' : ` (${e.reason})`;
      const from = e.ip === null ? '' : ` from ${e.ip}`;
      const ticket = e.sessionId === history[0]?.sessionId ? '' : ` [ticket ${e.sessionId}]`;
      return `    ${formatTime(e.at)}  ${e.type}${reason} by ${e.actor}${from}${ticket}`;
    }),
  ];
}

function renderRecord(r: ReturnType<typeof describeRecord> & { history: HistoryEntry[] }): string[] {
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
    ...renderHistory(r.history),
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
         device, the names of its data keys (--data prints the values too: they may
         hold personal data), and its history (logins, rotations, refreshes, changes of
         address, CSRF refusals, revocations and who made them), newest first; the
         history of a session that ended is printed too, with exit code 1

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
        const history = await readHistory(opened, id);
        return { record: record ? describeRecord(record, now, values.data === true) : null, history };
      });
      const gone = `no live session ${id} in ${selection.spec.display} (expired, revoked, or another --prefix/--table)`;
      if (found.record === null && found.history.length === 0) throw new CliError('ERR_CLI_FAILED', `${gone}.`);
      if (found.record === null) {
        // Ended, but its history says how: print it, and still exit 1 (no live session).
        emit(io, json, { id, live: false, history: found.history }, (r) => [`${gone}; its history:`, ...renderHistory(r.history)]);
        return EXIT_CODES.failure;
      }
      emit(io, json, { ...found.record, history: found.history }, renderRecord);
      return EXIT_CODES.ok;
    }
    throw usageError(`sessions needs an action: list or show${action ? `, not "${action}"` : ''}. See: coatcheck sessions --help`);
  },
};

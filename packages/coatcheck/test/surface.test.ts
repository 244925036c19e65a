// The entry points by audience, as the TypeScript checker sees them: the root stays the
// application's surface, and what adapters, bus transports and store authors need is found
// under their subpaths. A name added to the root, or moved away from a subpath, fails here
// until the lists below are changed on purpose.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const pkg = new URL('../', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', pkg), 'utf8')) as { exports: Record<string, { source?: string }> };
const entries = Object.fromEntries(
  Object.entries(manifest.exports).flatMap(([subpath, target]) =>
    typeof target === 'object' && target.source ? [[subpath, fileURLToPath(new URL(target.source, pkg))]] : [],
  ),
);
const program = ts.createProgram(Object.values(entries), {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: ['node'],
});
const checker = program.getTypeChecker();

/** The names an entry point exports, types and values alike, sorted. */
function exportsOf(subpath: string): string[] {
  const file = entries[subpath];
  assert.ok(file, `package.json exports ${subpath} with a source condition`);
  const source = program.getSourceFile(file);
  assert.ok(source, `${file} was compiled`);
  const symbol = checker.getSymbolAtLocation(source);
  assert.ok(symbol, `${file} is a module`);
  return checker
    .getExportsOfModule(symbol)
    .map((s) => s.name)
    .sort();
}

/** What an application imports: the manager, its options, the handle, events, and the errors it catches. */
const APPLICATION = [
  'AnySessionError',
  'AuthFactor',
  'CookieOptions',
  'CsrfFailure',
  'CsrfOptions',
  'DataIssue',
  'DataMigration',
  'DataOptions',
  'DataSchema',
  'DeviceSession',
  'EndReason',
  'FreshOptions',
  'HistoryActor',
  'HistoryEntry',
  'HistoryOptions',
  'HistoryQuery',
  'HistoryReadRequest',
  'HistoryType',
  'InferSessionData',
  'LifetimeOptions',
  'LoadStatus',
  'Logger',
  'LoginOptions',
  'RevokeOptions',
  'SecretInput',
  'Session',
  'SessionConfigError',
  'SessionConflictError',
  'SessionCsrfError',
  'SessionDataInvalidError',
  'SessionDataMap',
  'SessionError',
  'SessionErrorCode',
  'SessionEvents',
  'SessionLimitError',
  'SessionLimitOptions',
  'SessionManager',
  'SessionManagerOptions',
  'SessionRateLimitedError',
  'SessionSerializationError',
  'SessionStartupError',
  'SessionStoreError',
  'SessionTooLargeError',
  'StandardSchemaV1',
  'StepUpOptions',
  'StoreCall',
  'createSessionManager',
  'isSessionError',
  'labelDevice',
].sort();

/** Names that left the root, and the subpath of their audience. */
const MOVED: Record<string, readonly string[]> = {
  './adapter': ['RequestInfo', 'LoadByIdOptions', 'LiveSession', 'readCookie', 'CookieLookup', 'createCsrfGuard', 'CsrfMode', 'recordHistory', 'HistoryNote'],
  './bus': ['SessionBus', 'BusMessage', 'BusState', 'BusEndReason', 'BusBroadcast', 'BroadcastListener', 'TypedEventEmitter'],
  './store-kit': [
    'SessionStore',
    'SessionRecord',
    'SessionData',
    'DeviceInfo',
    'UpdateResult',
    'CorruptRecordError',
    'HistoryStore',
    'HistoryEntry',
    'checkHistoryEntry',
    'SessionCap',
    'CappedCreateResult',
    'EvictedSession',
    'planCap',
  ],
  './errors': [
    'SessionReadOnlyError',
    'SessionCommittedError',
    'SessionCollisionError',
    'SessionNotAwaitedError',
    'CorruptRecordError',
    'STATUS_BY_CODE',
    'SessionStepUpRequiredError',
    'SessionStepUpChallengeError',
    'SessionLimitError',
  ],
};

describe('entry points by audience', () => {
  it('the root exports exactly what applications use', () => {
    assert.deepEqual(exportsOf('.'), APPLICATION);
  });

  for (const [subpath, names] of Object.entries(MOVED)) {
    it(`coatcheck${subpath.slice(1)} exports what its audience needs from the core`, () => {
      const found = new Set(exportsOf(subpath));
      assert.deepEqual(
        names.filter((name) => !found.has(name)),
        [],
      );
    });
  }

  it('every error class is in coatcheck/errors, and the root has only classes from there', () => {
    const errors = new Set(exportsOf('./errors'));
    const rootErrors = APPLICATION.filter((name) => name.endsWith('Error') && name !== 'AnySessionError');
    assert.deepEqual(
      rootErrors.filter((name) => !errors.has(name)),
      [],
    );
  });
});

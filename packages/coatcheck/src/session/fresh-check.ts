/**
 * `session.requireFresh()`: the check, and the two writes it may make (the sliding mark of a
 * fresh check, the pending challenge of a refusal). Both are version-checked updates of the
 * record's `auth` alone, replayed on a conflict like any commit, so they never undo another
 * request's data; the rule itself is `step-up.ts`.
 *
 * @module
 */
import { SessionConflictError, SessionStepUpRequiredError } from '../errors.js';
import type { AuthState, SessionRecord } from '../store/types.js';
import type { SessionContext } from './context.js';
import { assertFreshOptions, isFresh, markActive, pendChallenge, type FreshOptions } from './step-up.js';

const CHALLENGE_BYTES = 16;

/**
 * Resolves when `record` is fresh for `options` (marking it used with `sliding`); otherwise
 * records a pending challenge and rejects with `SessionStepUpRequiredError`. An anonymous
 * session is never fresh; its challenge is not recorded (there is nobody to step up).
 */
export async function requireFreshRecord(ctx: SessionContext, record: SessionRecord | null, options: FreshOptions): Promise<void> {
  assertFreshOptions(options);
  const now = ctx.now();
  const owned = record !== null && record.userId !== null ? record : null;
  if (owned !== null && isFresh(owned.auth, now, options)) {
    if (options.sliding === true) await writeAuth(ctx, owned, (auth) => markActive(auth ?? { amr: [] }, now));
    return;
  }
  const methods = options.methods === undefined ? null : [...options.methods];
  const draw = () => Buffer.from(ctx.random(CHALLENGE_BYTES)).toString('base64url');
  let challenge = owned === null ? draw() : '';
  if (owned !== null) {
    await writeAuth(ctx, owned, (auth) => {
      const pending = pendChallenge(auth, methods, now, draw);
      challenge = pending.id;
      return pending.written ? pending.auth : null;
    });
  }
  throw new SessionStepUpRequiredError(methods, options.within, challenge);
}

/**
 * Writes `change(auth)` into the record (nothing when it returns `null`), on the stored
 * version: on a conflict the stored record is read again and `change` runs on it.
 */
async function writeAuth(ctx: SessionContext, loaded: SessionRecord, change: (auth: AuthState | undefined) => AuthState | null): Promise<void> {
  await ctx.gateway.withLock(loaded.id, async () => {
    let current = loaded;
    for (let attempt = 0; ; attempt++) {
      const auth = change(current.auth);
      if (auth === null) return;
      const next: SessionRecord = { ...current, auth, version: current.version + 1 };
      const result = await ctx.gateway.update(next, current.version, ctx.now());
      if (result === 'ok') return ctx.announce({ type: 'changed', ids: [next.id] });
      if (result === 'missing') return;
      if (attempt >= ctx.maxConflictRetries) throw new SessionConflictError(`session changed concurrently ${attempt + 1} times in a row; retry the request.`);
      const fresh = await ctx.gateway.read(loaded.id, ctx.now());
      if (!fresh || fresh.secretHash !== loaded.secretHash) return;
      current = fresh;
    }
  });
}

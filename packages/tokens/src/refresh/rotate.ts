/**
 * One refresh: load the session fresh from the store, decide, and write the rotation with
 * the version-checked update. When another instance rotated the same token first, the
 * update loses the version check, the decision is re-run on the fresh record and becomes
 * "grace" (same successor) or "reuse": two live successors can never both be written.
 * (RT-01 … RT-05)
 *
 * @module
 */
import type { SessionManager } from 'coatcheck';
import { recordHistory, type RequestInfo } from 'coatcheck/adapter';
import type { RefreshFailureCode } from '../error-codes.js';
import type { RefreshEventOutcome, TokenEvents } from '../events.js';
import type { TokenPair, TokenSubject } from '../service.js';
import { decideRefresh, readRefreshState, REFRESH_KEY, type RefreshDecision, type RefreshPolicy } from './refresh-state.js';
import { hashRefreshSecret, parseRefreshToken, type RefreshDeriver } from './refresh-token.js';

/** Outcome of a refresh. Refusals are `invalid_grant` in OAuth terms. */
export type RefreshOutcome =
  | { readonly ok: true; readonly tokens: TokenPair }
  | { readonly ok: false; readonly code: RefreshFailureCode; readonly message: string };

const refused = (code: RefreshFailureCode, message: string): RefreshOutcome => Object.freeze({ ok: false, code, message });
const INVALID = refused('ERR_REFRESH_TOKEN_INVALID', 'The refresh token is invalid; log in again.');
const EXPIRED = refused('ERR_REFRESH_TOKEN_EXPIRED', 'The refresh token has expired; log in again.');
const REUSED = refused('ERR_REFRESH_TOKEN_REUSED', 'The refresh token was already used; the session has been ended. Log in again.');

/** What a rotation needs from its service. */
export interface RotateContext {
  readonly manager: SessionManager<any>;
  readonly deriver: RefreshDeriver;
  readonly events: { emit<E extends keyof TokenEvents>(event: E, payload: TokenEvents[E]): void };
  readonly now: () => number;
  readonly policy: RefreshPolicy;
  pairFor(sid: string, session: TokenSubject, secret: string, issuedAtMs: number): Promise<TokenPair>;
}

/** What a rotation learnt, for its `refresh` event. */
interface RefreshNote {
  sessionId: string | null;
  outcome: RefreshEventOutcome;
}

/** Rotates `token` and emits `refresh` with the outcome. Rejects only with `SessionStoreError`. */
export async function rotateRefresh(ctx: RotateContext, token: string, request: RequestInfo | undefined): Promise<RefreshOutcome> {
  const started = performance.now();
  const note: RefreshNote = { sessionId: null, outcome: 'invalid' };
  try {
    return await rotate(ctx, token, request, note);
  } catch (error) {
    note.outcome = 'error';
    throw error;
  } finally {
    ctx.events.emit('refresh', { sessionId: note.sessionId, outcome: note.outcome, ms: performance.now() - started });
  }
}

async function rotate(ctx: RotateContext, token: string, request: RequestInfo | undefined, note: RefreshNote): Promise<RefreshOutcome> {
  const parts = parseRefreshToken(token);
  if (parts === null) return INVALID;
  const { sid, secret } = parts;
  // Fresh: the decision must see the latest rotation of every instance, not a cached copy.
  const session = await ctx.manager.loadById(sid, request, { fresh: true });
  if (session.status !== 'valid') return INVALID;
  // Only a live session's id is reported: any well-formed string passes the parser.
  note.sessionId = sid;
  const presented = hashRefreshSecret(secret);
  const successorSecret = ctx.deriver.successor(sid, secret);
  const successor = hashRefreshSecret(successorSecret);
  const now = ctx.now();
  const decide = (value: unknown): RefreshDecision => decideRefresh(readRefreshState(value), presented, successor, now, ctx.policy);
  const box = { decision: decide(session.get(REFRESH_KEY)) };
  if (box.decision.kind === 'rotate' || box.decision.kind === 'grace') {
    // The function is re-run on the fresh record if another writer wins the version check;
    // the decision of its last run is the one that was committed. A grace answer writes too
    // (the state unchanged): it hands out the successor of a rotation this instance did not
    // see confirmed, and a store that confirms writes with replicas confirms that rotation
    // with this write, or fails it, before the successor leaves the server. (RT-11)
    session.update(REFRESH_KEY, (current) => {
      box.decision = decide(current);
      return box.decision.kind === 'rotate' ? box.decision.next : current;
    });
    await session.commit();
    if (session.id === null) return INVALID;
  }
  const decision = box.decision;
  const seen = { ip: request?.ip ?? null, userAgent: request?.userAgent ?? null };
  switch (decision.kind) {
    case 'rotate':
      note.outcome = 'rotated';
      // The session history records each rotation; a grace answer repeats one and is not recorded.
      await recordHistory(ctx.manager, [{ type: 'refreshed', sessionId: sid, userId: session.userId, actor: 'user', reason: 'refresh', ...seen }]);
      return { ok: true, tokens: await ctx.pairFor(sid, session, successorSecret, decision.next.issuedAt) };
    case 'grace':
      note.outcome = 'grace';
      return { ok: true, tokens: await ctx.pairFor(sid, session, successorSecret, decision.issuedAt) };
    case 'reuse': {
      note.outcome = 'reused';
      // RFC 9700 §4.14.2: the server cannot tell the thief from the user, so the whole
      // family ends, with the session and every access token bound to it. (RT-02, RT-03)
      const userId = session.userId;
      await recordHistory(ctx.manager, [{ type: 'refresh_reuse', sessionId: sid, userId, actor: 'system', reason: `family ${decision.family}`, ...seen }]);
      await session.destroy();
      ctx.events.emit('refresh-reuse', { sessionId: sid, userId, family: decision.family });
      return REUSED;
    }
    case 'expired':
      note.outcome = 'expired';
      return EXPIRED;
    default:
      return INVALID;
  }
}

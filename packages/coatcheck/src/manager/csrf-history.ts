/**
 * CSRF refusals in the session history: the manager hands adapters a guard that reports each
 * refusal of a user's session. The guard's decisions are unchanged; the note is written in
 * the background (the refusal answers at once), and a failed write is logged by the recorder.
 *
 * @module
 */
import type { CsrfGuard } from '../csrf/csrf-guard.js';
import type { SessionCsrfError } from '../errors.js';
import type { Session } from '../session/session-types.js';
import type { HistoryRecorder } from './history.js';

/** `guard`, with its refusals of a user's session recorded as `csrf_refused`. */
export function recordCsrfRefusals(guard: CsrfGuard, history: HistoryRecorder): CsrfGuard {
  function note(session: Session<any>, refusal: SessionCsrfError): void {
    const { id, userId } = session;
    if (id === null || userId === null || session.status !== 'valid') return;
    void history.record([{ type: 'csrf_refused', sessionId: id, userId, actor: 'system', reason: refusal.reason }]);
  }
  return Object.freeze({
    ...guard,
    check(request, session) {
      const verdict = guard.check(request, session);
      if (verdict !== null && verdict !== 'token') note(session, verdict);
      return verdict;
    },
    checkToken(session, token, unreadForm) {
      const refusal = guard.checkToken(session, token, unreadForm);
      if (refusal !== null) note(session, refusal);
      return refusal;
    },
  } satisfies CsrfGuard);
}

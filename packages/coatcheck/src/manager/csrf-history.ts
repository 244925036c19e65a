/**
 * CSRF refusals in the session history: the guard reports each refusal to the manager, which
 * records it for a user's session. The note is written in the background (the refusal answers
 * at once), and a failed write is logged by the recorder.
 *
 * @module
 */
import type { SessionCsrfError } from '../errors.js';
import type { Session } from '../session/session-types.js';
import type { HistoryRecorder } from './history.js';

/** Records `refusal` of `session` as `csrf_refused`, if the session is a user's. */
export function recordCsrfRefusal(history: HistoryRecorder, refusal: SessionCsrfError, session: Session<any>): void {
  const { id, userId } = session;
  if (id === null || userId === null || session.status !== 'valid') return;
  void history.record([{ type: 'csrf_refused', sessionId: id, userId, actor: 'system', reason: refusal.reason }]);
}

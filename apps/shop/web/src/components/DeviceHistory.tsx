import { useEffect, useState } from 'react';
import { api, messageOf, when, type HistoryEntry } from '../api';

const WHAT: Record<string, string> = {
  created: 'Signed in',
  upgraded: 'Signed in',
  rotated: 'Session renewed',
  refreshed: 'Token refreshed',
  refresh_reuse: 'Old token used again: signed out for safety',
  revoked: 'Signed out',
  csrf_refused: 'Blocked a request from another site',
  address_changed: 'New network address',
  user_agent_changed: 'New browser version',
};

// A step-up names its method (RFC 8176) as the reason.
const STEP_UP: Record<string, string> = { pwd: 'Confirmed the password', otp: 'Confirmed with a one-time code', hwk: 'Confirmed with a security key' };
const what = (entry: HistoryEntry) => (entry.type === 'step_up' ? (STEP_UP[entry.reason ?? ''] ?? 'Confirmed it was you') : (WHAT[entry.type] ?? entry.type));

const BY: Record<string, string> = { user: 'you', app: 'the shop', system: 'automatically', cli: 'an operator' };

/** "by you", "by an administrator": who caused an entry, in words. */
const byWhom = (actor: string) => (actor.startsWith('admin:') ? 'by an administrator' : `by ${BY[actor] ?? actor}`);

/** One device's history, newest first, loaded when shown. */
export function DeviceHistory({ id }: { id: string }) {
  const [history, setHistory] = useState<HistoryEntry[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  useEffect(() => {
    api.deviceHistory(id).then(
      (result) => setHistory(result.history),
      (error: unknown) => setMessage(messageOf(error)),
    );
  }, [id]);
  if (message) return <p className="muted">{message}</p>;
  if (history === null) return <p className="muted">Loading…</p>;
  return (
    <ol className="history" data-testid="device-history">
      {history.map((entry) => (
        <li key={`${entry.at}-${entry.sessionId}-${entry.type}`} data-type={entry.type}>
          <span className="muted">{when(entry.at)}</span> {what(entry)} {byWhom(entry.actor)}
          {entry.ip && <span className="muted"> from {entry.ip}</span>}
        </li>
      ))}
    </ol>
  );
}

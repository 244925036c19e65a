import { useState, type FormEvent } from 'react';
import { api, messageOf, stepUpChallenge, when, type Account } from '../api';

/** Profile, session lifetimes, and the password change with step-up. */
export function AccountPanel({ account, onChanged }: { account: Account; onChanged: () => Promise<void> }) {
  const { user, session, role } = account;
  return (
    <div className="columns">
      <section className="card" aria-labelledby="profile-title">
        <h2 id="profile-title">Profile</h2>
        <dl className="facts">
          <dt>Username</dt>
          <dd data-testid="profile-username">{user?.username}</dd>
          <dt>Role</dt>
          <dd>{role}</dd>
          {session && (
            <>
              <dt>Logged in</dt>
              <dd>{when(session.authenticatedAt)}</dd>
              <dt>Session</dt>
              <dd>{session.persistent ? 'Remembered on this device' : 'Ends when the browser closes'}</dd>
              <dt>Expires</dt>
              <dd>{when(session.expiresAt)} unless used</dd>
            </>
          )}
        </dl>
      </section>
      <PasswordChange disabled={Boolean(account.viewAs)} onChanged={onChanged} />
    </div>
  );
}

/**
 * Changing the password needs a fresh login. When the server answers
 * ERR_SESSION_STEP_UP_REQUIRED, the form asks for the current password (step-up), sends it
 * with the refusal's challenge, then retries the change.
 */
function PasswordChange({ disabled, onChanged }: { disabled: boolean; onChanged: () => Promise<void> }) {
  const [next, setNext] = useState('');
  const [current, setCurrent] = useState('');
  const [challenge, setChallenge] = useState<string | null>(null);
  const needsStepUp = challenge !== null;
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      if (challenge !== null) await api.reauth(current, challenge);
      const { revoked } = await api.changePassword(next);
      setNext('');
      setCurrent('');
      setChallenge(null);
      setMessage({
        ok: true,
        text: `Password changed. ${revoked === 0 ? 'No other device was logged in.' : `Logged out ${revoked} other device${revoked === 1 ? '' : 's'}.`}`,
      });
      await onChanged();
    } catch (error) {
      const asked = stepUpChallenge(error);
      if (asked !== null) {
        setChallenge(asked);
        setMessage({ ok: false, text: 'For your safety, confirm your current password first.' });
      } else {
        setMessage({ ok: false, text: messageOf(error) });
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="password-title">
      <h2 id="password-title">Change password</h2>
      {disabled ? (
        <p className="muted">Not while viewing the shop as another user.</p>
      ) : (
        <form onSubmit={submit}>
          <label>
            New password
            <input
              type="password"
              name="new-password"
              autoComplete="new-password"
              minLength={8}
              value={next}
              onChange={(e) => setNext(e.target.value)}
              required
            />
          </label>
          {needsStepUp && (
            <label>
              Current password
              <input
                type="password"
                name="current-password"
                autoComplete="current-password"
                value={current}
                onChange={(e) => setCurrent(e.target.value)}
                required
                // biome-ignore lint/a11y/noAutofocus: the field appears only after the server asked for it on submit; the user types there next
                autoFocus
              />
            </label>
          )}
          {message && (
            <p className={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'}>
              {message.text}
            </p>
          )}
          <button type="submit" disabled={busy}>
            {needsStepUp ? 'Confirm and change password' : 'Change password'}
          </button>
          <p className="muted small">Changing it logs out every other device.</p>
        </form>
      )}
    </section>
  );
}

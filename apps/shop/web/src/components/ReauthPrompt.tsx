import { useState, type FormEvent } from 'react';
import { api, messageOf } from '../api';

/**
 * The re-authentication prompt for a 403 `ERR_SESSION_STEP_UP_REQUIRED`: the current password,
 * sent to `POST /reauth` with the refusal's challenge (accepted once), then `onConfirmed`
 * retries what was refused.
 */
export function ReauthPrompt({ challenge, onConfirmed, onCancel }: { challenge: string; onConfirmed: () => Promise<void>; onCancel: () => void }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.reauth(password, challenge);
      await onConfirmed();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} aria-label="Confirm it is you">
      <p>For your safety, confirm your current password first.</p>
      <label>
        Current password
        <input
          type="password"
          name="current-password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
          // biome-ignore lint/a11y/noAutofocus: the prompt appears only after the server asked for it; the user types there next
          autoFocus
        />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="row">
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" disabled={busy}>
          Confirm
        </button>
      </div>
    </form>
  );
}

import { useEffect, useState } from 'react';
import { api, messageOf, type Account, type User } from '../api';

/** Admins pick a user to view the shop as; the session stays theirs. */
export function AdminPanel({ account, onChanged }: { account: Account; onChanged: () => Promise<void> }) {
  const [users, setUsers] = useState<Array<User & { role: string }> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const viewing = Boolean(account.viewAs);

  useEffect(() => {
    if (viewing) return;
    api.adminUsers().then(
      ({ users }) => setUsers(users),
      (e) => setError(messageOf(e)),
    );
  }, [viewing]);

  const act = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      await onChanged();
    } catch (e) {
      setError(messageOf(e));
    }
  };

  return (
    <section className="card" aria-labelledby="admin-title">
      <h2 id="admin-title">Admin: view as user</h2>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {viewing ? (
        <p>
          You are viewing the shop as <strong>{account.user?.username}</strong>.{' '}
          <button type="button" onClick={() => act(api.leaveViewAs)}>
            Leave view-as
          </button>
        </p>
      ) : (
        <ul className="users">
          {users?.map((user) => (
            <li key={user.id}>
              <span>
                {user.username} <span className="muted">({user.role})</span>
              </span>
              {user.id !== account.user?.id && (
                <button type="button" className="secondary" onClick={() => act(() => api.viewAs(user.username))} aria-label={`View as ${user.username}`}>
                  View as
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <p className="muted small">Viewing as someone shows their profile and orders; password changes and orders are blocked until you leave.</p>
    </section>
  );
}

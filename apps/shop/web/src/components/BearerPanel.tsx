import { useState, type FormEvent } from 'react';
import { createBearerFetch, memoryTokenStorage, type BearerFetch, type TokenResponse, type TokenStorage } from '@coatcheck/client';
import { ApiError, messageOf, type CartLine, type Item } from '../api';

/**
 * The bearer flow of a single-page app, beside (and independent of) the cookie session:
 * anonymous tokens, a cart kept through login, refresh, revoke. Every call says
 * `credentials: 'omit'`, so the session cookie never takes part; tokens live in memory only
 * (a reload forgets them) and travel in the Authorization header or a JSON body, never in URLs.
 */
interface Client {
  readonly auth: BearerFetch;
  readonly storage: TokenStorage;
}

/** The last characters of a token: enough to see it change, too few to reuse it. */
const tail = (token: string | null) => (token === null ? 'none' : `…${token.slice(-10)}`);

async function readJson<T>(response: Response): Promise<T> {
  const data = (await response.json().catch(() => null)) as (T & { error?: { code?: string; message?: string } }) | null;
  if (response.ok && data !== null) return data;
  const code = data?.error?.code ?? 'ERR_HTTP';
  throw new ApiError(response.status, code, `${data?.error?.message ?? `The shop answered ${response.status}.`} (${code})`);
}

/** POST with a JSON body and no cookie. */
const post = (body: unknown): RequestInit => ({
  method: 'POST',
  credentials: 'omit',
  headers: { 'content-type': 'application/json', accept: 'application/json' },
  body: JSON.stringify(body),
});

export function BearerPanel({ items }: { items: Item[] }) {
  const [ended, setEnded] = useState<string | null>(null);
  // One client per mount; the storage is held too, since revoking needs the refresh token.
  const [client] = useState<Client>(() => {
    const storage = memoryTokenStorage();
    return { storage, auth: createBearerFetch({ refreshUrl: '/token/refresh', storage, onSessionEnded: ({ code }) => setEnded(code) }) };
  });
  const { auth, storage } = client;
  const [active, setActive] = useState(false);
  const [me, setMe] = useState<string | null>(null);
  const [data, setData] = useState<string | null>(null);
  const [cart, setCart] = useState<CartLine[]>([]);
  const [token, setToken] = useState<string | null>(null);
  const [refreshed, setRefreshed] = useState<string | null>(null);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const byId = new Map(items.map((item) => [item.id, item]));
  const first = items[0];

  const get = async <T,>(url: string) => readJson<T>(await auth.fetch(url, { credentials: 'omit', headers: { accept: 'application/json' } }));

  const show = async () => {
    setToken((await storage.load())?.accessToken ?? null);
    const [who, anon, current] = await Promise.all([
      get<{ current_user_id: string }>('/user/me'),
      get<Record<string, unknown>>('/anonymous-data'),
      get<{ cart: CartLine[] }>('/cart'),
    ]);
    setMe(who.current_user_id);
    setData(JSON.stringify(anon));
    setCart(current.cart);
  };

  const run = (action: () => Promise<void>) => async () => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  const start = run(async () => {
    const tokens = await readJson<TokenResponse>(await fetch('/anonymous-login', post({})));
    await auth.setTokens(tokens);
    setEnded(null);
    setRefreshed(null);
    setActive(true);
    await show();
  });
  const addItem = run(async () => {
    if (!first) return;
    setCart((await readJson<{ cart: CartLine[] }>(await auth.fetch('/cart/add', post({ item_id: first.id, quantity: 1 })))).cart);
  });
  const login = async (event: FormEvent) => {
    event.preventDefault();
    // auth.fetch sends the anonymous access token, so the server upgrades that session (cart kept).
    await run(async () => {
      await auth.setTokens(await readJson<TokenResponse>(await auth.fetch('/token', post({ username, password }))));
      setPassword('');
      await show();
    })();
  };
  const refreshNow = run(async () => {
    const before = (await storage.load())?.accessToken ?? null;
    if (!(await auth.refresh())) throw new Error('The refresh was refused.');
    const after = (await storage.load())?.accessToken ?? null;
    setToken(after);
    setRefreshed(`${tail(before)} → ${tail(after)}${before === after ? ' (unchanged!)' : ''}`);
  });
  const revoke = run(async () => {
    const held = await storage.load();
    if (held === null) return;
    await readJson(await fetch('/token/revoke', post({ token: held.refreshToken })));
    // The access token has not expired, yet the server refuses it now; the bearer fetch
    // forgets the tokens and reports it through onSessionEnded.
    await get('/user/me').then(
      () => setMe('still answered: the revocation did not take'),
      (e: unknown) => setMe(`refused: ${messageOf(e)}`),
    );
    setToken((await storage.load())?.accessToken ?? null);
  });

  return (
    <section className="card" aria-labelledby="bearer-title">
      <h2 id="bearer-title">Bearer tokens (single-page app)</h2>
      <p className="muted small">
        This tab talks to the API with access and refresh tokens held in memory, without cookies: it is a session of its own, apart from the one in the header.
        Leaving the tab or reloading forgets the tokens.
      </p>
      <p>
        <button type="button" onClick={start} disabled={busy}>
          Start anonymous session
        </button>
      </p>
      {ended && (
        <p className="notice" role="status" data-testid="bearer-ended">
          Session ended ({ended}). Start a new one to continue.
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {active && (
        <div className="columns">
          <div>
            <dl className="facts" data-testid="bearer-facts">
              <dt>/user/me</dt>
              <dd data-testid="bearer-me">{me ?? '…'}</dd>
              <dt>/anonymous-data</dt>
              <dd data-testid="bearer-data">
                <code>{data ?? '…'}</code>
              </dd>
              <dt>Access token</dt>
              <dd data-testid="bearer-token">{tail(token)}</dd>
              {refreshed && (
                <>
                  <dt>Refreshed</dt>
                  <dd data-testid="bearer-refreshed">{refreshed}</dd>
                </>
              )}
            </dl>
            <p className="actions">
              <button type="button" onClick={addItem} disabled={busy || ended !== null || !first}>
                Add item with token
              </button>
              <button type="button" className="secondary" onClick={run(show)} disabled={busy || ended !== null}>
                Reload
              </button>
              <button type="button" className="secondary" onClick={refreshNow} disabled={busy || ended !== null}>
                Refresh now
              </button>
              <button type="button" className="secondary" onClick={revoke} disabled={busy || ended !== null}>
                Revoke
              </button>
            </p>
            <h3>Cart of this token session</h3>
            {cart.length === 0 ? (
              <p className="muted">Empty.</p>
            ) : (
              <ul className="lines" data-testid="bearer-cart">
                {cart.map((line) => (
                  <li key={line.item_id}>
                    {line.quantity} × {byId.get(line.item_id)?.name ?? line.item_id}
                  </li>
                ))}
              </ul>
            )}
          </div>
          <form onSubmit={login} aria-labelledby="bearer-login-title">
            <h3 id="bearer-login-title">Log in with token</h3>
            <label>
              Token username
              <input name="bearer-username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required />
            </label>
            <label>
              Token password
              <input
                name="bearer-password"
                type="password"
                autoComplete="current-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                required
              />
            </label>
            <button type="submit" disabled={busy || ended !== null}>
              Log in with token
            </button>
          </form>
        </div>
      )}
    </section>
  );
}

/**
 * `fetch` for single-page apps in bearer mode: it holds the access and refresh tokens, adds
 * `Authorization: Bearer` to requests for the API's own origins, refreshes once when the
 * server says the access token expired, and tells the app when the session is over.
 * Exported from `@coatcheck/client`.
 *
 * - **Single flight**: parallel requests that all get `401 ERR_TOKEN_EXPIRED` share one
 *   refresh. A refresh token is single-use (a second use of a rotated one ends the session,
 *   RT-02), so two refreshes racing in one tab would log the user out.
 * - **One retry**: a request is retried at most once, with the new token.
 * - **Session ended**: a refused refresh (`ERR_REFRESH_TOKEN_*`) or `ERR_TOKEN_SESSION_ENDED`
 *   clears the tokens, calls `onSessionEnded` once, and no further refresh is attempted
 *   until `setTokens` is called after a new login.
 * - **Never in URLs**: tokens go in the `Authorization` header and the refresh request's
 *   JSON body only (URLs end up in logs, history and `Referer`).
 * - **Only to the API**: the header is added only for `origins` (by default the origin of
 *   `refreshUrl`), so a `fetch` to a third-party host never carries the token.
 *
 * @module
 */

/** What the server's token endpoints return (OAuth 2.0 token response). */
export interface TokenResponse {
  readonly access_token: string;
  readonly refresh_token: string;
  /** Seconds until the access token expires. */
  readonly expires_in: number;
}

/** Tokens as stored. */
export interface StoredTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** When the access token expires, by the client's clock (epoch ms). */
  readonly expiresAt: number;
}

/**
 * Where tokens are kept. The default keeps them in memory: nothing for a script injected
 * into the page to read from storage, at the price of a new login after a reload. A storage
 * backed by `localStorage` survives reloads and is readable by any XSS.
 */
export interface TokenStorage {
  load(): StoredTokens | null | Promise<StoredTokens | null>;
  save(tokens: StoredTokens | null): void | Promise<void>;
}

/** Why the session ended, as the server said it. */
export interface SessionEndedEvent {
  /** `ERR_REFRESH_TOKEN_INVALID`, `ERR_REFRESH_TOKEN_EXPIRED`, `ERR_REFRESH_TOKEN_REUSED` or `ERR_TOKEN_SESSION_ENDED`. */
  readonly code: string;
}

/** Options of {@link createBearerFetch}. */
export interface BearerFetchOptions {
  /** The refresh endpoint, e.g. `'/token/refresh'`; relative URLs resolve against `baseUrl`. */
  readonly refreshUrl: string;
  /** Base for relative URLs. @default location.origin */
  readonly baseUrl?: string;
  /** Origins whose requests get the token. @default the origin of `refreshUrl` */
  readonly origins?: readonly string[];
  /** Tokens from the login response, if the app has them already. */
  readonly tokens?: TokenResponse | null;
  /** @default in memory */
  readonly storage?: TokenStorage;
  /** Called once when the session is over (refresh refused, session ended): show the login. */
  readonly onSessionEnded?: (event: SessionEndedEvent) => void;
  /** `accessToken()` refreshes when the token has less than this left, in ms. @default 10000 */
  readonly refreshMarginMs?: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Clock in epoch ms. @default Date.now */
  readonly now?: () => number;
}

/** A token-holding fetch. */
export interface BearerFetch {
  /** `fetch` with the bearer token, one refresh and one retry on an expired token. */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** Stores the tokens of a login (`/token`, `/anonymous-login`), or forgets them (`null`). */
  setTokens(tokens: TokenResponse | null): Promise<void>;
  /**
   * A current access token, refreshed first when it expires within `refreshMarginMs`; `null`
   * without a session. Hand it to the realtime client, so each reconnection shows a fresh one:
   * `createRealtimeClient({ url, token: () => auth.accessToken() })`.
   */
  accessToken(): Promise<string | null>;
  /** Refreshes now (shared with any refresh in flight); `true` when new tokens arrived. */
  refresh(): Promise<boolean>;
}

/** The default storage: a variable. */
export function memoryTokenStorage(): TokenStorage {
  let held: StoredTokens | null = null;
  return {
    load: () => held,
    save: (tokens) => {
      held = tokens;
    },
  };
}

async function errorCode(response: Response): Promise<string | null> {
  try {
    const body = (await response.clone().json()) as { error?: { code?: unknown } };
    return typeof body?.error?.code === 'string' ? body.error.code : null;
  } catch {
    return null;
  }
}

/**
 * Creates the fetch wrapper.
 *
 * @example
 * ```ts
 * const auth = createBearerFetch({ refreshUrl: '/token/refresh', onSessionEnded: () => showLogin() })
 * const login = await fetch('/token', { method: 'POST', body: JSON.stringify(credentials), headers: { 'content-type': 'application/json' } })
 * await auth.setTokens(await login.json())
 * const me = await auth.fetch('/user/me')
 * const live = createRealtimeClient({ url: 'wss://shop.example/ws', token: () => auth.accessToken() })
 * ```
 */
export function createBearerFetch(options: BearerFetchOptions): BearerFetch {
  const base = options.baseUrl ?? (globalThis as { location?: { origin?: string } }).location?.origin;
  const refreshUrl = new URL(options.refreshUrl, base).href;
  const origins = new Set((options.origins ?? [refreshUrl]).map((o) => new URL(o).origin));
  const storage = options.storage ?? memoryTokenStorage();
  const now = options.now ?? Date.now;
  const margin = options.refreshMarginMs ?? 10_000;
  const send = options.fetch ?? globalThis.fetch.bind(globalThis);
  let refreshing: Promise<boolean> | null = null;
  let initial: Promise<void> | null = options.tokens ? save(options.tokens) : null;

  function save(tokens: TokenResponse | null): Promise<void> {
    const stored =
      tokens === null ? null : { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresAt: now() + tokens.expires_in * 1000 };
    return Promise.resolve(storage.save(stored));
  }

  async function load(): Promise<StoredTokens | null> {
    if (initial !== null) await initial;
    initial = null;
    return storage.load();
  }

  async function end(code: string): Promise<void> {
    await storage.save(null);
    options.onSessionEnded?.({ code });
  }

  async function refreshOnce(): Promise<boolean> {
    const held = await load();
    if (held === null) return false;
    let response: Response;
    try {
      response = await send(refreshUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: held.refreshToken }),
        credentials: 'omit',
      });
    } catch {
      return false; // offline: keep the tokens, the next request tries again
    }
    if (response.ok) {
      const current = await load();
      // Logged out or logged in again meanwhile: these tokens are not ours to store.
      if (current === null || current.refreshToken !== held.refreshToken) return current !== null;
      await save((await response.json()) as TokenResponse);
      return true;
    }
    const code = await errorCode(response);
    if (response.status === 401 && code !== null && code.startsWith('ERR_REFRESH_TOKEN_')) {
      const current = await load();
      if (current !== null && current.refreshToken === held.refreshToken) await end(code);
    }
    return false;
  }

  function refresh(): Promise<boolean> {
    refreshing ??= refreshOnce().finally(() => (refreshing = null));
    return refreshing;
  }

  function ours(url: string): boolean {
    try {
      return origins.has(new URL(url, base).origin);
    } catch {
      return false;
    }
  }

  function attempt(request: Request, token: string | null): Promise<Response> {
    const headers = new Headers(request.headers);
    if (token !== null && ours(request.url)) headers.set('authorization', `Bearer ${token}`);
    return send(new Request(request, { headers }));
  }

  return {
    async fetch(input, init) {
      const request = new Request(typeof input === 'string' ? new URL(input, base) : input, init);
      // The first attempt sends a copy: the body of a retry must still be unread.
      const used = (await load())?.accessToken ?? null;
      const response = await attempt(request.clone(), used);
      if (response.status !== 401 || used === null || !ours(request.url)) return response;
      const code = await errorCode(response);
      const current = (await load())?.accessToken ?? null;
      // Ended by a parallel request: it already told the app.
      if (current === null) return response;
      // Another request refreshed (or the app logged in again) while this one was out.
      if (current !== used) return attempt(request, current);
      if (code === 'ERR_TOKEN_SESSION_ENDED') {
        await end(code);
        return response;
      }
      if (code !== 'ERR_TOKEN_EXPIRED' || !(await refresh())) return response;
      return attempt(request, (await load())?.accessToken ?? null);
    },
    setTokens: (tokens) => {
      initial = null;
      return save(tokens);
    },
    async accessToken() {
      const held = await load();
      if (held === null) return null;
      if (held.expiresAt - now() > margin) return held.accessToken;
      if (await refresh()) return (await load())?.accessToken ?? null;
      // A failed refresh (offline) leaves a token that is still valid usable; an ended
      // session left nothing.
      const after = await load();
      return after !== null && after.expiresAt > now() ? after.accessToken : null;
    },
    refresh,
  };
}

/**
 * `fetch` for single-page apps in bearer mode: it holds the access and refresh tokens, adds
 * `Authorization: Bearer` to requests for the API's own origins, refreshes once when the
 * server says the access token expired, and tells the app when the session is over.
 * Exported from `@coatcheck/client`.
 *
 * - **Single flight**: parallel requests that all get `401 ERR_TOKEN_EXPIRED` share one
 *   refresh. A refresh token is single-use (a second use of a rotated one ends the session,
 *   RT-02), so two refreshes racing in one tab would log the user out.
 * - **Across tabs**: where the browser has Web Locks and BroadcastChannel, one refresh at a
 *   time runs across all tabs of the origin, rotated tokens, logins and the end of the session
 *   reach every tab, and a tab that waited for the lock uses the tokens another tab got
 *   instead of refreshing with a rotated-away one (`tab-sync.ts`).
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

import { createRotationChain, openTabSync, type TabMessage, type TabsOption } from './tab-sync.js';
import { memoryTokenStorage, type StoredTokens, type TokenResponse, type TokenStorage } from './token-storage.js';

/** Why the session ended. */
export interface SessionEndedEvent {
  /**
   * As the server said it: `ERR_REFRESH_TOKEN_INVALID`, `ERR_REFRESH_TOKEN_EXPIRED`,
   * `ERR_REFRESH_TOKEN_REUSED` or `ERR_TOKEN_SESSION_ENDED`; or `SIGNED_OUT` when the app
   * called `setTokens(null)` in another tab.
   */
  readonly code: string;
  /** `true` when another tab learnt it and told this one. */
  readonly otherTab: boolean;
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
  /**
   * Coordination with the other tabs of the origin (Web Locks and BroadcastChannel); without
   * them, or with `false`, each page refreshes on its own. @default true
   */
  readonly tabs?: TabsOption;
}

/** A token-holding fetch. */
export interface BearerFetch {
  /** `fetch` with the bearer token, one refresh and one retry on an expired token. */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /**
   * Stores the tokens of a login (`/token`, `/anonymous-login`), or forgets them (`null`, a
   * logout). Across tabs, every tab takes the tokens of a login, and drops its own at a logout
   * (with `onSessionEnded({ code: 'SIGNED_OUT', otherTab: true })`).
   */
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
  const tabs = openTabSync(options.tabs, refreshUrl, (message) => void hear(message));

  function stored(tokens: TokenResponse): StoredTokens {
    return { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresAt: now() + tokens.expires_in * 1000 };
  }

  function save(tokens: TokenResponse | null): Promise<void> {
    return Promise.resolve(storage.save(tokens === null ? null : stored(tokens)));
  }

  async function load(): Promise<StoredTokens | null> {
    if (initial !== null) await initial;
    initial = null;
    return storage.load();
  }

  async function end(code: string, refreshToken: string): Promise<void> {
    await storage.save(null);
    tabs?.unmark();
    tabs?.post({ type: 'ended', code, refreshToken });
    options.onSessionEnded?.({ code, otherTab: false });
  }

  // Storage calls may be asynchronous: what another tab says is applied in order, after the
  // initial tokens, and only to the tokens it names (a stale message changes nothing).
  // Which login this tab's tokens belong to, and how many rotations since: the rotation
  // markers (`TabSync.mark`) tell a tab that got the lock whether news is still on its way.
  const rotations = createRotationChain();
  let family = '';
  let generation = 0;
  let heard = Promise.resolve();
  let onNews = () => {};
  function hear(message: TabMessage): Promise<void> {
    heard = heard.then(async () => {
      const held = await load();
      if (message.type === 'rotated') rotations.record(message.previous, message.tokens, message.generation);
      if (message.type === 'login') {
        tabs?.unmark();
        [family, generation] = [message.family, 0];
        await storage.save(message.tokens);
      } else if ((message.type === 'signed-out' && held !== null) || (message.type === 'ended' && held?.refreshToken === message.refreshToken)) {
        tabs?.unmark();
        await storage.save(null);
        options.onSessionEnded?.({ code: message.type === 'ended' ? message.code : 'SIGNED_OUT', otherTab: true });
      }
      const current = await load();
      const latest = current && rotations.latest(current.refreshToken);
      if (latest) {
        generation = latest.generation;
        await storage.save(latest.tokens);
      }
      onNews();
    });
    return heard;
  }

  /** Waits until this tab has heard of rotation `newest` (already posted by the tab that made it). */
  async function catchUp(newest: number): Promise<void> {
    // A bound, should a tab that marked a rotation die before its message left.
    for (let waits = 0; generation < newest && waits < 50 && (await load()) !== null; waits++) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        onNews = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    onNews = () => {};
  }

  async function refreshOnce(held: StoredTokens): Promise<boolean> {
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
      const next = stored((await response.json()) as TokenResponse);
      await storage.save(next);
      generation++;
      // Posted, then marked, before the lock is released: the next tab in line sees the
      // marker and waits for the news if it has not heard it yet.
      tabs?.post({ type: 'rotated', previous: held.refreshToken, tokens: next, generation });
      await tabs?.mark(family, generation);
      return true;
    }
    const code = await errorCode(response);
    if (response.status === 401 && code !== null && code.startsWith('ERR_REFRESH_TOKEN_')) {
      const current = await load();
      if (current !== null && current.refreshToken === held.refreshToken) await end(code, held.refreshToken);
    }
    return false;
  }

  async function refreshInTurn(): Promise<boolean> {
    const before = await load();
    if (before === null) return false;
    if (tabs === null) return refreshOnce(before);
    return tabs.exclusive(async () => {
      await heard;
      await catchUp(await tabs.newest(family));
      const held = await load();
      // Signed out, or another tab refreshed (or logged in) while this one waited for the
      // lock: its tokens are current, and the ones this tab held are rotated away.
      if (held === null || held.refreshToken !== before.refreshToken) return held !== null;
      return refreshOnce(held);
    });
  }

  function refresh(): Promise<boolean> {
    refreshing ??= refreshInTurn().finally(() => (refreshing = null));
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
      const held = await load();
      // Ended by a parallel request (or another tab): the app was told already.
      if (held === null) return response;
      // Another request refreshed (or the app logged in again) while this one was out.
      if (held.accessToken !== used) return attempt(request, held.accessToken);
      if (code === 'ERR_TOKEN_SESSION_ENDED') {
        await end(code, held.refreshToken);
        return response;
      }
      if (code !== 'ERR_TOKEN_EXPIRED' || !(await refresh())) return response;
      return attempt(request, (await load())?.accessToken ?? null);
    },
    async setTokens(tokens) {
      initial = null;
      const held = await storage.load();
      await save(tokens);
      tabs?.unmark();
      [family, generation] = [Math.random().toString(36).slice(2), 0];
      if (tokens !== null) tabs?.post({ type: 'login', tokens: (await storage.load()) ?? stored(tokens), family });
      else if (held !== null) tabs?.post({ type: 'signed-out' });
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

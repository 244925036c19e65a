/**
 * The tokens of bearer mode as the server sends them and as the client keeps them.
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

/**
 * Live updates: the seam for a WebSocket module. The page calls `connect` once it knows who
 * is logged in, and disconnects on logout. Until a socket module is plugged in, `noLive`
 * does nothing and the page learns about changes on its next request (a revoked device
 * sees a 401 and shows itself logged out).
 *
 * A module built on `@coatcheck/client` implements `LiveModule`: open the socket, call
 * `sessionEnded` when the server closes it for a revoked session, `cartChanged` when another
 * tab changed the cart, and return a function that closes it.
 */

/** What a live module tells the page. */
export interface LiveEvents {
  /** This session was revoked or logged out elsewhere. */
  sessionEnded(): void;
  /** The cart changed in another tab or device of this session. */
  cartChanged(): void;
  /** The user's device list changed (a login, a revocation). */
  devicesChanged(): void;
}

/** A live-update module. */
export interface LiveModule {
  /** Starts listening; returns the function that stops. */
  connect(events: LiveEvents): () => void;
}

/** No live updates. */
export const noLive: LiveModule = {
  connect: () => () => {},
};

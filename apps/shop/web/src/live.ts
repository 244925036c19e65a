/**
 * Live updates: the seam between the page and its WebSocket module. The page calls `connect`
 * once it knows who is logged in, and disconnects on logout. `socketLive` (live-socket.ts,
 * on `@coatcheck/client`) is the real one; with `noLive` the page learns about changes on
 * its next request instead (a revoked device sees a 401 and shows itself logged out).
 */

/** What a live module tells the page. */
export interface LiveEvents {
  /** This session was revoked or logged out elsewhere. */
  sessionEnded(): void;
  /** The cart changed in another tab or device of this session. */
  cartChanged(): void;
  /** The user's device list changed (a login, a revocation). */
  devicesChanged(): void;
  /** The socket gave up reconnecting: check whether this session is still alive. */
  connectionLost(): void;
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

/**
 * Live updates: the seam between the page and its WebSocket module. The page calls `connect`
 * once it knows who is logged in, and disconnects on logout. `socketLive` (live-socket.ts,
 * on `@coatcheck/client`) is the one the page uses; without live updates the page would learn
 * about changes on its next request instead (a revoked device sees a 401 and shows itself
 * logged out).
 */

/** A line said in a room; `name` is the speaker's username, set by the server. */
export interface ChatLine {
  readonly room: string;
  readonly from: string | null;
  readonly name: string | null;
  readonly text: string;
}

/**
 * Why this session ended, as far as the page can tell: `'too-many-devices'` when the account
 * signed in on more devices than the shop allows and this one was signed out to make room;
 * `'other'` for a logout or revocation elsewhere, or expiry.
 */
export type EndedBy = 'too-many-devices' | 'other';

/** What a live module tells the page. */
interface LiveEvents {
  /** This session was revoked or logged out elsewhere. */
  sessionEnded(why: EndedBy): void;
  /** The cart changed in another tab or device of this session. */
  cartChanged(): void;
  /** The user's device list changed (a login, a revocation). */
  devicesChanged(): void;
  /** The socket gave up reconnecting: check whether this session is still alive. */
  connectionLost(): void;
  /** Someone said something in a room this page joined. */
  chat(line: ChatLine): void;
}

/** An open live channel. */
export interface LiveConnection {
  /** Joins a room now and after every reconnection. */
  join(room: string): void;
  /** Says something in a joined room; `false` when not connected right now. */
  say(room: string, text: string): boolean;
  /** Closes for good. */
  close(): void;
}

/** A live-update module. */
export interface LiveModule {
  /** Starts listening. */
  connect(events: LiveEvents): LiveConnection;
}

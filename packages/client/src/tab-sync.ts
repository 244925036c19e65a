/**
 * What the tabs of one origin tell each other about the bearer tokens, and the lock that lets
 * only one of them refresh at a time. Used by `createBearerFetch`.
 *
 * Why: a refresh token is single-use. Two tabs that refresh with the same token race; the
 * second presents a token that was already rotated, which the server must treat as a stolen
 * copy (reuse detection ends the session in every tab). So a refresh runs under a Web Lock
 * shared by every tab of the origin, each rotation is posted on a BroadcastChannel, and a tab
 * that waited for the lock first looks whether its tokens changed while it waited.
 *
 * @module
 */
import type { StoredTokens } from './fetch.js';

/** A message between the tabs. */
export type TabMessage =
  /** A tab rotated `previous` into `tokens`: tabs that hold `previous` take `tokens`. */
  | { readonly type: 'rotated'; readonly previous: string; readonly tokens: StoredTokens }
  /** A tab logged in: every tab takes the tokens. */
  | { readonly type: 'login'; readonly tokens: StoredTokens }
  /** The app signed out in a tab: every tab drops its tokens. */
  | { readonly type: 'signed-out' }
  /** The server ended the session of `refreshToken` (refused refresh, revoked session). */
  | { readonly type: 'ended'; readonly code: string; readonly refreshToken: string };

/** The part of `navigator.locks` (Web Locks API) used here. */
export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** The part of `BroadcastChannel` used here. */
export interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  close(): void;
  /** Node's: lets the process exit while the channel is open. */
  unref?(): void;
}

/**
 * How tabs coordinate: `true` (the default) uses `navigator.locks` and `BroadcastChannel`
 * when the environment has both, `false` keeps each page on its own. The object form names
 * the lock and channel (tabs share tokens only with tabs using the same name) or supplies the
 * two APIs (tests, other runtimes).
 */
export type TabsOption =
  | boolean
  | {
      /** @default 'coatcheck-tokens ' + the refresh URL */
      readonly name?: string;
      /** @default navigator.locks */
      readonly locks?: LockManagerLike;
      /** @default name => new BroadcastChannel(name) */
      readonly channel?: (name: string) => BroadcastChannelLike;
    };

/** An open coordination between the tabs. */
export interface TabSync {
  /** Runs `task` while no other tab runs one under the same name. */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
  /** Tells every other tab. */
  post(message: TabMessage): void;
  /** Stops listening (the page goes away on its own otherwise). */
  close(): void;
}

/**
 * Waits one task of the event loop. The tab that refreshed posts its news before it releases
 * the lock, but the two travel separately: a message already on its way is usually delivered
 * within this task. Should it still come later, the waiting tab refreshes with the token just
 * rotated, which the server's grace window answers with the same successor (no reuse).
 */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    // Typed as the browser's port (Node's typings lack `onmessage`, its runtime has it).
    (port1 as unknown as { onmessage: (() => void) | null }).onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}

function defaultLocks(): LockManagerLike | undefined {
  return (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
}

function defaultChannel(): ((name: string) => BroadcastChannelLike) | undefined {
  const Channel = (globalThis as unknown as { BroadcastChannel?: new (name: string) => BroadcastChannelLike }).BroadcastChannel;
  return Channel && ((name) => new Channel(name));
}

/**
 * Opens the coordination, or returns `null` when it is off or the environment lacks Web Locks
 * or BroadcastChannel (Node, old browsers): each page then refreshes on its own, as a single
 * page always did. Both are needed: a lock without the news of a rotation would make the
 * waiting tab refresh with a rotated-away token.
 */
export function openTabSync(option: TabsOption | undefined, refreshUrl: string, hear: (message: TabMessage) => void): TabSync | null {
  if (option === false) return null;
  const settings = option === true || option === undefined ? {} : option;
  const locks = settings.locks ?? defaultLocks();
  const open = settings.channel ?? defaultChannel();
  if (locks === undefined || open === undefined) return null;
  const name = settings.name ?? `coatcheck-tokens ${refreshUrl}`;
  const channel = open(name);
  channel.unref?.();
  channel.onmessage = (event) => {
    const message = event.data as TabMessage | null;
    if (message !== null && typeof message === 'object' && typeof message.type === 'string') hear(message);
  };
  return {
    exclusive: (task) =>
      locks.request(name, async () => {
        await nextTask();
        return task();
      }),
    post: (message) => channel.postMessage(message),
    close: () => channel.close(),
  };
}

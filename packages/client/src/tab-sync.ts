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
import type { StoredTokens } from './token-storage.js';

/** A message between the tabs. */
export type TabMessage =
  /** A tab rotated `previous` into `tokens`, the `generation`th rotation since the login. */
  | { readonly type: 'rotated'; readonly previous: string; readonly tokens: StoredTokens; readonly generation: number }
  /** A tab logged in (`family` names the login): every tab takes the tokens. */
  | { readonly type: 'login'; readonly tokens: StoredTokens; readonly family: string }
  /** The app signed out in a tab: every tab drops its tokens. */
  | { readonly type: 'signed-out' }
  /** The server ended the session of `refreshToken` (refused refresh, revoked session). */
  | { readonly type: 'ended'; readonly code: string; readonly refreshToken: string };

/** The part of `navigator.locks` (Web Locks API) used here. */
export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
  query(): Promise<{ readonly held?: readonly { readonly name?: string }[] }>;
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
  /**
   * Holds a marker lock for rotation `generation` of login `family` (dropping this tab's
   * previous marker), until {@link unmark} or the next `mark`. Resolves once it is held.
   */
  mark(family: string, generation: number): Promise<void>;
  /** Drops this tab's marker. */
  unmark(): void;
  /** The newest rotation of `family` any tab marked, 0 when none. */
  newest(family: string): Promise<number>;
  /** Stops listening (the page goes away on its own otherwise). */
  close(): void;
}

/** The rotations a tab heard of, to find the newest tokens that descend from the ones it holds. */
export interface RotationChain {
  /** Records that `previous` was rotated into `tokens`, rotation `generation` of its login. */
  record(previous: string, tokens: StoredTokens, generation: number): void;
  /** The end of the chain that starts at `refreshToken`, or `null` when it was not rotated. */
  latest(refreshToken: string): Rotation | null;
}

/** A rotation heard of. */
interface Rotation {
  readonly tokens: StoredTokens;
  readonly generation: number;
}

/** How many rotations a tab remembers; a tab more than that far behind refreshes itself. */
const CHAIN_LENGTH = 64;

/**
 * Messages of different tabs may arrive out of order: a tab holding T1 can hear of T2 → T3
 * before T1 → T2. Taking T2 then would make it refresh with a token already rotated away (and
 * the server would end the session), so a tab follows the chain to its end.
 */
export function createRotationChain(): RotationChain {
  const successors = new Map<string, Rotation>();
  return {
    record(previous, tokens, generation) {
      successors.set(previous, { tokens, generation });
      if (successors.size > CHAIN_LENGTH) successors.delete(successors.keys().next().value as string);
    },
    latest(refreshToken) {
      let found: Rotation | null = null;
      for (let next = successors.get(refreshToken); next !== undefined && next !== found; next = successors.get(next.tokens.refreshToken)) found = next;
      return found;
    },
  };
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
  let release: (() => void) | null = null;
  const unmark = () => {
    release?.();
    release = null;
  };
  const prefix = `${name} rotation `;
  return {
    mark(family, generation) {
      unmark();
      return new Promise<void>((held) => {
        void locks.request(
          `${prefix}${family} ${generation}`,
          () =>
            new Promise<void>((done) => {
              release = done;
              held();
            }),
        );
      });
    },
    unmark,
    async newest(family) {
      const marks = ((await locks.query()).held ?? []).map((lock) => lock.name ?? '').filter((n) => n.startsWith(`${prefix}${family} `));
      return Math.max(0, ...marks.map((n) => Number(n.slice(prefix.length + family.length + 1))));
    },
    exclusive: (task) =>
      locks.request(name, async () => {
        await nextTask();
        return task();
      }),
    post: (message) => channel.postMessage(message),
    close: () => channel.close(),
  };
}

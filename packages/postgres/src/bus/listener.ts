/**
 * The bus's dedicated LISTEN connection, kept alive by itself. Internal.
 *
 * Not a pooled connection: LISTEN belongs to one server session, and a pool would hand that
 * session to other queries, or close it when idle, silently ending the subscription. On any
 * error, end or missed heartbeat the connection is dropped (state `'down'`) and a new one is
 * opened after an exponentially growing, jittered delay; once it has run LISTEN again the
 * state is `'up'`. Messages sent while it was down are lost, which is why consumers that
 * cache must stop serving while the state is `'down'`.
 *
 * @module
 */
import pg, { type ClientConfig } from 'pg';
import type { BusState } from 'coatcheck/bus';
import { settleWithin } from '../gate.js';

/** What the listener needs; see `ResolvedBusOptions` for the meaning of each setting. */
export interface ListenerOptions {
  readonly config: ClientConfig;
  readonly channel: string;
  readonly quotedChannel: string;
  readonly opTimeoutMs: number;
  readonly minReconnectDelayMs: number;
  readonly maxReconnectDelayMs: number;
  readonly heartbeatIntervalMs: number;
  readonly onPayload: (payload: string | undefined) => void;
  readonly onState: (state: BusState) => void;
}

/** A running listener. */
export interface Listener {
  readonly state: BusState;
  /** `SELECT 1` on the listening connection; rejects when it is down or does not answer. */
  ping(): Promise<void>;
  /** Stops reconnecting and closes the connection (bounded by `opTimeoutMs`). */
  stop(): Promise<void>;
}

type Unrefable = { unref?: () => void; ref?: () => void };

/** Starts listening at once; the state is `'down'` until the first LISTEN succeeds. */
export function startListener(options: ListenerOptions): Listener {
  const { config, channel, quotedChannel, opTimeoutMs, onPayload, onState } = options;
  let state: BusState = 'down';
  let current: pg.Client | null = null;
  let connected = false;
  let attempt = 0;
  let stopped = false;
  // Pings awaiting an answer: the socket stays ref'd while there are any.
  let pinging = 0;
  let retry: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;

  const setState = (next: BusState): void => {
    if (next === state) return;
    state = next;
    onState(next);
  };
  const probe = (client: pg.Client): Promise<unknown> => client.query({ text: 'SELECT 1', query_timeout: opTimeoutMs } as pg.QueryConfig);

  // Equal jitter: half the capped exponential delay, plus a random share of the other half.
  function nextDelay(): number {
    const cap = Math.min(options.maxReconnectDelayMs, options.minReconnectDelayMs * 2 ** Math.min(attempt, 30));
    attempt++;
    return cap / 2 + Math.random() * (cap / 2);
  }

  // Returns the client's end, which stop() waits for (within the deadline).
  function drop(client: pg.Client): Promise<void> {
    if (client !== current) return Promise.resolve(); // already dropped
    current = null;
    connected = false;
    clearInterval(heartbeat);
    client.removeAllListeners('notification');
    // A dropped client may still report its socket's death; that must not crash anyone.
    client.on('error', () => {});
    const ended = client.end().catch(() => {});
    setState('down');
    if (!stopped) {
      retry = setTimeout(connect, nextDelay());
      retry.unref();
    }
    return ended;
  }

  function connect(): void {
    if (stopped) return;
    const client = new pg.Client(config);
    current = client;
    client.on('error', () => void drop(client));
    client.on('end', () => void drop(client));
    client.on('notification', (message) => {
      if (message.channel === channel) onPayload(message.payload);
    });
    void (async () => {
      try {
        await client.connect();
        // The subscription alone must not keep the process alive; the app's server does.
        (client as unknown as Unrefable).unref?.();
        await client.query({ text: `LISTEN ${quotedChannel}`, query_timeout: opTimeoutMs } as pg.QueryConfig);
      } catch {
        void drop(client);
        return;
      }
      if (client !== current) return;
      connected = true;
      attempt = 0;
      setState('up');
      if (options.heartbeatIntervalMs > 0) {
        let pending = false;
        heartbeat = setInterval(() => {
          if (pending) return;
          pending = true;
          probe(client).then(
            () => (pending = false),
            () => void drop(client),
          );
        }, options.heartbeatIntervalMs);
        heartbeat.unref();
      }
    })();
  }

  connect();

  return {
    get state() {
      return state;
    },
    async ping() {
      const client = current;
      if (!client || !connected) throw new Error('the listening connection is down');
      // The socket is unref'd (see connect); a caller awaiting a ping must keep the process
      // alive until the answer comes, or a process with nothing else to do ends mid-await.
      pinging++;
      (client as unknown as Unrefable).ref?.();
      try {
        await probe(client);
      } catch (error) {
        void drop(client);
        throw error;
      } finally {
        if (--pinging === 0 && client === current && !stopped) (client as unknown as Unrefable).unref?.();
      }
    },
    async stop() {
      stopped = true;
      clearTimeout(retry);
      // The socket was unref'd so a subscription alone never keeps a process alive; while it
      // is being closed it must, or a process with nothing else to do would exit mid-close.
      if (current) (current as unknown as Unrefable).ref?.();
      if (current) await settleWithin(drop(current), opTimeoutMs);
    },
  };
}

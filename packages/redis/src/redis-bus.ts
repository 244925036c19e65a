/**
 * Cross-instance session bus over Redis pub/sub. Exported from `@coatcheck/redis`.
 *
 * Messages are JSON on one channel, `<prefix>bus`: `PUBLISH`/`SUBSCRIBE` on a standalone or
 * Sentinel deployment, sharded `SPUBLISH`/`SSUBSCRIBE` on a Cluster (a classic `PUBLISH` on a
 * Cluster is broadcast to every node; a shard channel lives on one). The subscriber is a
 * `duplicate()` of your client, because a subscribed connection can run nothing else.
 *
 * State: `down` as soon as the subscriber connection reports an error, a reconnect or its
 * end, or when a heartbeat (a probe message the bus sends to itself every
 * `heartbeatIntervalMs`) does not come back within `opTimeoutMs`; `up` once the subscription
 * is known to work again (node-redis resubscribes before a standalone client says "ready";
 * otherwise a probe must come back). While down the bus probes every `probeIntervalMs` and
 * recreates the subscriber after `resubscribeAfterMs`.
 *
 * Why the heartbeat: a subscription can be lost without any connection event. A frozen server
 * keeps its sockets open, and node-redis 5.12 drops a sharded subscription silently when the
 * channel's slot moves to another master (the client emits `sharded-channel-moved`, the
 * cluster listens for `server-sunsubscribe`), so after a Cluster failover nothing would ever
 * arrive again. Received messages are validated with `isBusMessage`; anything else on the
 * channel is dropped.
 *
 * Application broadcasts (`broadcast`/`onBroadcast`, used by realtime hubs) travel on the
 * same channel as `{"type":"broadcast",...}`: one subscription, one heartbeat, one state for
 * both, and a broadcast is never reordered against the revocation published before it.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import {
  addBroadcastListener,
  dispatchBroadcast,
  isBusBroadcast,
  isBusMessage,
  type BroadcastListener,
  type BusMessage,
  type BusState,
  type SessionBus,
} from 'coatcheck/bus';
import { SessionConfigError, SessionStoreError } from 'coatcheck/errors';
import type { RedisBusClient } from './client-types.js';
import type { IoredisClientLike } from './ioredis-types.js';
import { adaptClient, type Subscription } from './redis-ops.js';
import { ensureErrorListener } from './client-options.js';
import { createOpGuard } from './op-guard.js';
import { positiveInteger, redisKeys } from './options.js';
import { rateLimitedWarning } from './warnings.js';

/** Options of {@link redisBus}. */
export interface RedisBusOptions {
  /**
   * A connected client (standalone, Cluster or Sentinel): node-redis v5 or v6, ioredis or
   * iovalkey. Publishes go through it; the subscriber is a `duplicate()` of it.
   */
  client: RedisBusClient | IoredisClientLike;
  /** Same rules as the store's; the channel is `<prefix>bus`. @default 'coatcheck:' */
  prefix?: string;
  /** `publish` and `ping` reject with `SessionStoreError` after this many ms. @default 1000 */
  opTimeoutMs?: number;
  /** While down, how often to check whether messages flow again, in ms. @default 1000 */
  probeIntervalMs?: number;
  /** While down this long, the subscriber connection is recreated, in ms. @default 5000 */
  resubscribeAfterMs?: number;
  /**
   * While up, how often the bus checks that its own probe comes back, in ms. Each instance
   * sends one small message per interval, which every instance receives.
   * @default 5000
   */
  heartbeatIntervalMs?: number;
  /**
   * Use sharded pub/sub (Redis 7+). Not available on an iovalkey Cluster, nor on the Cluster
   * of an ioredis release without the `shardedSubscribers` option (`SessionConfigError`);
   * classic pub/sub works on a Cluster too, each message reaching every node.
   * @default true for a node-redis Cluster client and an ioredis one that supports it, false otherwise
   */
  sharded?: boolean;
}

/** A {@link SessionBus} over Redis pub/sub. */
export interface RedisBus extends SessionBus {
  readonly name: 'redis';
  /** The pub/sub channel. */
  readonly channel: string;
  /** Resolves once the subscription is first established. */
  readonly ready: Promise<void>;
  /** Messages received that were not well-formed bus messages (and were dropped). */
  readonly dropped: number;
}

const PROBE = 'coatcheck-probe:';

/**
 * Creates the bus and starts subscribing in the background (`state` is `down` until
 * `ready` resolves).
 *
 * @example
 * ```ts
 * const bus = redisBus({ client, prefix: 'shop:' })
 * const manager = createSessionManager({ store: redisStore({ client, prefix: 'shop:' }), bus, cache: true, secrets })
 * ```
 */
export function redisBus(options: RedisBusOptions): RedisBus {
  if (options === null || typeof options !== 'object') {
    throw new SessionConfigError('redisBus: pass an options object, e.g. redisBus({ client }).');
  }
  const client = adaptClient(options.client, 'redisBus');
  const channel = redisKeys(options.prefix, 'redisBus').channel;
  const opTimeoutMs = positiveInteger('redisBus', 'opTimeoutMs', options.opTimeoutMs, 1000);
  const probeIntervalMs = positiveInteger('redisBus', 'probeIntervalMs', options.probeIntervalMs, 1000);
  const resubscribeAfterMs = positiveInteger('redisBus', 'resubscribeAfterMs', options.resubscribeAfterMs, 5000);
  const heartbeatIntervalMs = positiveInteger('redisBus', 'heartbeatIntervalMs', options.heartbeatIntervalMs, 5000);
  const sharded = options.sharded ?? client.shardByDefault;
  if (sharded && !client.canShard) {
    throw new SessionConfigError(
      'redisBus: `sharded: true` needs a Cluster client with sharded subscribers: node-redis, or an ioredis release with the `shardedSubscribers` Cluster option (an iovalkey Cluster has none). Leave `sharded` unset for classic pub/sub.',
    );
  }
  ensureErrorListener(client.events, 'coatcheck redis bus');
  const guard = createOpGuard({ name: 'redis', opTimeoutMs, maxInFlight: 10_000 });
  const reportConnection = rateLimitedWarning('coatcheck redis bus subscriber: Redis connection error');
  const reportListener = rateLimitedWarning('coatcheck redis bus: a listener threw');
  const probeMessage = `${PROBE}${randomUUID()}`;
  const listeners = new Set<(message: BusMessage) => void>();
  const stateListeners = new Set<(state: BusState) => void>();
  const broadcastListeners = new Map<string, Set<BroadcastListener>>();
  let state: BusState = 'down';
  let downSince = Date.now();
  let dropped = 0;
  let closed = false;
  let subscriber: Subscription | undefined;
  let starting: Promise<void> | undefined;
  let lastProbeAt = Date.now();
  let awaitingSince: number | undefined;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  function setState(next: BusState): void {
    if (closed || next === state) return;
    state = next;
    if (next === 'down') downSince = Date.now();
    else markReady();
    for (const listener of stateListeners) {
      try {
        listener(next);
      } catch (error) {
        reportListener(error);
      }
    }
  }

  // Runs inside the client's socket data handler: it must never throw, or the client would
  // reset its parser and report a connection error.
  function receive(raw: string): void {
    const text = String(raw);
    if (text.startsWith(PROBE)) {
      if (text === probeMessage) {
        awaitingSince = undefined;
        setState('up');
      }
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      dropped++;
      return;
    }
    if (isBusBroadcast(parsed)) {
      dispatchBroadcast(broadcastListeners, parsed, reportListener);
      return;
    }
    if (!isBusMessage(parsed)) {
      dropped++;
      return;
    }
    let first = true;
    for (const listener of listeners) {
      // Each listener gets its own frozen copy, as with memoryBus.
      const copy = first ? parsed : (JSON.parse(text) as BusMessage);
      first = false;
      try {
        listener(Object.freeze(copy));
      } catch (error) {
        reportListener(error);
      }
    }
  }

  function subscribe(): void {
    if (closed || starting !== undefined) return;
    subscriber?.close();
    subscriber = undefined;
    starting = client
      .subscribe({
        channel,
        sharded,
        receive,
        onDown: () => setState('down'),
        onReady: () => setState('up'),
        onError: reportConnection,
      })
      .then(
        (created) => {
          starting = undefined;
          if (closed) created.close();
          else {
            subscriber = created;
            downSince = Date.now();
            setState('up');
          }
        },
        (error: unknown) => {
          starting = undefined;
          reportConnection(error);
        },
      );
  }

  function probe(now: number): void {
    lastProbeAt = now;
    awaitingSince ??= now;
    const send = sharded ? client.sPublish(channel, probeMessage) : client.publish(channel, probeMessage);
    send.catch(() => {});
  }

  // One timer: heartbeats while up; while down, probes (a message to ourselves proves
  // publisher, server and subscription at once) and, if that does not help for a while, a
  // fresh subscriber.
  const timer = setInterval(() => {
    if (closed) return;
    const now = Date.now();
    if (awaitingSince !== undefined && now - awaitingSince > opTimeoutMs) {
      awaitingSince = undefined;
      setState('down');
    }
    if (state === 'up') {
      if (now - lastProbeAt >= heartbeatIntervalMs) probe(now);
    } else if (subscriber === undefined || now - downSince >= resubscribeAfterMs) subscribe();
    else probe(now);
  }, probeIntervalMs);
  timer.unref();
  subscribe();

  return {
    name: 'redis',
    channel,
    ready,
    get state() {
      return state;
    },
    get dropped() {
      return dropped;
    },
    publish(message) {
      const wire = JSON.stringify(message);
      return guard.run('publish', async () => {
        await (sharded ? client.sPublish(channel, wire) : client.publish(channel, wire));
      });
    },
    maxBroadcastBytes: 512 * 1024 * 1024 - 1024,
    broadcast(name, payload) {
      const wire = JSON.stringify({ type: 'broadcast', channel: name, payload });
      return guard.run('broadcast', async () => {
        await (sharded ? client.sPublish(channel, wire) : client.publish(channel, wire));
      });
    },
    onBroadcast(name, listener) {
      return addBroadcastListener(broadcastListeners, name, listener);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    onStateChange(listener) {
      stateListeners.add(listener);
      return () => void stateListeners.delete(listener);
    },
    ping: () =>
      guard.run('ping', async () => {
        if (state === 'down') throw new SessionStoreError('redis', 'Redis bus is down: its subscription is not established');
        await client.ping();
      }),
    async close() {
      if (closed) return;
      setState('down');
      closed = true;
      clearInterval(timer);
      guard.close();
      listeners.clear();
      broadcastListeners.clear();
      stateListeners.clear();
      subscriber?.close();
      subscriber = undefined;
    },
  };
}

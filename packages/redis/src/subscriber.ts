/**
 * The bus's subscription on node-redis: on a duplicate of the user's client, its events
 * mapped to bus state; or, for a Sentinel client (which has no `duplicate` and keeps its own
 * pub/sub connection), on the client itself. Internal.
 *
 * @module
 */
import type { RedisBusClient, RedisPubSubClient } from './client-types.js';
import type { SubscriberInit, Subscription } from './redis-ops.js';

// A Cluster duplicate reports its node connections as node-* events; node-redis emits
// "node-ready" only once per node, so a Cluster's recovery is detected by the bus's probe.
const CLUSTER_DOWN_EVENTS = ['node-error', 'node-reconnecting', 'node-disconnect', 'sharded-shannel-moved-error'];
const CLIENT_DOWN_EVENTS = ['error', 'reconnecting', 'end'];

function destroy(subscriber: RedisPubSubClient): void {
  try {
    subscriber.destroy();
  } catch {
    // never connected, or already closed
  }
}

/** Subscribes; resolves once the server confirmed the subscription. */
export async function startSubscriber(client: RedisBusClient, init: SubscriberInit): Promise<Subscription> {
  const { channel, sharded, receive, onDown, onReady, onError } = init;
  if (typeof client.duplicate !== 'function') {
    await (sharded ? client.sSubscribe(channel, receive) : client.subscribe(channel, receive));
    return {
      close: () => void (sharded ? client.sUnsubscribe(channel, receive) : client.unsubscribe(channel, receive)).catch(() => {}),
    };
  }
  const subscriber = client.duplicate();
  const cluster = typeof (subscriber as { nodeClient?: unknown }).nodeClient === 'function';
  // Attached before connecting: an 'error' event without a listener would crash the process.
  subscriber.on('error', onError);
  if (cluster) subscriber.on('node-error', onError);
  try {
    await subscriber.connect();
    await (sharded ? subscriber.sSubscribe(channel, receive) : subscriber.subscribe(channel, receive));
  } catch (error) {
    destroy(subscriber);
    throw error;
  }
  for (const event of cluster ? CLUSTER_DOWN_EVENTS : CLIENT_DOWN_EVENTS) subscriber.on(event, onDown);
  if (!cluster) subscriber.on('ready', onReady);
  return { close: () => destroy(subscriber) };
}

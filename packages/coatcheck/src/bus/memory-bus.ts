/**
 * In-process event bus: every manager sharing it sees every message. Exported from
 * `coatcheck/bus`. Useful for several managers in one process (tests, workers sharing a
 * store through another channel) and as the reference for transports.
 *
 * @module
 */
import { addBroadcastListener, dispatchBroadcast, type BroadcastListener, type BusMessage, type BusState, type SessionBus } from './types.js';

/**
 * Creates an in-process bus. Delivery is asynchronous (next microtask), like a network
 * transport, so code written against it does not depend on synchronous delivery.
 */
export function memoryBus(): SessionBus {
  const listeners = new Set<(message: BusMessage) => void>();
  const stateListeners = new Set<(state: BusState) => void>();
  const broadcastListeners = new Map<string, Set<BroadcastListener>>();
  let closed = false;
  return {
    name: 'memory',
    local: true,
    get state(): BusState {
      return closed ? 'down' : 'up';
    },
    async publish(message) {
      if (closed) return;
      // Each listener gets its own frozen copy, as if it had come over the wire.
      const wire = JSON.stringify(message);
      queueMicrotask(() => {
        for (const listener of listeners) listener(Object.freeze(JSON.parse(wire)) as BusMessage);
      });
    },
    maxBroadcastBytes: Number.MAX_SAFE_INTEGER,
    async broadcast(channel, payload) {
      if (closed) return;
      const message = { type: 'broadcast', channel, payload } as const;
      queueMicrotask(() =>
        dispatchBroadcast(broadcastListeners, message, (error) =>
          queueMicrotask(() => {
            throw error;
          }),
        ),
      );
    },
    onBroadcast(channel, listener) {
      return addBroadcastListener(broadcastListeners, channel, listener);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    onStateChange(listener) {
      stateListeners.add(listener);
      return () => void stateListeners.delete(listener);
    },
    async ping() {
      if (closed) throw new Error('memoryBus is closed');
    },
    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      broadcastListeners.clear();
      for (const listener of stateListeners) listener('down');
      stateListeners.clear();
    },
  };
}

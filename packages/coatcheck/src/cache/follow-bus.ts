/**
 * Keeps a local cache honest across instances: whatever another instance announces on the
 * bus (a change, an ending, a login) is dropped from this one's cache, and while the bus is
 * down the cache is emptied and bypassed, because a revocation could then go unheard.
 *
 * @module
 */
import type { BusMessage, SessionBus } from '../bus/types.js';
import type { RecordCache } from './record-cache.js';

/** Ids a bus message makes stale. */
function staleIds(message: BusMessage): readonly string[] {
  if (message.type === 'upgraded') return message.oldId === null ? [message.newId] : [message.oldId, message.newId];
  return message.ids;
}

/**
 * Drops from `cache` what other instances changed (messages from `origin`, this instance,
 * are skipped: its own writes invalidate directly). Returns the function that stops it.
 */
export function followBus(bus: SessionBus, cache: RecordCache, origin: string): () => void {
  cache.setEnabled(bus.state === 'up');
  const offMessage = bus.subscribe((message) => {
    if (message.origin !== origin) cache.invalidate(staleIds(message));
  });
  const offState = bus.onStateChange((state) => cache.setEnabled(state === 'up'));
  return () => {
    offMessage();
    offState();
  };
}

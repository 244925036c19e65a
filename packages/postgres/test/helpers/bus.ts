// Helpers for the bus tests: open buses that are closed after the file, wait for state, and
// collect what a subscriber receives.
import type { BusMessage, BusState } from 'coatcheck/bus';
import { postgresBus, type PostgresBus, type PostgresBusOptions } from '@coatcheck/postgres';
import { onCleanup, waitFor } from './database.js';

/** Opens a bus, closed after the file, and waits until it listens. */
export async function openBus(options: PostgresBusOptions): Promise<PostgresBus> {
  const bus = postgresBus(options);
  onCleanup(() => bus.close());
  await waitFor('the bus to listen', () => bus.state === 'up');
  return bus;
}

/** Everything a subscriber receives, with a way to wait for a condition on it. */
export interface Inbox {
  readonly messages: BusMessage[];
  until(what: string, check: (messages: BusMessage[]) => boolean): Promise<void>;
}

export function collect(bus: PostgresBus): Inbox {
  const messages: BusMessage[] = [];
  bus.subscribe((message) => messages.push(message));
  return { messages, until: (what, check) => waitFor(what, () => check(messages)) };
}

/** Every state change of a bus, in order. */
export function recordStates(bus: PostgresBus): BusState[] {
  const states: BusState[] = [];
  bus.onStateChange((state) => states.push(state));
  return states;
}

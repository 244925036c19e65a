/**
 * `coatcheck/bus`: the bus contract, the in-process bus, and the plumbing that transports and
 * coatcheck's own packages share.
 *
 * - `SessionBus` and its message types are the contract every transport implements; an
 *   application that passes a bus around names it with `SessionBus`.
 * - `memoryBus()` is for applications (one process, tests).
 * - `isBusMessage`, `isBusBroadcast`, `dispatchBroadcast` and `addBroadcastListener` are for
 *   bus transports (`@coatcheck/redis`, `@coatcheck/postgres`, or your own): they validate
 *   what arrives on the wire and deliver broadcasts the way every transport must.
 * - `createTypedEmitter` (and its `TypedEventEmitter` type) and `RESERVED_PREFIX` are for
 *   packages built on coatcheck (`@coatcheck/tokens`): an emitter that isolates throwing
 *   listeners, and the prefix of data keys that `clear()` leaves alone.
 *
 * Applications do not need the last two groups; they live here, not in the root entry point,
 * so that the root stays the application's surface.
 *
 * @example
 * ```ts
 * import { memoryBus } from 'coatcheck/bus'
 * ```
 *
 * @module
 */
export { memoryBus } from './memory-bus.js';
export { isBusMessage, isBusBroadcast, dispatchBroadcast, addBroadcastListener } from './types.js';
export { createTypedEmitter } from '../events.js';
export { RESERVED_PREFIX } from '../session/operations.js';
export type { SessionBus, BusMessage, BusState, BusEndReason, BusBroadcast, BroadcastListener } from './types.js';
export type { TypedEventEmitter } from '../events.js';

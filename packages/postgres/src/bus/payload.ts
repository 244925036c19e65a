/**
 * Bus messages as NOTIFY payloads, and back. Internal.
 *
 * A NOTIFY payload must be shorter than 8000 bytes. A message naming many sessions ("log
 * out everywhere" for a user with hundreds of devices, a bulk change) is split into several
 * messages of the same type, each with a share of the `ids`: every consumer already treats
 * `ids` as a set of independent invalidations, so receiving them in parts is equivalent.
 *
 * @module
 */
import { isBusBroadcast, isBusMessage, type BusBroadcast, type BusMessage } from 'coatcheck/bus';

/** Largest payload Postgres accepts (its limit is "shorter than 8000 bytes"). */
export const MAX_PAYLOAD_BYTES = 7999;

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * Encodes a message as one or more payloads, each at most {@link MAX_PAYLOAD_BYTES}.
 * @throws RangeError when even one id (or an `upgraded` message) does not fit.
 */
export function toPayloads(message: BusMessage): string[] {
  const whole = JSON.stringify(message);
  if (bytes(whole) <= MAX_PAYLOAD_BYTES) return [whole];
  if (message.type === 'upgraded') throw new RangeError(`bus message of ${bytes(whole)} bytes exceeds the NOTIFY limit`);

  const base = bytes(JSON.stringify({ ...message, ids: [] }));
  const chunks: string[][] = [];
  let chunk: string[] = [];
  let size = base;
  for (const id of message.ids) {
    const cost = bytes(JSON.stringify(id));
    if (base + cost > MAX_PAYLOAD_BYTES) throw new RangeError(`session id of ${cost} bytes exceeds the NOTIFY limit`);
    // Every id after the first in a chunk also costs a comma.
    if (chunk.length > 0 && size + 1 + cost > MAX_PAYLOAD_BYTES) {
      chunks.push(chunk);
      chunk = [];
      size = base;
    }
    size += (chunk.length > 0 ? 1 : 0) + cost;
    chunk.push(id);
  }
  chunks.push(chunk);
  return chunks.map((ids) => JSON.stringify({ ...message, ids }));
}

/**
 * Encodes an application broadcast as one payload. Broadcasts are opaque, so they cannot be
 * split like `ids`.
 * @throws RangeError when it does not fit in one NOTIFY.
 */
export function toBroadcastPayload(channel: string, payload: string): string {
  const wire = JSON.stringify({ type: 'broadcast', channel, payload } satisfies BusBroadcast);
  const size = bytes(wire);
  if (size > MAX_PAYLOAD_BYTES) throw new RangeError(`broadcast of ${size} bytes exceeds the Postgres NOTIFY limit (${MAX_PAYLOAD_BYTES} bytes)`);
  return wire;
}

/** Room the broadcast envelope takes in a NOTIFY payload, beyond channel and payload. */
export const BROADCAST_ENVELOPE_BYTES = bytes(JSON.stringify({ type: 'broadcast', channel: '', payload: '' }));

/** Parses a payload; `null` for anything that is not a well-formed bus message or broadcast. */
export function fromPayload(payload: string | undefined): BusMessage | BusBroadcast | null {
  if (payload === undefined) return null;
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  return isBusMessage(value) || isBusBroadcast(value) ? Object.freeze(value) : null;
}

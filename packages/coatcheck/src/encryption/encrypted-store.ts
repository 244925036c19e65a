/**
 * A store wrapper that keeps session data encrypted at rest: `data` is sealed on every write
 * (so a record sealed with an older key, or written before encryption was on, is re-sealed
 * with the current key the next time it changes) and opened on every read. The manager puts
 * it around the store when `encryption` is set; the gateway, its cache and everything above
 * see plain data, the store never does.
 *
 * @module
 */
import { WARNINGS } from '../warnings.js';
import type { Logger } from '../manager/options.js';
import type { SessionRecord, SessionStore } from '../store/types.js';
import type { DataCipher } from './data-cipher.js';

const UNREADABLE = WARNINGS.ENCRYPTED_DATA_UNREADABLE;

/** `store` with its records' data sealed by `cipher`; unreadable data counts as a missing record (reported through `logger`). */
export function encryptStore(store: SessionStore, cipher: DataCipher, logger: Logger): SessionStore {
  // One report per key id and reason: an unknown key hits every request of its sessions.
  const reported = new Set<string>();

  function opened(record: SessionRecord | null): SessionRecord | null {
    if (record === null) return null;
    const result = cipher.open(record.id, record.data);
    if (result.ok) return result.keyId === null ? record : { ...record, data: result.data };
    const key = `${result.reason}:${result.keyId}`;
    if (!reported.has(key)) {
      reported.add(key);
      const why = result.reason === 'unknown-key' ? `it was sealed with key ${result.keyId}, which is not in encryption.keys` : 'it was altered or is not ours';
      logger.warn(
        `${UNREADABLE.code} coatcheck: a session's encrypted data cannot be opened: ${why}. The session counts as missing; the record is kept. ${UNREADABLE.fix}`,
        {
          code: UNREADABLE.code,
          sessionId: record.id,
          keyId: result.keyId,
        },
      );
    }
    return null;
  }

  const sealed = (record: SessionRecord): SessionRecord => ({ ...record, data: cipher.seal(record.id, record.data) });

  const wrapped: SessionStore = {
    name: store.name,
    get: (id, now) => store.get(id, now).then(opened),
    create: (record) => store.create(sealed(record)),
    update: (next, expectedVersion, now) => store.update(sealed(next), expectedVersion, now),
    touch: (id, lastSeenAt, expiresAt, now) => store.touch(id, lastSeenAt, expiresAt, now),
    delete: (id) => store.delete(id),
    listByUser: async (userId, now) => (await store.listByUser(userId, now)).map(opened).filter((record) => record !== null),
    deleteByUser: (userId, exceptId) => store.deleteByUser(userId, exceptId),
    prune: (now) => store.prune(now),
    ping: () => store.ping(),
    close: () => store.close(),
  };
  if (store.createCapped !== undefined) {
    const createCapped = store.createCapped.bind(store);
    wrapped.createCapped = (record, cap, now) => createCapped(sealed(record), cap, now);
  }
  if (store.appendHistory !== undefined) wrapped.appendHistory = store.appendHistory.bind(store);
  if (store.readHistory !== undefined) wrapped.readHistory = store.readHistory.bind(store);
  return Object.freeze(wrapped);
}

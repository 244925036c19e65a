// The session every capacity measurement stores, and the requests it replays: one place, so
// the store sizes, the command counts and the cache figures describe the same session. The
// payload is that of scripts/measure-store-size.mjs and packages/postgres/test/tools/
// measure-size.ts (a user id, a three-line cart, a 111-character User-Agent), so the figures
// compare with docs/stores.md and docs/postgres.md.
import { buildRecord } from '@coatcheck/conformance';

export const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const IP = '203.0.113.42';

/** The session data: a three-line cart. */
export const cart = () => [
  { item_id: 'sku-1001', quantity: 2 },
  { item_id: 'sku-2002', quantity: 1 },
  { item_id: 'sku-3003', quantity: 5 },
];

/** Two sessions per user (a laptop and a phone): the user index holds two ids per user. */
export const SESSIONS_PER_USER = 2;

/** The `i`-th stored session of a sizing run, as the store receives it. */
export function sessionRecord(i, count, now = Date.now()) {
  return buildRecord({
    now,
    userId: `user-${i % Math.max(1, Math.floor(count / SESSIONS_PER_USER))}`,
    data: { cart: cart() },
    device: { userAgent: USER_AGENT, ip: IP },
  });
}

/** Writes `count` sessions through `store`, `batch` at a time (a pool or a pipeline's width). */
export async function fillStore(store, count, batch = 8, now = Date.now()) {
  for (let start = 0; start < count; start += batch) {
    const writes = [];
    for (let i = start; i < Math.min(count, start + batch); i++) writes.push(store.create(sessionRecord(i, count, now)));
    await Promise.all(writes);
  }
}

/** The request metadata of a browser, as an adapter hands it to `manager.load`. */
export const browserRequest = (cookie) => ({ cookie, secure: true, userAgent: USER_AGENT, ip: IP });

/** The cookie pair (`name=value`) of a response's `Set-Cookie` headers. */
const cookiePair = (headers) => (headers[0] ?? '').split(';')[0];

/**
 * The requests a capacity figure is counted for, each as an adapter runs it: load the session
 * from the cookie, work on it, commit before the headers go out. Each returns the cookie the
 * browser holds afterwards.
 */
export const requests = {
  /** `POST /login`: a visitor without a cookie signs in (the cart comes along). */
  async login(manager, userId) {
    const session = await manager.load(browserRequest(null));
    session.set('cart', cart());
    await session.login(userId);
    return cookiePair(await session.commit());
  },
  /** An authenticated read (`GET /me`): nothing changes, no touch is due. */
  async read(manager, cookie) {
    const session = await manager.load(browserRequest(cookie));
    if (session.userId === null) throw new Error('the read lost its session');
    await session.commit();
    return cookie;
  },
  /** An authenticated write (`POST /cart`): one data change. */
  async write(manager, cookie, i) {
    const session = await manager.load(browserRequest(cookie));
    session.update('cart', (lines = []) => [...lines.slice(-2), { item_id: `sku-${i}`, quantity: 1 }]);
    await session.commit();
    return cookie;
  },
  /** `POST /logout`. */
  async logout(manager, cookie) {
    const session = await manager.load(browserRequest(cookie));
    await session.logout();
    await session.commit();
    return null;
  },
};

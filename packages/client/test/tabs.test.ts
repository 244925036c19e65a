// Tabs of one origin against a real token API, in one process: each "tab" is a
// createBearerFetch with its own memory storage, talking to the others over Node's
// BroadcastChannel (the same API as the browser's). Node 20 has no Web Locks, so the lock is a
// small first-come-first-served lock manager with the Web Locks semantics the client uses; the
// browser test (apps/shop/test/browser/bearer-tabs.test.ts) runs the real one. The server has
// no grace window: any refresh with a rotated-away token is reuse and ends the session.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { waitFor } from '@coatcheck/testkit/wait-for';
import {
  type BearerFetch,
  type BroadcastChannelLike,
  createBearerFetch,
  type LockManagerLike,
  memoryTokenStorage,
  type SessionEndedEvent,
  type StoredTokens,
} from '@coatcheck/client';
import { tokenServer } from './token-server.js';

/** One lock per name, granted in request order (what `navigator.locks.request` does by default). */
function lockManager(): LockManagerLike {
  const tails = new Map<string, Promise<unknown>>();
  const held: string[] = [];
  return {
    request<T>(name: string, callback: () => Promise<T>): Promise<T> {
      const run = (tails.get(name) ?? Promise.resolve()).then(async () => {
        held.push(name);
        try {
          return await callback();
        } finally {
          held.splice(held.indexOf(name), 1);
        }
      });
      tails.set(
        name,
        run.catch(() => {}),
      );
      return run;
    },
    query: async () => ({ held: held.map((name) => ({ name })) }),
  };
}

interface Tab {
  auth: BearerFetch;
  ended: SessionEndedEvent[];
  /** The access token the tab holds now (memory storage answers synchronously). */
  held(): string | null;
}

/** `count` tabs of one origin, sharing a lock manager and a channel name. */
function openTabs(base: string, count: number, { coordinated = true } = {}): Tab[] {
  const locks = lockManager();
  const name = `tabs-${randomUUID()}`;
  return Array.from({ length: count }, () => {
    const ended: SessionEndedEvent[] = [];
    const storage = memoryTokenStorage();
    const channel = (n: string) => new BroadcastChannel(n) as unknown as BroadcastChannelLike;
    const auth = createBearerFetch({
      refreshUrl: '/token/refresh',
      baseUrl: base,
      storage,
      tabs: coordinated && { name, locks, channel },
      onSessionEnded: (e) => ended.push(e),
    });
    const held = () => (storage.load() as StoredTokens | null)?.accessToken ?? null;
    return { auth, ended, held };
  });
}

const holding = (tabs: Tab[], token: string | null) => () => tabs.every((tab) => tab.held() === token);

describe('createBearerFetch across tabs', () => {
  it('RT-13 a login in one tab signs every tab in; tabs refreshing at once cause one refresh, and every tab takes its tokens', async () => {
    const s = await tokenServer();
    const tabs = openTabs(s.base, 5);
    const [first] = tabs as [Tab];
    await first.auth.setTokens(await s.login());
    const token = first.held();
    await waitFor('every tab to take the login', holding(tabs, token));

    for (let round = 1; round <= 3; round++) {
      assert.deepEqual(await Promise.all(tabs.map((tab) => tab.auth.refresh())), [true, true, true, true, true]);
      assert.equal(s.seen.refreshes, round, 'one refresh for the five tabs');
      const held = tabs.map((tab) => tab.held());
      assert.equal(new Set(held).size, 1, 'every tab holds the same, current access token');
      assert.notEqual(held[0], token);
    }
    assert.equal((await Promise.all(tabs.map((tab) => tab.auth.fetch('/me')))).filter((r) => r.status === 200).length, 5);
    assert.deepEqual(
      tabs.flatMap((tab) => tab.ended),
      [],
    );
    assert.equal(s.seen.reuses, 0);
  });

  it('RT-13 tabs that refresh one after the other: coordinated, each uses the last rotation; on their own, the second replays a rotated token and the session ends', async () => {
    for (const coordinated of [true, false]) {
      const s = await tokenServer();
      const tabs = openTabs(s.base, 2, { coordinated });
      const [first, second] = tabs as [Tab, Tab];
      const pair = await s.login();
      await first.auth.setTokens(pair);
      // On their own, each tab is given the login (as a page that read it from shared storage).
      if (!coordinated) await second.auth.setTokens(pair);
      await waitFor('both tabs to hold the login', holding(tabs, first.held()));
      assert.equal(await first.auth.refresh(), true);
      const refreshed = await second.auth.refresh();
      assert.deepEqual(
        { refreshed, reuses: s.seen.reuses },
        coordinated ? { refreshed: true, reuses: 0 } : { refreshed: false, reuses: 1 },
        `coordinated: ${coordinated}`,
      );
    }
  });

  it('RT-13 a logout in one tab signs every tab out ("SIGNED_OUT"); the end of the session seen by one tab ends it in all', async () => {
    const s = await tokenServer();
    const tabs = openTabs(s.base, 3);
    const [first, second, third] = tabs as [Tab, Tab, Tab];
    await first.auth.setTokens(await s.login());
    await waitFor('every tab to take the login', holding(tabs, first.held()));
    await second.auth.setTokens(null);
    await waitFor('the other tabs to drop their tokens', holding(tabs, null));
    assert.deepEqual(first.ended, [{ code: 'SIGNED_OUT', otherTab: true }]);
    assert.deepEqual(second.ended, [], 'the tab that signed out knows');
    assert.deepEqual(third.ended, [{ code: 'SIGNED_OUT', otherTab: true }]);

    // Logged in again; the session is then revoked on the server and one tab notices.
    const pair = await s.login();
    await third.auth.setTokens(pair);
    await waitFor('every tab to take the new login', holding(tabs, third.held()));
    assert.equal(await s.tokens.revoke(pair.refresh_token), true);
    assert.equal((await second.auth.fetch('/me')).status, 401);
    assert.deepEqual(second.ended, [{ code: 'ERR_TOKEN_SESSION_ENDED', otherTab: false }]);
    await waitFor('the other tabs to hear of it', () => first.ended.length === 2 && third.ended.length === 2);
    assert.deepEqual(first.ended[1], { code: 'ERR_TOKEN_SESSION_ENDED', otherTab: true });
    assert.deepEqual(third.ended[1], { code: 'ERR_TOKEN_SESSION_ENDED', otherTab: true });
    assert.ok(holding(tabs, null)());
    assert.equal(s.seen.refreshes, 0);
  });
});

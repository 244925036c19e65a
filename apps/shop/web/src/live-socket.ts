/**
 * The page's live module on `@coatcheck/client`: one WebSocket to the shop's `/ws`, opened
 * once someone is logged in. The session cookie authenticates it (same origin, so the
 * browser sends it and the hub checks the Origin).
 *
 * What arrives and what the page does:
 * - `{kind:'cart'}` (another tab or device added to the cart) → refresh the cart;
 * - `{kind:'devices'}` (a login, a logout, a revoked device) → refresh the device list;
 * - `{kind:'chat'}` in a joined room → a line in the Lobby tab;
 * - a close with 4401/4440/4001 (this session was revoked, logged out elsewhere, expired) →
 *   show the page logged out at once, without waiting for the next request to get a 401; the
 *   hub closes with the end reason it sent in `session-ended`, so `session-limit` (signed out
 *   to make room under the cap on devices) is told apart.
 *
 * After a reconnection the page refreshes what it shows, since pushes sent while the socket
 * was down are not replayed. A browser cannot tell a refused handshake (a dead session) from
 * a network error, so after a few failed attempts the module asks the page to check.
 */
import { createRealtimeClient, TERMINAL_CLOSE_CODES, type RealtimeClient } from '@coatcheck/client';
import type { ChatLine, EndedBy, LiveModule } from './live';

/** Failed handshakes in a row after which the page checks whether it is still logged in. */
const MAX_ATTEMPTS = 8;

/** The `/ws` URL of the page's own origin (`wss:` on an HTTPS page). */
function liveUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * Why the session ended, from the close's reason: the hub closes with the reason of its
 * `session-ended` notice (`session-limit`, `revoke`, `logout`, `expired`…), and the client
 * SDK hands the page the close rather than that frame.
 */
const endedBy = (reason: string): EndedBy => (reason === 'session-limit' ? 'too-many-devices' : 'other');

/** A chat line from a message's data, or `null` when it is not one. */
function chatLine(data: { room?: unknown; from?: unknown; name?: unknown; text?: unknown }): ChatLine | null {
  const room = text(data.room);
  const said = text(data.text);
  if (room === null || said === null) return null;
  return { room, from: text(data.from), name: text(data.name), text: said };
}

/** Live updates over `/ws`. */
export const socketLive: LiveModule = {
  connect(events) {
    let opened = false;
    // Once the page has disconnected, the last close it caused is not news.
    let disposed = false;
    const client: RealtimeClient = createRealtimeClient({
      url: liveUrl(window.location),
      maxAttempts: MAX_ATTEMPTS,
      // Pushes are small and rare; a silent server is noticed within a minute.
      heartbeatIntervalMs: 25_000,
      onMessage(message) {
        if (disposed) return;
        const data = (message.data ?? {}) as { kind?: unknown; room?: unknown; from?: unknown; name?: unknown; text?: unknown };
        if (data.kind === 'cart') events.cartChanged();
        else if (data.kind === 'devices') events.devicesChanged();
        else if (data.kind === 'chat' && message.scope === 'room') {
          const line = chatLine(data);
          if (line) events.chat(line);
        }
      },
      onStateChange(state) {
        if (disposed || state !== 'open') return;
        // Not on the first connection: the page has just loaded everything itself.
        if (opened) {
          events.cartChanged();
          events.devicesChanged();
        }
        opened = true;
      },
      onClose({ code, reason, willReconnect }) {
        if (disposed) return;
        if (TERMINAL_CLOSE_CODES.includes(code)) events.sessionEnded(endedBy(reason));
        else if (!willReconnect) events.connectionLost();
      },
    });
    return {
      join: (room) => client.join(room),
      say: (room, said) => client.send({ room, text: said }),
      close() {
        disposed = true;
        client.close();
      },
    };
  },
};

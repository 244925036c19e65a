// WS-12: a handshake with thousands of headers, or one huge header, is refused with a 4xx
// and the server keeps serving (the `ws` advisory where the key header fell past
// `maxHeadersCount` and crashed the process).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect as connectTcp } from 'node:net';
import { createManager, login, ready, serve } from './helpers.js';

/** Sends a raw upgrade request and resolves with the status line of the answer ('' if none). */
function rawUpgrade(url: string, cookie: string, extraHeaders: string): Promise<string> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connectTcp(Number(port), hostname);
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', () => resolve(answer.split('\r\n')[0] ?? ''));
    socket.on('close', () => resolve(answer.split('\r\n')[0] ?? ''));
    socket.setTimeout(10_000, () => reject(new Error('no answer to the handshake')));
    socket.write(
      // The upgrade headers first, the key last: past maxHeadersCount the key is what Node
      // leaves out, as in the advisory.
      `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nOrigin: http://app.test\r\nCookie: ${cookie}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `${extraHeaders}Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
    );
  });
}

describe('handshake header abuse', () => {
  it('WS-12 2 000 headers before the WebSocket ones, or a 20 KB header, get a 4xx; the hub keeps serving', async () => {
    const manager = createManager();
    const { url } = await serve(manager);
    // A valid session, so the handshake gets past authentication to the headers ws reads.
    const { cookie } = await login(manager, 'alice');
    // Short enough (10 KB) to stay under the header size limit, so only the count is abused.
    const many = 'a:1\r\n'.repeat(2000);
    const huge = `X-Huge: ${'a'.repeat(20 * 1024)}\r\n`;
    for (const [what, headers] of [
      ['2 000 headers', many],
      ['a 20 KB header', huge],
    ] as const) {
      const status = await rawUpgrade(url, cookie, headers);
      // 400 (the key was left out) or 431 (too large); no answer would be a crash.
      assert.match(status, /^HTTP\/1\.1 4(00|31) /, `${what}: ${status}`);
    }
    // Still up: a normal handshake works.
    const client = await ready(url, { cookie });
    assert.equal(client.ws.readyState, client.ws.OPEN);
    client.ws.close();
  });
});

// WS-17: compression is never negotiated, so nothing a client sends is ever inflated: an offer
// of permessage-deflate gets no extension back, a compressed frame sent anyway closes the
// socket as a protocol error, and the size cap applies to a frame's announced length before
// its payload is read. Frames are written byte by byte on a raw socket, as an attacker would.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect as connectTcp, type Socket } from 'node:net';
import { deflateRawSync } from 'node:zlib';
import { CLOSE_CODES } from '@coatcheck/realtime';
import { connect, createManager, login, ORIGIN, ready, serve, waitFor } from './helpers.js';

/** A raw client after its handshake: the answer's head, and every frame the hub sent since. */
interface RawClient {
  socket: Socket;
  head: string;
  frames: Array<{ opcode: number; payload: Buffer }>;
}

/** Opens a socket, sends an upgrade request with `extensions`, and waits for the answer's head. */
async function rawHandshake(url: string, cookie: string, extensions: string): Promise<RawClient> {
  const { hostname, port, pathname } = new URL(url);
  const socket = connectTcp(Number(port), hostname);
  const client: RawClient = { socket, head: '', frames: [] };
  let buffer = Buffer.alloc(0);
  socket.on('error', () => {});
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    if (client.head === '') {
      const end = buffer.indexOf('\r\n\r\n');
      if (end === -1) return;
      client.head = buffer.subarray(0, end).toString('latin1');
      buffer = buffer.subarray(end + 4);
    }
    // Server frames are unmasked; these tests only need short ones (7-bit or 16-bit lengths).
    while (buffer.length >= 2) {
      const short = (buffer[1] as number) & 0x7f;
      const offset = short === 126 ? 4 : 2;
      const length = short === 126 ? buffer.readUInt16BE(2) : short;
      if (buffer.length < offset + length) return;
      client.frames.push({ opcode: (buffer[0] as number) & 0x0f, payload: buffer.subarray(offset, offset + length) });
      buffer = buffer.subarray(offset + length);
    }
  });
  socket.write(
    `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nOrigin: ${ORIGIN}\r\nCookie: ${cookie}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Extensions: ${extensions}\r\n\r\n`,
  );
  await waitFor('the handshake answer', () => client.head !== '');
  return client;
}

/** A masked client text frame; `rsv1` marks it compressed; `announced` overrides the length field. */
function clientFrame(payload: Buffer, { rsv1 = false, announced = payload.length } = {}): Buffer {
  const mask = randomBytes(4);
  const first = 0x80 | (rsv1 ? 0x40 : 0) | 0x1;
  const header =
    announced < 126
      ? Buffer.from([first, 0x80 | announced])
      : announced < 65536
        ? Buffer.from([first, 0x80 | 126, announced >> 8, announced & 0xff])
        : Buffer.concat([Buffer.from([first, 0x80 | 127]), Buffer.from(new BigUint64Array([BigInt(announced)]).buffer).reverse()]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] as number)));
  return Buffer.concat([header, mask, masked]);
}

/** The code of the close frame the hub sent, once it sent one. */
async function closeCode(client: RawClient): Promise<number> {
  const frame = await waitFor('a close frame', () => client.frames.find((f) => f.opcode === 0x8));
  return frame.payload.readUInt16BE(0);
}

describe('compression', () => {
  it('WS-17 a client offering permessage-deflate gets no extension in the handshake answer, and its socket works uncompressed', async () => {
    const manager = createManager();
    const { url } = await serve(manager);
    const { cookie } = await login(manager, 'alice');
    const raw = await rawHandshake(url, cookie, 'permessage-deflate; client_max_window_bits; server_no_context_takeover');
    assert.match(raw.head, /^HTTP\/1\.1 101 /);
    assert.doesNotMatch(raw.head, /sec-websocket-extensions/i);
    raw.socket.destroy();

    const client = connect(url, { cookie, options: { perMessageDeflate: { threshold: 0 } } });
    await client.next('ready');
    assert.equal(client.ws.extensions, '', 'the ws client agreed to no extension');
    client.ws.send('{"type":"heartbeat"}');
    await client.next('heartbeat');
    client.ws.close();
  });

  it('WS-17 a compressed frame sent anyway (a deflate bomb of 10 MB) closes with 1002 without being inflated; the hub keeps serving', async () => {
    const manager = createManager();
    const { url, hub } = await serve(manager);
    const { cookie } = await login(manager, 'bob');
    const raw = await rawHandshake(url, cookie, 'permessage-deflate');
    await waitFor('the ready frame', () => raw.frames.some((f) => f.opcode === 0x1 && f.payload.includes('ready')));
    const bomb = deflateRawSync(Buffer.alloc(10 * 1024 * 1024, 0x20));
    assert.ok(bomb.length < 64 * 1024, 'small on the wire, under the size cap');
    raw.socket.write(clientFrame(bomb, { rsv1: true }));
    assert.equal(await closeCode(raw), 1002);
    raw.socket.destroy();
    await waitFor('the socket to be gone', () => hub.stats.connections === 0);
    const next = await ready(url, { cookie });
    next.ws.close();
  });

  it('WS-17 a frame announcing 100 MB closes with 1009 as soon as its header arrives, before any payload is buffered', async () => {
    const manager = createManager();
    const { url } = await serve(manager, { maxPayloadBytes: 1024 });
    const { cookie } = await login(manager, 'carol');
    const raw = await rawHandshake(url, cookie, 'permessage-deflate');
    await waitFor('the ready frame', () => raw.frames.some((f) => f.opcode === 0x1 && f.payload.includes('ready')));
    // The header and 16 bytes of a 100 MB frame: the rest never comes.
    raw.socket.write(clientFrame(Buffer.alloc(16, 0x20), { announced: 100 * 1024 * 1024 }).subarray(0, 14 + 16));
    assert.equal(await closeCode(raw), CLOSE_CODES.MESSAGE_TOO_BIG);
    raw.socket.destroy();
  });
});

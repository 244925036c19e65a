// The outage simulator itself: forwarding, refusing while disabled, freezing while paused
// (and losing nothing), and coming back on the same port. The target is a local echo server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTcpProxy, type TcpProxy } from '@coatcheck/testkit/tcp-proxy';
import { waitFor } from '@coatcheck/testkit/wait-for';

let echo: Server;
let proxy: TcpProxy;
/** Everything the echo server has read, over all connections. */
let heard = '';

before(async () => {
  echo = createServer((socket) => {
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => (heard += chunk.toString()));
    socket.pipe(socket);
  });
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  proxy = await startTcpProxy({ target: { host: '127.0.0.1', port: (echo.address() as AddressInfo).port } });
});

after(async () => {
  await proxy.close();
  echo.close();
});

async function open(): Promise<Socket> {
  const socket = connect(proxy.port, '127.0.0.1');
  await once(socket, 'connect');
  return socket;
}

/** Resolves with everything received once `bytes` have arrived. */
function receive(socket: Socket, bytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.length >= bytes) resolve(text);
    });
    socket.once('error', reject);
  });
}

describe('tcp proxy', () => {
  it('forwards bytes both ways', async () => {
    const socket = await open();
    const reply = receive(socket, 5);
    socket.write('hello');
    assert.equal(await reply, 'hello');
    socket.destroy();
  });

  it('pause holds bytes back without losing them; resume delivers them in order', async () => {
    const socket = await open();
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    proxy.pause();
    assert.equal(proxy.paused, true);
    socket.write('one,');
    socket.write('two');
    // Negative check: a working pause keeps this empty whatever the wait; a broken one fails.
    await sleep(200);
    assert.equal(received, '', 'nothing crosses a paused proxy');
    const late = await open(); // connections are still accepted while paused
    const lateReply = receive(late, 4);
    late.write('late');
    proxy.resume();
    assert.equal(await lateReply, 'late');
    while (received.length < 7) await once(socket, 'data');
    assert.equal(received, 'one,two');
    socket.destroy();
    late.destroy();
  });

  it('disable destroys open connections and refuses new ones; enable serves the same port again', async () => {
    const socket = await open();
    const closed = once(socket, 'close');
    socket.on('error', () => {});
    const port = proxy.port;
    await proxy.disable();
    await closed;
    assert.equal(proxy.connections, 0);
    const refused = connect(port, '127.0.0.1');
    const [error] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
    assert.equal(error.code, 'ECONNREFUSED');

    await proxy.enable();
    assert.equal(proxy.port, port);
    const again = await open();
    const reply = receive(again, 4);
    again.write('back');
    assert.equal(await reply, 'back');
    again.destroy();
  });

  it('cutAfter lets exactly that many bytes through, then drops every connection; new ones work again', async () => {
    const socket = await open();
    socket.on('error', () => {});
    const closed = once(socket, 'close');
    heard = '';
    proxy.cutAfter(5);
    socket.write('0123456789');
    await closed;
    await waitFor('the bytes let through', () => heard.length >= 5);
    await sleep(50); // negative check: nothing else arrives, however long one waits
    assert.equal(heard, '01234', 'the server read the five bytes let through, nothing more');
    const next = await open();
    const reply = receive(next, 5);
    next.write('again');
    assert.equal(await reply, 'again', 'one-shot: the next connection is not cut');
    next.destroy();
    assert.throws(() => proxy.cutAfter(-1), RangeError);
  });

  it('slice delivers every chunk in pieces of at most that size, in order, both ways', async () => {
    const socket = await open();
    const pieces: number[] = [];
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      pieces.push(chunk.length);
      received += chunk.toString();
    });
    proxy.slice(3);
    try {
      socket.write('abcdefghijklmnopqrstuvwxyz');
      while (received.length < 26) await once(socket, 'data');
    } finally {
      proxy.slice(null);
    }
    assert.equal(received, 'abcdefghijklmnopqrstuvwxyz');
    // The receiving socket may read several pieces at once; it cannot get the chunk whole.
    assert.ok(pieces.length > 1, `arrived as ${pieces.join(', ')}`);
    assert.throws(() => proxy.slice(0), RangeError);
    socket.destroy();
  });

  it('a proxy to a dead target closes the client connection instead of hanging or crashing', async () => {
    const dead = createServer();
    dead.listen(0, '127.0.0.1');
    await once(dead, 'listening');
    const deadPort = (dead.address() as AddressInfo).port;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    const orphan = await startTcpProxy({ target: { host: '127.0.0.1', port: deadPort } });
    try {
      const socket = connect(orphan.port, '127.0.0.1');
      socket.on('error', () => {});
      await once(socket, 'close');
      assert.equal(orphan.connections, 0);
    } finally {
      await orphan.close();
    }
  });
});

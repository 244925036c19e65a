/**
 * A TCP proxy whose link can be cut or frozen on demand, for outage tests: put it between a
 * client and a real server (Postgres, Redis) and the client sees the server go away and come
 * back, without anyone stopping the shared server. Exported from `@coatcheck/testkit/tcp-proxy`.
 *
 * - `disable()` is a crashed or stopped server: the listener closes (new connections are
 *   refused) and every open connection is destroyed (the client sees a reset / end).
 * - `pause()` is a hung server or a network partition: sockets stay open but no byte moves in
 *   either direction. Nothing is lost; bytes wait in the socket buffers, as TCP would
 *   retransmit them, and flow again on `resume()`. New connections are accepted and frozen.
 * - `cutAfter(bytes)` is a link that dies mid-request: the next `bytes` bytes from clients
 *   reach the server, then every open connection is destroyed (the listener stays, so
 *   clients reconnect). One-shot, like Toxiproxy's `limit_data`.
 * - `slice(bytes)` is a link that delivers in small pieces: every chunk, both ways, arrives
 *   in pieces of at most `bytes`, each on its own turn of the event loop (Toxiproxy's
 *   `slicer`). `slice(null)` forwards whole chunks again.
 *
 * @example
 * ```ts
 * import { startTcpProxy } from '@coatcheck/testkit/tcp-proxy'
 * const proxy = await startTcpProxy({ target: { host: '127.0.0.1', port: 5432 } })
 * const url = `postgres://postgres@127.0.0.1:${proxy.port}/test`
 * await proxy.disable() // "Postgres is down"
 * await proxy.enable()  // "Postgres is back"
 * await proxy.close()
 * ```
 *
 * @module
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** Options of {@link startTcpProxy}. */
export interface TcpProxyOptions {
  /** Where connections are forwarded to. */
  target: { host: string; port: number };
  /** Interface the proxy listens on. @default '127.0.0.1' */
  host?: string;
  /** Port the proxy listens on; `0` picks a free one, kept across `disable`/`enable`. @default 0 */
  port?: number;
}

/** A running proxy. */
export interface TcpProxy {
  /** Interface the proxy listens on. */
  readonly host: string;
  /** Port the proxy listens on (stable across `disable`/`enable`). */
  readonly port: number;
  /** Client connections currently open through the proxy. */
  readonly connections: number;
  /** Whether bytes are currently held back (`pause()` without `resume()`). */
  readonly paused: boolean;
  /** Listens again on the same port after `disable()`. Idempotent. */
  enable(): Promise<void>;
  /** Closes the listener and destroys every open connection. Idempotent. */
  disable(): Promise<void>;
  /** Stops forwarding bytes both ways; sockets stay open. Idempotent. */
  pause(): void;
  /** Forwards again, including everything held back. Idempotent. */
  resume(): void;
  /** Lets `bytes` more bytes reach the server, then destroys every open connection. */
  cutAfter(bytes: number): void;
  /** Delivers every chunk in pieces of at most `bytes` (`null`: whole chunks). */
  slice(bytes: number | null): void;
  /** Disables the proxy for good. */
  close(): Promise<void>;
}

interface Link {
  readonly client: Socket;
  readonly upstream: Socket;
}

/**
 * Starts a proxy listening on `host:port` and forwarding to `target`.
 *
 * @param options See {@link TcpProxyOptions}.
 */
export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const { target, host = '127.0.0.1' } = options;
  let port = options.port ?? 0;
  let server: Server | null = null;
  let paused = false;
  let closed = false;
  // Bytes clients may still send before every link is cut (`null`: no limit).
  let budget: number | null = null;
  // Set from the moment the budget is spent until the links are gone: nothing more gets through.
  let cutting = false;
  let pieceSize: number | null = null;
  const links = new Set<Link>();

  // Pieces of a sliced chunk, written one per turn of the event loop, in order.
  function writeSliced(to: Socket, chunk: Buffer, size: number, queue: Promise<void>): Promise<void> {
    return queue.then(async () => {
      for (let at = 0; at < chunk.length && !to.destroyed; at += size) {
        await new Promise((resolve) => to.write(chunk.subarray(at, at + size), () => setImmediate(resolve)));
      }
    });
  }

  // Manual forwarding instead of pipe(): pipe() resumes its source on 'drain', which would
  // undo pause(); here only the proxy's own flag decides when a socket reads again.
  function forward(from: Socket, to: Socket, upstream: boolean): void {
    let queue = Promise.resolve();
    from.on('data', (chunk: Buffer) => {
      if (cutting) return;
      let data = chunk;
      let cut = false;
      if (upstream && budget !== null) {
        cut = data.length >= budget;
        cutting = cut;
        if (cut) data = data.subarray(0, budget);
        budget = cut ? null : budget - data.length;
      }
      if (pieceSize !== null) queue = writeSliced(to, data, pieceSize, queue);
      else if (cut) queue = new Promise((resolve) => to.write(data, () => resolve()));
      else if (!to.write(data)) from.pause();
      // What was let through reaches the server (a reset does not recall it), then the link dies.
      if (cut) void queue.then(destroyAll);
    });
    to.on('drain', () => {
      if (!paused) from.resume();
    });
    from.on('end', () => void queue.then(() => to.end()));
  }

  function link(client: Socket): void {
    const upstream = createConnection({ host: target.host, port: target.port });
    const entry: Link = { client, upstream };
    links.add(entry);
    const teardown = (): void => {
      links.delete(entry);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      // A reset on either side is expected in outage tests; it must never be unhandled.
      socket.on('error', teardown);
      socket.on('close', teardown);
    }
    forward(client, upstream, true);
    forward(upstream, client, false);
    if (paused) {
      client.pause();
      upstream.pause();
    }
  }

  function destroyAll(): void {
    cutting = false;
    for (const { client, upstream } of links) {
      client.destroy();
      upstream.destroy();
    }
    links.clear();
  }

  const proxy: TcpProxy = {
    host,
    get port() {
      return port;
    },
    get connections() {
      return links.size;
    },
    get paused() {
      return paused;
    },
    async enable() {
      if (closed) throw new Error('tcp proxy: enable() after close()');
      if (server) return;
      const next = createServer(link);
      await new Promise<void>((resolve, reject) => {
        next.once('error', reject);
        next.listen(port, host, () => {
          next.off('error', reject);
          resolve();
        });
      });
      const address = next.address();
      if (address !== null && typeof address === 'object') port = address.port;
      server = next;
    },
    async disable() {
      const current = server;
      server = null;
      destroyAll();
      if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
    },
    pause() {
      paused = true;
      for (const { client, upstream } of links) {
        client.pause();
        upstream.pause();
      }
    },
    resume() {
      paused = false;
      for (const { client, upstream } of links) {
        // A socket held back by its peer's backpressure resumes on that peer's 'drain'.
        if (!upstream.writableNeedDrain) client.resume();
        if (!client.writableNeedDrain) upstream.resume();
      }
    },
    cutAfter(bytes) {
      if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`tcp proxy: cutAfter(${bytes}) needs a whole number of bytes`);
      budget = bytes;
    },
    slice(bytes) {
      if (bytes !== null && (!Number.isInteger(bytes) || bytes < 1)) throw new RangeError(`tcp proxy: slice(${bytes}) needs a positive whole number of bytes`);
      pieceSize = bytes;
    },
    async close() {
      closed = true;
      await proxy.disable();
    },
  };
  await proxy.enable();
  return proxy;
}

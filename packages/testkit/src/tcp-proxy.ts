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
  const links = new Set<Link>();

  // Manual forwarding instead of pipe(): pipe() resumes its source on 'drain', which would
  // undo pause(); here only the proxy's own flag decides when a socket reads again.
  function forward(from: Socket, to: Socket): void {
    from.on('data', (chunk: Buffer) => {
      if (!to.write(chunk)) from.pause();
    });
    to.on('drain', () => {
      if (!paused) from.resume();
    });
    from.on('end', () => to.end());
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
    forward(client, upstream);
    forward(upstream, client);
    if (paused) {
      client.pause();
      upstream.pause();
    }
  }

  function destroyAll(): void {
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
    async close() {
      closed = true;
      await proxy.disable();
    },
  };
  await proxy.enable();
  return proxy;
}

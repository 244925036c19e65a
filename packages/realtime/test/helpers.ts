// Shared set-up for the hub's tests: a manager on a real store, a hub on a real HTTP server
// on loopback, logged-in sessions, and `ws` clients that present cookies and Origins.
import { after } from 'node:test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { createSessionManager, type SessionManager, type SessionManagerOptions } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';
import { createHub, type Hub, type HubOptions } from '@coatcheck/realtime';
import { waitFor } from '@coatcheck/testkit/wait-for';

export const ORIGIN = 'http://app.test';

export function createManager(options: Partial<SessionManagerOptions> = {}): SessionManager {
  return createSessionManager({ store: memoryStore(), secrets: [randomBytes(32)], ...options });
}

/** Logs `userId` in on a fresh session; returns the `Cookie` header value and the session id. */
export async function login(manager: SessionManager, userId: string): Promise<{ cookie: string; id: string }> {
  const session = await manager.load({ cookie: null, secure: false });
  await session.login(userId);
  const [setCookie] = await session.commit();
  return { cookie: (setCookie ?? '').split(';')[0] ?? '', id: session.id as string };
}

export interface Served {
  hub: Hub;
  server: Server;
  url: string;
}

/** A hub attached to an HTTP server on a free loopback port; closed after the test file. */
export async function serve(manager: SessionManager, options: Partial<HubOptions> = {}): Promise<Served> {
  const hub = createHub({ manager, origins: [ORIGIN], logger: quiet, ...options });
  const server = createServer((_req, res) => res.writeHead(404).end());
  hub.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  after(async () => {
    await hub.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { hub, server, url: `ws://127.0.0.1:${port}${options.path ?? '/ws'}` };
}

export const quiet = { warn: () => {}, error: () => {} };

/** A client socket with everything it received. */
export interface TestClient {
  ws: WebSocket;
  frames: any[];
  closed: Promise<{ code: number; reason: string; at: number }>;
  next(type: string, capMs?: number): Promise<any>;
}

export function connect(
  url: string,
  init: { cookie?: string; origin?: string | null; protocols?: string[]; options?: WebSocket.ClientOptions } = {},
): TestClient {
  const headers: Record<string, string> = {};
  if (init.cookie) headers.cookie = init.cookie;
  if (init.origin !== null) headers.origin = init.origin ?? ORIGIN;
  const ws = new WebSocket(url, init.protocols ?? [], { headers, ...init.options });
  const frames: any[] = [];
  ws.on('message', (data) => frames.push(JSON.parse(String(data))));
  ws.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason), at: performance.now() })),
  );
  return {
    ws,
    frames,
    closed,
    next: (type, capMs = 5000) => waitFor(`a ${type} frame`, () => frames.find((f) => f.type === type), capMs),
  };
}

/** Resolves with the status of a refused handshake, or rejects if it was accepted. */
export function refusal(url: string, init: Parameters<typeof connect>[1] = {}): Promise<{ status: number; body: string }> {
  const client = connect(url, init);
  return new Promise((resolve, reject) => {
    client.ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    client.ws.on('open', () => reject(new Error('handshake was accepted')));
  });
}

/** Opens a client and waits for the hub's `ready`. */
export async function ready(url: string, init: Parameters<typeof connect>[1] = {}): Promise<TestClient> {
  const client = connect(url, init);
  await client.next('ready');
  return client;
}

/** Polls until `check` returns something truthy (a hang guard, not a timing assertion). */
export { waitFor };

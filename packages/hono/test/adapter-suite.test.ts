// The shared adapter suite on Hono: in-process with app.request(), and over real HTTP
// through @hono/node-server.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { describeAdapterSuite, fetchClient, sendHttp } from '@coatcheck/adapter-suite';
import { honoApp } from './app.js';
import { fetchApp } from './fetch-app.js';

describeAdapterSuite('hono app.request()', async (manager, options) => {
  const app = honoApp(manager, options);
  return { request: fetchClient((path, init) => app.request(path, init)), port: null, close: async () => {} };
});

describeAdapterSuite('hono over @hono/node-server', async (manager, options) => {
  const app = honoApp(manager, options);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  const { port } = server.address() as AddressInfo;
  return { request: (r) => sendHttp(port, r), port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
});

describeAdapterSuite('Fetch helper (withSession)', async (manager, options) => {
  const handle = fetchApp(manager, options);
  return { request: fetchClient((url, init) => handle(new Request(url, init))), port: null, close: async () => {} };
});

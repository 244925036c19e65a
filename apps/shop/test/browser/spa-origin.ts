// A single-page app served from its own origin, the way a dev server or a CDN serves one: a
// tiny static server at http://localhost:<port>, while the shop listens at
// http://127.0.0.1:<port> (another host name and port, so another origin). The browser then
// applies CORS to every call the page makes to the shop.
import { after } from 'node:test';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type RunningShop, type SeenResponse, type StartShopOptions, startShop } from './browser-helpers.js';

/** One file of the page: its content type and body. */
export type SpaFile = readonly [contentType: string, body: string];

/** The page's files by path, made for the shop's base URL (`''` until the shop runs). */
export type SpaFiles = (apiBase: string) => Readonly<Record<string, SpaFile>>;

/** A running SPA server. */
interface SpaServer {
  /** `http://localhost:<port>`. */
  readonly origin: string;
  /** Tells the page where the API is: `files` gets it from the next request on. */
  setApiBase(url: string): void;
}

/** Serves `files` at http://localhost:<port>; closed after the test file. */
async function serveSpa(files: SpaFiles): Promise<SpaServer> {
  let apiBase = '';
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const file = files(apiBase)[path];
    response.writeHead(file ? 200 : 404, { 'content-type': file?.[0] ?? 'text/plain' }).end(file?.[1] ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise((resolve) => server.close(resolve)));
  const { port } = server.address() as { port: number };
  return { origin: `http://localhost:${port}`, setApiBase: (url) => void (apiBase = url) };
}

/** What {@link startSpaAndShop} started. */
export interface CrossOrigin {
  readonly spa: SpaServer;
  readonly shop: RunningShop;
  /** Every response the shop sent, preflights and refusals included, in order. */
  readonly seen: SeenResponse[];
}

/**
 * Serves the SPA, then starts the shop with `CORS_ORIGINS` set to what `listed` returns for
 * the SPA's origin (its origin must be known before the shop is built), then points the page
 * at the shop.
 */
export async function startSpaAndShop(
  files: SpaFiles,
  listed: (spaOrigin: string) => string[],
  options: Omit<StartShopOptions, 'corsOrigins' | 'onResponse'> = {},
): Promise<CrossOrigin> {
  const spa = await serveSpa(files);
  const seen: SeenResponse[] = [];
  const shop = await startShop({ ...options, corsOrigins: listed(spa.origin), onResponse: (response) => void seen.push(response) });
  spa.setApiBase(shop.url);
  return { spa, shop, seen };
}

/**
 * `@coatcheck/client` as one ES module for the browser, bundled from its TypeScript sources
 * (the `source` export condition, as the shop's page build does), so no `npm run build` of
 * the package is needed first.
 */
export async function bundleClient(): Promise<string> {
  const result = await build({
    stdin: { contents: "export * from '@coatcheck/client';", resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    write: false,
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error('esbuild produced no bundle of @coatcheck/client');
  return output.text;
}

// Builds the shop's page into web/dist, which the Fastify app serves at "/".
// `npm run dev -w @coatcheck/shop` serves it with hot reload and proxies the API to :3000.
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const API_ROUTES = [
  '/register',
  '/login',
  '/logout',
  '/profile',
  '/account',
  '/reauth',
  '/password',
  '/items',
  '/cart',
  '/checkout',
  '/orders',
  '/sessions',
  '/admin',
  '/health',
  '/metrics',
  '/docs',
  '/anonymous-login',
  '/token',
  '/user',
  '/anonymous-data',
];
const api = process.env.SHOP_API ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  // Workspace packages (@coatcheck/client) export their TypeScript under "source": bundle
  // that, so the page never depends on a separate `npm run build` of the packages.
  resolve: { conditions: ['source', ...defaultClientConditions] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // A single small page: keep the output to one script and one stylesheet.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      ...Object.fromEntries(API_ROUTES.map((route) => [route, api])),
      // The live channel; the shop must allow the dev server's origin (WS_ORIGINS).
      '/ws': { target: api, ws: true },
    },
  },
});

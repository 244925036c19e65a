// The adapter suite's app on the Fetch helper: withSession around a small router.
import type { Session, SessionManager } from 'coatcheck';
import { internalFailure, storeFailure, SUDO, type SuiteOptions } from '@coatcheck/adapter-suite';
import { withSession } from '../src/fetch.js';

type Body = { item?: string; user?: string; remember?: boolean; method?: string; challenge?: string };

async function readBody(request: Request): Promise<Body> {
  const type = request.headers.get('content-type') ?? '';
  if (type.startsWith('application/json')) return (await request.json()) as Body;
  if (type.startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(await request.text())) as Body;
  return {};
}

type Route = (session: Session, request: Request) => Promise<unknown> | unknown;

const routes: Record<string, Route> = {
  'GET /public': () => ({ ok: true }),
  'GET /me': (s) => ({ userId: s.userId, status: s.status, cart: s.get('cart') ?? [] }),
  'GET /csrf': async (s) => ({ token: await s.csrfToken() }),
  'GET /throw-store': () => {
    throw storeFailure();
  },
  'GET /throw-internal': () => {
    throw internalFailure();
  },
  'POST /unserializable': (s) => void s.set('big', 1n as never),
  'POST /cart': async (s, r) => {
    const item = (await readBody(r)).item ?? 'apple';
    s.update('cart', (cart) => [...((cart as string[] | undefined) ?? []), item]);
  },
  'POST /login': async (s, r) => {
    const body = await readBody(r);
    await s.login(body.user ?? 'alice', { remember: body.remember ?? false });
  },
  'POST /logout': (s) => s.logout(),
  'POST /regenerate': (s) => s.regenerate(),
  'GET /sudo': (s) => s.requireFresh(SUDO),
  'POST /step-up': async (s, r) => {
    const body = await readBody(r);
    await s.stepUp(body.method ?? 'otp', { challenge: body.challenge as string });
  },
  // The mistake the suite checks is forgiven: no await on purpose.
  'POST /login-unawaited': async (s, r) => void s.login((await readBody(r)).user ?? 'alice'),
  'POST /logout-unawaited': (s) => void s.logout(),
};

export function fetchApp(manager: SessionManager, options: SuiteOptions = {}) {
  const fetchOptions = { ...options, trustProxy: 'trustProxy' in options ? options.trustProxy : true };
  return (request: Request): Promise<Response> => {
    const route = routes[`${request.method} ${new URL(request.url).pathname}`];
    // Every request goes through the transaction: preflights and refusals come from there.
    return withSession(
      manager,
      request,
      async (session) => {
        if (route === undefined) return new Response('not found', { status: 404 });
        const result = await route(session, request);
        return Response.json(result === undefined ? { ok: true } : result);
      },
      fetchOptions,
    );
  };
}

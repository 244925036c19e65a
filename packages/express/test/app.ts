// The adapter suite's app on Express, for Express 5 and (through the `express4` alias) 4.
// Handlers hand rejections to next() themselves: Express 4 does not catch async errors.
import type { AddressInfo } from 'node:net';
import type { Express, NextFunction, Request, Response } from 'express';
import type { SessionManager } from 'coatcheck';
import { internalFailure, sendHttp, storeFailure, SUDO, type SuiteApp, type SuiteOptions } from '@coatcheck/adapter-suite';
import { session, sessionErrorHandler, type AdapterLogger } from '../src/index.js';

/** The parts of the express module the app uses (Express 4 and 5 both have them). */
export interface ExpressModule {
  (): Express;
  json(): (req: Request, res: Response, next: NextFunction) => void;
  urlencoded(options: { extended: boolean }): (req: Request, res: Response, next: NextFunction) => void;
}

type Body = { item?: string; user?: string; remember?: boolean; method?: string; challenge?: string } | undefined;
const quiet: AdapterLogger = { error() {} };

export function expressApp(express: ExpressModule, routes?: (app: Express) => void, logger = quiet) {
  return async (manager: SessionManager, options: SuiteOptions = {}): Promise<SuiteApp> => {
    const app = express();
    app.use(express.json());
    app.use(express.urlencoded({ extended: false }));
    app.use(session({ manager, logger, ...options, trustProxy: 'trustProxy' in options ? options.trustProxy : true }));
    app.get('/public', (_req, res) => void res.json({ ok: true }));
    app.get('/me', (req, res) => void res.json({ userId: req.session.userId, status: req.session.status, cart: req.session.get('cart') ?? [] }));
    app.get('/throw-store', (_req, _res, next) => next(storeFailure()));
    app.get('/throw-internal', (_req, _res, next) => next(internalFailure()));
    app.post('/unserializable', (req, res, next) => {
      try {
        req.session.set('big', 1n as never);
        res.json({ ok: true });
      } catch (error) {
        next(error);
      }
    });
    app.get('/csrf', (req, res, next) => void req.session.csrfToken().then((token) => res.json({ token }), next));
    app.post('/cart', (req, res) => {
      const item = (req.body as Body)?.item ?? 'apple';
      req.session.update('cart', (cart) => [...((cart as string[] | undefined) ?? []), item]);
      res.json({ ok: true });
    });
    app.post('/login', (req, res, next) => {
      const body = req.body as Body;
      req.session.login(body?.user ?? 'alice', { remember: body?.remember ?? false }).then(() => res.json({ ok: true }), next);
    });
    app.post('/logout', (req, res, next) => void req.session.logout().then(() => res.json({ ok: true }), next));
    app.get('/sudo', (req, res, next) => void req.session.requireFresh(SUDO).then(() => res.json({ ok: true }), next));
    app.post('/step-up', (req, res, next) => {
      const body = req.body as Body;
      req.session.stepUp(body?.method ?? 'otp', { challenge: body?.challenge as string }).then(() => res.json({ ok: true }), next);
    });
    app.post('/regenerate', (req, res, next) => void req.session.regenerate().then(() => res.json({ ok: true }), next));
    // The mistake the suite checks is forgiven: no await, and res.json() right after the call.
    app.post('/login-unawaited', (req, res) => {
      req.session.login((req.body as Body)?.user ?? 'alice');
      res.json({ ok: true });
    });
    app.post('/logout-unawaited', (req, res) => {
      req.session.logout();
      res.json({ ok: true });
    });
    routes?.(app);
    app.use(sessionErrorHandler(logger));
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    return { request: (r) => sendHttp(port, r), port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  };
}

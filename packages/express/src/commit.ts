/**
 * Committing the session before the response headers go out, without patching `res.end`.
 *
 * Express gives middleware no "after the handler, before the headers" step, and Node's
 * `writeHead` is synchronous while a commit (a store write) is not. express-session bridges
 * that by patching `res.end` and `res.write` to hold back the body until the store answers;
 * we do not. The design, in three parts:
 *
 * 1. `res.send` and `res.redirect` (the paths `res.json`, `res.jsonp`, `res.sendStatus`,
 *    `res.render` and `res.format` all end in) wait until the commit has finished (the hooks
 *    sit once on Express' response prototype and act only on responses with a session; see
 *    `ensureHooks`): the Set-Cookie that goes out is the one the store write produced,
 *    and the write is durable before the first byte leaves. A failed commit answers 503 (or
 *    the error's status) with its code instead of the handler's response, cookie untouched.
 * 2. Handlers that stream, pipe, call `res.sendFile` or `res.end` themselves call
 *    `await commitSession(req, res)` first; it is the same commit, so it runs once.
 * 3. A hook on `writeHead` (what `on-headers` does) is the safety net. When the headers go
 *    out with the session still uncommitted, it sends the cookie a lifecycle change already
 *    made durable (`login`, `logout`, `regenerate` write at once), leaves a due expiry touch
 *    to a later request, and if data changes are still unwritten it drops them and logs an
 *    error saying where `commitSession` is missing. It never sends a Set-Cookie for a write
 *    that did not happen.
 *
 * @module
 */
import type { ServerResponse } from 'node:http';
import { isSessionError, SessionCommittedError, type Session } from 'coatcheck';
import type { Request, Response } from 'express';
import { sendSessionError, type AdapterLogger } from './errors.js';
import { attachState, stateOf, type CommitState } from './state.js';

/** Adds the Set-Cookie values and the cache policy that goes with them. (CK-12) */
function applyCookies(res: ServerResponse, session: Session<any>, cookies: readonly string[]): void {
  if (cookies.length > 0) {
    res.appendHeader('set-cookie', cookies as string[]);
    res.setHeader('cache-control', 'no-store');
  } else if (session.isAuthenticated && !res.hasHeader('cache-control')) {
    res.setHeader('cache-control', 'private, no-store');
  }
}

/**
 * Commits the request's session now and adds its `Set-Cookie` to the response. Call it
 * before streaming (`res.write`, `pipe`, `res.sendFile`, `res.end`); `res.send`, `res.json`
 * and `res.redirect` do it for you. Runs the commit at most once per response.
 *
 * Rejects with the coatcheck error when the store fails (pass it to `next`, and let
 * {@link sessionErrorHandler} answer 503), or with `SessionCommittedError` when the headers
 * were already sent.
 *
 * @example
 * ```ts
 * app.get('/export', async (req, res) => {
 *   req.session.set('lastExport', Date.now())
 *   await commitSession(req, res)
 *   createReadStream('export.csv').pipe(res)
 * })
 * ```
 */
export function commitSession(_req: Request, res: Response): Promise<void> {
  const state = stateOf(res);
  if (state === undefined) return Promise.reject(new TypeError('commitSession: the coatcheck session middleware did not run for this request.'));
  if (state.commit !== null) return state.commit;
  if (state.settled) {
    return res.headersSent
      ? Promise.reject(new SessionCommittedError('commitSession was called after the response headers were sent; call it before the first res.write().'))
      : Promise.resolve();
  }
  const { session } = state;
  state.commit = (session.pending ? session.commit() : Promise.resolve([] as string[])).then(
    (cookies) => {
      state.settled = true;
      applyCookies(res, session, cookies);
    },
    (error: unknown) => {
      state.settled = true;
      throw error;
    },
  );
  return state.commit;
}

/** The writeHead safety net; see the module comment. */
function settleAtHeaders(res: ServerResponse, state: CommitState, logger: AdapterLogger): void {
  state.settled = true;
  const { session } = state;
  if (!session.pending) return applyCookies(res, session, []);
  const cookies = session.commitCookies();
  if (cookies !== null) return applyCookies(res, session, cookies);
  const dropped = session.abandon();
  // No data change pending means a login(), logout(), regenerate() or destroy() was still
  // running (the core logs which one, as ERR_SESSION_NOT_AWAITED): say that, not "0 changes".
  const lost = dropped > 0 ? `${dropped} change(s) were not saved` : 'a session call still running (not awaited) could not reach this response';
  logger.error(
    `coatcheck: the response headers went out before the session was committed, so ${lost}. Streaming handlers must await commitSession(req, res) before res.write(), pipe(), res.sendFile() or res.end().`,
  );
  applyCookies(res, session, []);
}

/** `res.send` / `res.redirect`: run once the commit has finished; a failed commit answers the error. */
function deferUntilCommitted(res: Response, state: CommitState, original: Method, args: IArguments): Response {
  if (state.settled || !state.session.pending) {
    original.apply(res, args as unknown as unknown[]);
    return res;
  }
  const { logger } = state;
  commitSession(state.req, res).then(
    () => {
      try {
        original.apply(res, args as unknown as unknown[]);
      } catch (error) {
        logger.error('coatcheck: sending the response failed after the session was committed', { error });
        if (!res.headersSent) res.status(500).end();
        else res.destroy();
      }
    },
    (error: unknown) => {
      if (isSessionError(error)) return sendSessionError(res, error, logger);
      logger.error('coatcheck: session commit failed', { error });
      res.destroy();
    },
  );
  return res;
}

type Method = (...args: any[]) => unknown;
type Hookable = { send: Method; redirect: Method; writeHead: Method };

// Response prototypes that carry the hooks, and the methods they replaced.
const hooked = new WeakSet<object>();

/**
 * Puts the three hooks on `target` (a response prototype or, failing that, one response).
 * They find their response's state through `this` and do nothing for responses the
 * middleware did not load a session for, so requests pay one symbol write, not three
 * property writes and three closures.
 */
function installHooks(target: Hookable): void {
  const { send: originalSend, redirect: originalRedirect, writeHead: originalWriteHead } = target;
  target.send = function send(this: Response): unknown {
    const state = stateOf(this);
    return state === undefined ? originalSend.apply(this, arguments as unknown as unknown[]) : deferUntilCommitted(this, state, originalSend, arguments);
  };
  target.redirect = function redirect(this: Response): unknown {
    const state = stateOf(this);
    return state === undefined ? originalRedirect.apply(this, arguments as unknown as unknown[]) : deferUntilCommitted(this, state, originalRedirect, arguments);
  };
  target.writeHead = function writeHead(this: ServerResponse): unknown {
    const state = stateOf(this);
    if (state !== undefined && !state.settled) settleAtHeaders(this, state, state.logger);
    return originalWriteHead.apply(this, arguments as unknown as unknown[]);
  };
  hooked.add(target);
}

/**
 * Where the hooks go: Express' response prototype, `express.response`, the object Express
 * documents for adding and overriding response methods (every app's `app.response`, mounted
 * sub-apps included, inherits from it, and only Express responses see it). Anything else
 * (a router on a bare `http` server) gets the hooks on the response itself.
 */
let lastHooked: object | null = null;

function ensureHooks(res: Response): void {
  const appResponse = Object.getPrototypeOf(res) as object | null;
  const base = appResponse === null ? null : (Object.getPrototypeOf(appResponse) as object | null);
  if (base !== null && base === lastHooked) return;
  for (const candidate of [base, appResponse]) {
    if (candidate !== null && Object.prototype.hasOwnProperty.call(candidate, 'send')) {
      if (!hooked.has(candidate)) installHooks(candidate as Hookable);
      lastHooked = candidate === base ? base : lastHooked;
      return;
    }
  }
  if (!hooked.has(res)) installHooks(res as unknown as Hookable);
}

/** Installs the commit on `res`; called by the middleware once the session is loaded. */
export function installCommit(req: Request, res: Response, session: Session<any>, logger: AdapterLogger): void {
  ensureHooks(res);
  attachState(res, { session, req, logger, commit: null, settled: false });
}

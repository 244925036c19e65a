/**
 * Committing before the response headers go out, without patching `res.end`: `res.send` and
 * `res.redirect` (where `json`, `sendStatus`, `render` end) wait for the commit, hooked once on
 * Express' response prototype; streaming handlers `await commitSession(req, res)`; and a hook
 * on `writeHead` is the safety net, sending only what needs no store (`tx.endNow()`).
 *
 * @module
 */
import type { ServerResponse } from 'node:http';
import { isSessionError } from 'coatcheck';
import { SessionCommittedError } from 'coatcheck/errors';
import { applyHeaders, isPending, type HeaderTarget, type HttpHeaders, type HttpTransaction } from 'coatcheck/adapter';
import type { Request, Response } from 'express';
import { sendAnswer } from './errors.js';

/** What the adapter remembers about one response. */
interface State {
  readonly tx: HttpTransaction<any>;
  commit: Promise<void> | null;
  /** Nothing more may be committed: done, failed, or the headers went out. */
  settled: boolean;
}

const STATE = Symbol('coatcheck.commit');
type WithState = ServerResponse & { [STATE]?: State };

/** The response's transaction state, when the middleware ran for it. */
export function transactionOf(res: ServerResponse): State | undefined {
  return (res as WithState)[STATE];
}

const RESPONSE: HeaderTarget<ServerResponse> = {
  get: (res, name) => res.getHeader(name),
  set: (res, name, value) => void res.setHeader(name, value),
  appendCookies: (res, values) => void res.appendHeader('set-cookie', values as string[]),
};

function apply(res: ServerResponse, headers: HttpHeaders): void {
  applyHeaders(RESPONSE, res, headers);
}

/**
 * Commits the session now and adds its headers. Call it before streaming (`res.write`, `pipe`,
 * `res.sendFile`, `res.end`); `res.send`, `res.json` and `res.redirect` do it for you. Rejects
 * with the coatcheck error when the store fails (pass it to `next`).
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
  const state = transactionOf(res);
  if (state === undefined) return Promise.reject(new TypeError('commitSession: the coatcheck session middleware did not run for this request.'));
  if (state.commit !== null) return state.commit;
  if (state.settled)
    return res.headersSent
      ? Promise.reject(new SessionCommittedError('commitSession was called after the response headers were sent; call it before the first res.write().'))
      : Promise.resolve();
  state.commit = Promise.resolve(state.tx.commit()).then(
    (headers) => {
      state.settled = true;
      apply(res, headers);
    },
    (error: unknown) => {
      state.settled = true;
      throw error;
    },
  );
  return state.commit;
}

type Method = (...args: any[]) => unknown;
type Hookable = { send: Method; redirect: Method; writeHead: Method };

/** `res.send` / `res.redirect`: run once committed; a failed commit answers instead. */
function deferred(original: Method) {
  return function (this: Response, ...args: unknown[]): unknown {
    const state = transactionOf(this);
    if (state === undefined || state.settled || !isPending(state.tx.session)) return original.apply(this, args);
    commitSession(this.req, this).then(
      () => original.apply(this, args),
      (error: unknown) => (isSessionError(error) ? sendAnswer(this, state.tx.answerError(error)!) : this.destroy()),
    );
    return this;
  };
}

const hooked = new WeakSet<object>();

function installHooks(target: Hookable): void {
  const writeHead = target.writeHead;
  target.send = deferred(target.send);
  target.redirect = deferred(target.redirect);
  target.writeHead = function (this: ServerResponse, ...args: unknown[]): unknown {
    const state = transactionOf(this);
    if (state !== undefined && !state.settled) {
      state.settled = true;
      apply(this, state.tx.endNow());
    }
    return writeHead.apply(this, args);
  };
  hooked.add(target);
}

/** Attaches the transaction to `res`, hooking Express' response prototype on first use. */
export function installCommit(res: Response, tx: HttpTransaction<any>): void {
  const app = Object.getPrototypeOf(res) as object | null;
  const base = app === null ? null : (Object.getPrototypeOf(app) as object | null);
  // express.response, which every app's response inherits from; else the app's, else this one.
  const target = [base, app].find((c) => c !== null && Object.hasOwn(c, 'send')) ?? res;
  if (!hooked.has(target)) installHooks(target as unknown as Hookable);
  (res as WithState)[STATE] = { tx, commit: null, settled: false };
}

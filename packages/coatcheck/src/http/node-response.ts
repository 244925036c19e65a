/**
 * A transaction on Node's `ServerResponse`, for frameworks that write to it directly (Express,
 * Connect, a bare `node:http` server). Node has no step "after the handler, before the
 * headers", and `writeHead` cannot wait for a store, so the commit is made to come first,
 * without patching `res.end`:
 *
 * - response methods that can wait (Express' `send` and `redirect`, where `json`,
 *   `sendStatus` and `render` end) run once the commit is durable; they are hooked once, on
 *   the prototype that defines them, and act only on responses with a transaction;
 * - a streaming handler calls {@link commitResponse} before its first write;
 * - a hook on `writeHead` is the safety net: it sends only what needs no store
 *   (`tx.endNow()`), never a cookie for a write that did not happen.
 *
 * @module
 */
import type { ServerResponse } from 'node:http';
import { isSessionError, SessionCommittedError } from '../errors.js';
import type { HttpAnswer } from './answer.js';
import { applyHeaders, type HeaderTarget } from './finish.js';
import { isPending } from './session-access.js';
import type { HttpTransaction } from './transaction.js';

/** What is known about one response's transaction. */
interface State {
  readonly tx: HttpTransaction<any>;
  commit: Promise<void> | null;
  /** Nothing more may be committed: done, failed, answered, or the headers went out. */
  settled: boolean;
}

const STATE = Symbol('coatcheck.transaction');
type WithState = ServerResponse & { [STATE]?: State };
type Method = (this: ServerResponse, ...args: unknown[]) => unknown;

/** Where {@link applyHeaders} writes on a Node response. */
export const NODE_RESPONSE: HeaderTarget<ServerResponse> = Object.freeze({
  get: (res: ServerResponse, name: string) => res.getHeader(name),
  set: (res: ServerResponse, name: string, value: string) => void res.setHeader(name, value),
  appendCookies: (res: ServerResponse, values: readonly string[]) => void res.appendHeader('set-cookie', values as string[]),
});

/** The transaction {@link attachTransaction} put on `res`. */
export function transactionOf(res: ServerResponse): HttpTransaction<any> | undefined {
  return (res as WithState)[STATE]?.tx;
}

/** Writes `answer` instead of the handler's response, without a cookie; a response whose headers went out is cut short. */
export function writeAnswer(res: ServerResponse, answer: HttpAnswer): void {
  const state = (res as WithState)[STATE];
  if (state !== undefined) state.settled = true;
  if (res.headersSent) return void res.destroy();
  res.removeHeader('set-cookie');
  res.statusCode = answer.status;
  for (const name in answer.headers) res.setHeader(name, answer.headers[name] as string);
  res.end(answer.body);
}

/**
 * Commits the transaction of `res` once and adds its headers: the same promise for every
 * caller. Rejects with the session error when the store fails, with `SessionCommittedError`
 * after the headers went out, and with a `TypeError` when `res` has no transaction.
 */
export function commitResponse(res: ServerResponse): Promise<void> {
  const state = (res as WithState)[STATE];
  if (state === undefined) return Promise.reject(new TypeError('No coatcheck session on this response: the session middleware did not run for this request.'));
  if (state.commit !== null) return state.commit;
  if (state.settled) {
    return res.headersSent
      ? Promise.reject(new SessionCommittedError('The session was committed after the response headers were sent; commit it before the first res.write().'))
      : Promise.resolve();
  }
  state.commit = Promise.resolve(state.tx.commit()).then(
    (headers) => {
      state.settled = true;
      applyHeaders(NODE_RESPONSE, res, headers);
    },
    (error: unknown) => {
      state.settled = true;
      throw error;
    },
  );
  return state.commit;
}

/** `original`, run once the commit is durable; a failed commit answers instead. */
function deferred(original: Method): Method {
  return function (this: ServerResponse, ...args: unknown[]): unknown {
    const state = (this as WithState)[STATE];
    if (state === undefined || state.settled || !isPending(state.tx.session)) return original.apply(this, args);
    commitResponse(this).then(
      () => original.apply(this, args),
      (error: unknown) => (isSessionError(error) ? writeAnswer(this, state.tx.answerError(error) as HttpAnswer) : this.destroy()),
    );
    return this;
  };
}

const hooked = new WeakSet<object>();

function hook(target: Record<string, unknown>, names: readonly string[]): void {
  for (const name of names) if (typeof target[name] === 'function') target[name] = deferred(target[name] as Method);
  const writeHead = target.writeHead as Method;
  target.writeHead = function (this: ServerResponse, ...args: unknown[]): unknown {
    const state = (this as WithState)[STATE];
    if (state !== undefined && !state.settled) {
      state.settled = true;
      applyHeaders(NODE_RESPONSE, this, state.tx.endNow());
    }
    return writeHead.apply(this, args);
  };
  hooked.add(target);
}

/** The object in `res`'s prototype chain that defines `name` (Express: `express.response`), else `res`. */
function ownerOf(res: object, name: string | undefined): object {
  if (name === undefined) return res;
  for (let proto = Object.getPrototypeOf(res) as object | null; proto !== null; proto = Object.getPrototypeOf(proto) as object | null) {
    if (Object.hasOwn(proto, name)) return proto;
  }
  return res;
}

/**
 * Attaches `tx` to `res`: `deferred` methods (e.g. `['send', 'redirect']`) wait for the
 * commit, and `writeHead` sends what needs no store. They are hooked once, on the prototype
 * that defines the first of them, so a request pays one property write; without `deferred`,
 * `writeHead` is hooked on `res` itself.
 */
export function attachTransaction(res: ServerResponse, tx: HttpTransaction<any>, deferred: readonly string[] = []): void {
  const target = ownerOf(res, deferred[0]);
  if (!hooked.has(target)) hook(target as Record<string, unknown>, deferred);
  (res as WithState)[STATE] = { tx, commit: null, settled: false };
}

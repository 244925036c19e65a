/**
 * The request cycle of a callback-style framework (Fastify, Express), written once: begin the
 * transaction, send its answer or hand the session to the app, check the CSRF token of a
 * parsed form, and end it on the response. The adapter supplies a {@link DriverHost}: one
 * constant object of a few lines over its per-request context `C` (Fastify's reply, Express'
 * response).
 *
 * The hot path stays as cheap as the policy: what the policy answers synchronously (a route
 * without a session, a cached bearer token, a commit with nothing to write) is driven without
 * a promise or a closure; only an asynchronous step gets its one `then`.
 *
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { isFormContentType, type UnreadForm } from '../csrf/csrf-guard.js';
import type { HttpAnswer } from './answer.js';
import { applyHeaders, type HeaderTarget, type HttpHeaders } from './finish.js';
import { beginWithOf, isAnswer, type BeginResult, type HttpPolicy } from './http-policy.js';
import type { HttpRequest } from './request-view.js';
import type { HttpTransaction } from './transaction.js';

/** A {@link DriverHost.body} value: a form body no parser has read, so its token field cannot be looked at. */
export const UNREAD_FORM: unique symbol = Symbol('coatcheck.unread-form');
/** A {@link DriverHost.body} value: the body is parsed after `begin`; the adapter calls {@link Driver.checkBody} then. */
export const BODY_LATER: unique symbol = Symbol('coatcheck.body-later');

/** What an adapter tells the driver about its framework: one constant object, nothing per request. */
export interface DriverHost<C> extends HeaderTarget<C> {
  /** Hands the transaction to the app (`request.session = tx.session`, …). */
  start(context: C, tx: HttpTransaction<any>): void;
  /** Sends `answer` (a refusal, a preflight, a failure) as the response: no handler runs, nothing is committed. */
  send(context: C, answer: HttpAnswer): void;
  /** The parsed body to read a form's CSRF token from at `begin`, or {@link UNREAD_FORM}, or {@link BODY_LATER}. */
  body(context: C): unknown;
  /** The body once parsed, or {@link UNREAD_FORM}, for {@link Driver.checkBody} after `body` said {@link BODY_LATER}. */
  parsedBody?(context: C): unknown;
  /** The framework's fix for an unread form, e.g. "Mount the body parser before session(): …". */
  readonly unreadForm: UnreadForm;
}

/** Per-route choices; pass constant objects (nothing is allocated per request). */
export interface DriveOptions {
  /** `false`: no CSRF check (a route that opted out). */
  readonly csrf?: boolean;
  /** `false`: no session at all, only a preflight, a refusal or the CORS headers (token endpoints). */
  readonly session?: boolean;
}

/** The steps of one request, called from the framework's hooks. */
export interface Driver<C> {
  /**
   * Begins the transaction of `request`: sends the answer, or starts the session and calls
   * `next()`; `next(error)` when `begin` fails with an error that is no session error.
   */
  begin(context: C, request: HttpRequest, next: (error?: any) => void, options?: DriveOptions): void;
  /** Checks the CSRF token of the body parsed after `begin` ({@link DriverHost.parsedBody}): sends the refusal, or calls `next()`. */
  checkBody(context: C, tx: HttpTransaction<any> | null, next: () => void): void;
  /** Ends `tx`: its headers added to the response and `null`, or the answer to send instead. Rejects with an error that is no session error. */
  end(context: C, tx: HttpTransaction<any>): HttpAnswer | null | Promise<HttpAnswer | null>;
}

/** Creates the driver of `policy` for a framework. */
export function createDriver<C>(policy: HttpPolicy<any>, host: DriverHost<C>): Driver<C> {
  const beginWith = beginWithOf(policy);
  function check(context: C, tx: HttpTransaction<any>, body: unknown, next: () => void): void {
    const unread = body === UNREAD_FORM;
    const refused = tx.checkCsrfBody(unread ? undefined : body, unread ? host.unreadForm : undefined);
    if (refused === null) next();
    else host.send(context, refused);
  }

  function started(context: C, result: BeginResult<any>, next: () => void): void {
    if (isAnswer(result)) host.send(context, result);
    else {
      host.start(context, result);
      const body = result.csrfField === null ? BODY_LATER : host.body(context);
      if (body === BODY_LATER) next();
      else check(context, result, body, next);
    }
  }

  function ended(context: C, result: HttpHeaders | HttpAnswer): HttpAnswer | null {
    if (isAnswer(result)) return result;
    applyHeaders(host, context, result);
    return null;
  }

  return Object.freeze({
    checkBody(context: C, tx: HttpTransaction<any> | null, next: () => void): void {
      // A host without `parsedBody` has no body to offer: the token counts as missing.
      if (tx === null || tx.csrfField === null) next();
      else check(context, tx, host.parsedBody?.(context), next);
    },
    begin(context: C, request: HttpRequest, next: (error?: any) => void, options?: DriveOptions): void {
      if (options?.session === false) {
        const passed = policy.pass(request);
        if (isAnswer(passed)) host.send(context, passed);
        else {
          applyHeaders(host, context, passed);
          next();
        }
        return;
      }
      // Until `beginWith` returns, `ok` hands the result back (started below, outside the
      // try: an error of the app's own chain must not reach `next` twice); after, it starts.
      let waiting = false;
      let result: BeginResult<any> | undefined | Promise<BeginResult<any> | undefined>;
      try {
        result = beginWith(
          request,
          options,
          (value) => (waiting ? void started(context, value, next) : value),
          (error) => {
            if (!waiting) throw error;
            next(error);
            return undefined;
          },
        );
      } catch (error) {
        next(error);
        return;
      }
      waiting = true;
      if (result !== undefined && !(result instanceof Promise)) started(context, result, next);
    },
    end(context: C, tx: HttpTransaction<any>): HttpAnswer | null | Promise<HttpAnswer | null> {
      const result = tx.end();
      return result instanceof Promise ? result.then((value) => ended(context, value)) : ended(context, result);
    },
  });
}

/** The parts of a Node request {@link formBody} reads. */
export type FormRequest = Pick<IncomingMessage, 'headers' | 'readableEnded'>;

/**
 * `body` for the CSRF check, or {@link UNREAD_FORM} when `request` is a form whose body no
 * parser has read: its parsed body is no object, or its stream still holds the body (Express
 * 4's JSON parser leaves `{}` on a form it skipped). An empty form counts as read.
 */
export function formBody(request: FormRequest, body: unknown): unknown {
  const { headers } = request;
  if (!isFormContentType(headers['content-type'])) return body;
  if (headers['transfer-encoding'] === undefined && !(Number(headers['content-length'] ?? 0) > 0)) return body;
  return body === null || typeof body !== 'object' || !request.readableEnded ? UNREAD_FORM : body;
}

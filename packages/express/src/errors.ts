/**
 * Session errors as responses: `{ error: { code, message } }` with the status from the core's
 * one table, no stack and no driver details.
 *
 * @module
 */
import type { ServerResponse } from 'node:http';
import { isSessionError, type AnySessionError } from 'coatcheck';
import type { NextFunction, Request, Response } from 'express';
import { settle } from './state.js';

/** Body of an error response: `{ error: { code, message } }`. */
export interface ErrorBody {
  error: { code: string; message: string };
}

/** Where the adapter reports failures an operator should see. */
export interface AdapterLogger {
  error(message: string, context?: Record<string, unknown>): void;
}

const STORE_DOWN_MESSAGE = 'The session store is unavailable; try again shortly.';

/** The message a client may see: store errors carry driver details that belong in logs. */
export function publicMessage(error: AnySessionError): string {
  if (error.code === 'ERR_SESSION_STORE_UNAVAILABLE') return STORE_DOWN_MESSAGE;
  return error.statusCode >= 500 ? 'Something went wrong on our side.' : error.message;
}

/**
 * Answers a session error. The session cookie is never touched: a store outage is not a
 * logout, and a refused request changes nothing. Does nothing if the headers already went
 * out (the response is then cut short by whoever owns it).
 */
export function sendSessionError(res: ServerResponse, error: AnySessionError, logger: AdapterLogger): void {
  settle(res);
  if (error.statusCode >= 500) logger.error('coatcheck: session error', { code: error.code, error });
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.removeHeader('set-cookie');
  res.statusCode = error.statusCode;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  if (error.statusCode === 503) res.setHeader('retry-after', '1');
  const body: ErrorBody = { error: { code: error.code, message: publicMessage(error) } };
  res.end(JSON.stringify(body));
}

/**
 * Error-handling middleware that answers coatcheck errors thrown by route handlers (a store
 * outage during `login()`, an oversized session) in the same shape as the middleware's own,
 * and passes every other error on. Register it after your routes.
 *
 * @example
 * ```ts
 * app.use(sessionErrorHandler())
 * ```
 */
export function sessionErrorHandler(logger: AdapterLogger = console) {
  return function sessionErrorHandler(error: unknown, _req: Request, res: Response, next: NextFunction): void {
    if (isSessionError(error)) sendSessionError(res, error, logger);
    else next(error);
  };
}

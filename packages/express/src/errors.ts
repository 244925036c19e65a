/**
 * Answers as Express responses. What an answer says (status, message, headers) is the core's
 * policy; this only writes it.
 *
 * @module
 */
import type { ServerResponse } from 'node:http';
import { isSessionError, type AnySessionError } from 'coatcheck';
import { answerSessionError, type HttpAnswer } from 'coatcheck/adapter';
import type { NextFunction, Request, Response } from 'express';
import { transactionOf } from './commit.js';

export type { ErrorBody } from 'coatcheck/adapter';

/** Where the adapter reports failures an operator should see. */
export interface AdapterLogger {
  error(message: string, context?: Record<string, unknown>): void;
  warn?(message: string, context?: Record<string, unknown>): void;
}

/** Writes `answer`; a response whose headers already went out is cut short instead. */
export function sendAnswer(res: ServerResponse, answer: HttpAnswer): void {
  const tx = transactionOf(res);
  if (tx) tx.settled = true;
  if (res.headersSent) return void res.destroy();
  res.removeHeader('set-cookie');
  res.statusCode = answer.status;
  for (const name in answer.headers) res.setHeader(name, answer.headers[name] as string);
  res.end(answer.body);
}

/** Answers a session error (the cookie untouched: an outage is not a logout). */
export function sendSessionError(res: ServerResponse, error: AnySessionError, logger: AdapterLogger): void {
  if (error.statusCode >= 500) logger.error('coatcheck: session error', { code: error.code, error });
  sendAnswer(res, transactionOf(res)?.tx.answerError(error) ?? answerSessionError(error));
}

/**
 * Error-handling middleware that answers coatcheck errors thrown by route handlers (a store
 * outage during `login()`) like the middleware's own, and passes every other error on.
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

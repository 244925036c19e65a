/**
 * One error shape for every response: `{ error: { code, message } }`, except validation
 * failures, which are FastAPI-style 422 `{ detail: [...] }`. Stacks and driver messages
 * never reach a client; 5xx is reserved for real server faults.
 *
 * @module
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toErrorBody } from '@coatcheck/fastify';
import { toValidationDetails, type AjvErrorLike } from './validation.js';
import { NOT_FOUND_OPTIONS } from './session-routes.js';

/** An expected failure with a stable code, thrown by route handlers. */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;
  /** Response headers that belong to this answer (e.g. a 401's `WWW-Authenticate`). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(statusCode: number, code: string, message: string, headers: Readonly<Record<string, string>> = {}) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
    this.headers = headers;
  }
}

// Fastify's own 4xx errors, by code: what the client did wrong, in this API's words.
const FASTIFY_ERRORS: Readonly<Record<string, [status: number, code: string, message: string]>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'ERR_BAD_JSON', 'The request body is not valid JSON.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'ERR_BAD_JSON', 'The request body is empty but its content-type is application/json.'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [
    415,
    'ERR_UNSUPPORTED_MEDIA_TYPE',
    'Send JSON (application/json) or a form (application/x-www-form-urlencoded, multipart/form-data).',
  ],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'ERR_BAD_REQUEST', 'The content-length does not match the body.'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'ERR_BODY_TOO_LARGE', 'The request body is too large.'],
  FST_ERR_BAD_URL: [400, 'ERR_BAD_URL', 'The URL is not valid.'],
  FST_ERR_MAX_PARAM_LENGTH: [414, 'ERR_URL_TOO_LONG', 'A path segment of the URL is too long.'],
};

// secure-json-parse reports a "__proto__" / "constructor.prototype" key as a plain
// SyntaxError with statusCode 400; it is bad JSON as far as the client is concerned. (BI-11)
const isJsonSyntaxError = (error: FastifyError) => error instanceof SyntaxError && error.statusCode === 400;

function classify(error: FastifyError): [status: number, code: string, message: string] {
  if (error instanceof HttpError) return [error.statusCode, error.code, error.message];
  const known = error.code ? FASTIFY_ERRORS[error.code] : undefined;
  if (known) return known;
  if (isJsonSyntaxError(error)) return [400, 'ERR_BAD_JSON', 'The request body is not valid JSON.'];
  const status = error.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return [status, 'ERR_BAD_REQUEST', 'The request is not valid.'];
  return [500, 'ERR_INTERNAL', 'Something went wrong on our side.'];
}

/** The error handler of the whole app. */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error.validation) {
    const details = toValidationDetails(error.validation as AjvErrorLike[], error.validationContext ?? 'body', request.body === undefined);
    return reply.code(422).send({ detail: details });
  }
  const [status, code, message] = classify(error);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ code, status }, 'request rejected');
  if (status === 503) reply.header('retry-after', '1');
  if (error instanceof HttpError) reply.headers(error.headers);
  return reply.code(status).send(toErrorBody(code, message));
}

/** Answers unknown routes in the same shape as every other error. */
function handleNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  // The URL is not echoed back: it is attacker-controlled text.
  request.log.info({ method: request.method }, 'no such route');
  return reply.code(404).send(toErrorBody('ERR_NOT_FOUND', 'No such route.'));
}

/**
 * Installs both handlers on the root instance; child scopes inherit them. Unknown routes read
 * no session. Router errors
 * (bad percent-encoding, over-long path parameters) bypass the error handler unless given
 * to Fastify's `frameworkErrors` option as well: pass {@link handleError} there.
 */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(NOT_FOUND_OPTIONS, handleNotFound);
}

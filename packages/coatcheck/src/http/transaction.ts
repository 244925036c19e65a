/**
 * One request's transaction: the session, the CSRF token still to read from the body, and the
 * commit with its headers or error answer. Created by the policy's `begin`.
 *
 * @module
 */
import type { UnreadForm, CsrfGuard } from '../csrf/csrf-guard.js';
import type { Logger } from '../manager/options.js';
import type { Session, SessionDataMap } from '../session/session-types.js';
import type { HttpAnswer } from './answer.js';
import { finishTransaction, type HttpHeaders } from './finish.js';

/** A request in progress: its session and what to do before the response goes out. */
export interface HttpTransaction<D extends object = SessionDataMap> {
  readonly session: Session<D>;
  /** What carried the session: the cookie (also when there was none) or a bearer token. */
  readonly source: 'cookie' | 'bearer';
  /**
   * The form field the CSRF token must be read from, once the body is parsed: hand the parsed
   * body to {@link HttpTransaction.checkCsrfBody}. `null`: nothing left to check.
   */
  readonly csrfField: string | null;
  /** Checks the token in a parsed body; `unreadForm` when a form's body was never parsed. */
  checkCsrfBody(body: unknown, unreadForm?: UnreadForm): HttpAnswer | null;
  /** Commits (once): the headers to add, or on failure the answer to send instead. */
  end(): HttpHeaders | HttpAnswer | Promise<HttpHeaders | HttpAnswer>;
  /** The same commit, rejecting with the session error instead of answering it. */
  commit(): HttpHeaders | Promise<HttpHeaders>;
  /** For headers that cannot wait: commits what needs no store, drops the rest (and logs it). */
  endNow(): HttpHeaders;
  /** The answer for a session error a handler threw, with this request's CORS headers. */
  answerError(error: unknown): HttpAnswer | null;
}

/** What every transaction of a policy shares. */
export interface TransactionContext {
  readonly guard: CsrfGuard | null;
  readonly logger: Logger;
  answerError(error: unknown, extra: Readonly<Record<string, string>>): HttpAnswer | null;
}

// A class: one allocation per request, the methods shared on the prototype.
export class Transaction<D extends object> implements HttpTransaction<D> {
  readonly #context: TransactionContext;
  readonly #extra: Readonly<Record<string, string>>;
  #committed: HttpHeaders | Promise<HttpHeaders> | null = null;
  constructor(
    context: TransactionContext,
    readonly session: Session<D>,
    readonly source: 'cookie' | 'bearer',
    readonly csrfField: string | null,
    extra: Readonly<Record<string, string>>,
  ) {
    this.#context = context;
    this.#extra = extra;
  }
  checkCsrfBody(body: unknown, unreadForm?: UnreadForm): HttpAnswer | null {
    const { guard } = this.#context;
    if (guard === null || this.csrfField === null) return null;
    const field = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[this.csrfField] : undefined;
    const refused = guard.checkToken(this.session, typeof field === 'string' ? field : undefined, unreadForm);
    return refused === null ? null : this.answerError(refused);
  }
  commit(): HttpHeaders | Promise<HttpHeaders> {
    this.#committed ??= finishTransaction(this.session, this.#extra, false, this.#context.logger);
    return this.#committed;
  }
  end(): HttpHeaders | HttpAnswer | Promise<HttpHeaders | HttpAnswer> {
    const result = this.commit();
    return result instanceof Promise ? result.then(undefined, (error: unknown) => rethrowUnless(this.answerError(error), error)) : result;
  }
  endNow(): HttpHeaders {
    return finishTransaction(this.session, this.#extra, true, this.#context.logger) as HttpHeaders;
  }
  answerError(error: unknown): HttpAnswer | null {
    return this.#context.answerError(error, this.#extra);
  }
}

/** `answer`, or the original error when it has none (not a session error). */
function rethrowUnless(answer: HttpAnswer | null, error: unknown): HttpAnswer {
  if (answer === null) throw error;
  return answer;
}

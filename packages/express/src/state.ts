/**
 * Per-response commit state, kept on the response under a symbol.
 *
 * @module
 */
import type { ServerResponse } from 'node:http';
import type { Session } from 'coatcheck';
import type { Request } from 'express';
import type { AdapterLogger } from './errors.js';

/** What the adapter remembers about one response. */
export interface CommitState {
  readonly session: Session<any>;
  readonly req: Request;
  readonly logger: AdapterLogger;
  /** The commit that runs (or ran) for this response; at most one. */
  commit: Promise<void> | null;
  /** Nothing more may be committed: done, failed, or the headers went out. */
  settled: boolean;
}

const STATE = Symbol('coatcheck.commit');

type WithState = ServerResponse & { [STATE]?: CommitState };

/** Attaches `state` to `res`. */
export function attachState(res: ServerResponse, state: CommitState): void {
  (res as WithState)[STATE] = state;
}

/** The state of `res`, or `undefined` when the middleware did not run for it. */
export function stateOf(res: ServerResponse): CommitState | undefined {
  return (res as WithState)[STATE];
}

/** Marks `res` as settled: its headers are final as far as the session is concerned. */
export function settle(res: ServerResponse): void {
  const state = stateOf(res);
  if (state) state.settled = true;
}

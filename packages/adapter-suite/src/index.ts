/**
 * The adapter test suite: one set of HTTP scenarios every coatcheck framework adapter runs
 * with identical results. An adapter provides a tiny app factory; see {@link AppFactory}.
 *
 * @example
 * ```ts
 * describeAdapterSuite('express', async (manager) => { ...build app...; return { request, port, close } })
 * ```
 *
 * @module
 */
import { describe } from 'node:test';
import type { AppFactory } from './harness.js';
import { cookieScenarios } from './scenarios/cookies.js';
import { csrfScenarios } from './scenarios/csrf.js';
import { faultScenarios } from './scenarios/faults.js';
import { lifecycleScenarios } from './scenarios/lifecycle.js';
import { notAwaitedScenarios } from './scenarios/not-awaited.js';
import { bearerScenarios } from './scenarios/bearer.js';
import { httpPolicyScenarios } from './scenarios/http-policy.js';
import { stepUpScenarios } from './scenarios/step-up.js';

export type { AppFactory, SuiteOptions, Harness, CountingStore, Clock } from './harness.js';
export {
  buildHarness,
  countingStore,
  slowStore,
  cookiePair,
  HTTPS,
  BARE,
  OWN_ORIGIN,
  SECRET,
  storeFailure,
  internalFailure,
  INTERNAL_DETAIL,
  SUDO,
} from './harness.js';
export type { SuiteApp, SuiteRequest, SuiteResponse } from './client.js';
export { sendHttp, fetchClient, SUITE_HOST } from './client.js';

/** Registers the whole suite under `describe(name)`. */
export function describeAdapterSuite(name: string, factory: AppFactory): void {
  describe(`adapter suite: ${name}`, () => {
    cookieScenarios(factory);
    lifecycleScenarios(factory);
    notAwaitedScenarios(factory);
    faultScenarios(factory);
    csrfScenarios(factory);
    bearerScenarios(factory);
    httpPolicyScenarios(factory);
    stepUpScenarios(factory);
  });
}

/**
 * The warning for tokens without `iss`/`aud` whose public keys are served.
 *
 * Serving the JWKS is the moment tokens leave this service: other services verify them, and
 * without `iss`/`aud` a token issued for this API passes at any API that trusts the same keys
 * (RFC 9068 §4 makes both required). A service that is the only verifier of its tokens gains
 * nothing from them (they are bound to its sessions, checked on every request), so creating
 * the service without them is not warned about: a warning every such app printed would
 * teach people to ignore warnings.
 *
 * @module
 */
import { WARNINGS } from 'coatcheck/warnings';
import type { KeySet } from './keys/key-set.js';

/** Process warning emitted once, the first time the JWKS is served while tokens carry no `iss` or no `aud`. */
export const UNSCOPED_TOKENS_WARNING = WARNINGS.TOKENS_UNSCOPED.code;

/** Returns the check to run whenever the JWKS is served; it warns at most once. */
export function createUnscopedWarning(options: { readonly issuer: string | undefined; readonly audience: string | undefined }): (keys: KeySet) => void {
  const missing = [options.issuer === undefined ? 'issuer' : '', options.audience === undefined ? 'audience' : ''].filter(Boolean);
  let warned = missing.length === 0;
  return (keys) => {
    if (warned || keys.jwks.keys.length === 0) return;
    warned = true;
    const claims = missing.map((name) => (name === 'issuer' ? 'iss' : 'aud')).join('/');
    process.emitWarning(
      `coatcheck tokens: the JWKS is served, but access tokens carry no ${missing.join(' and ')} (${claims}); a service that trusts these keys would accept a token issued for another. Set createTokenService({ issuer, audience }) and have every verifier require both (RFC 9068).`,
      { code: UNSCOPED_TOKENS_WARNING },
    );
  };
}

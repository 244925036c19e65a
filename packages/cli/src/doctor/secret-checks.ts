/**
 * The session-secret checks: the manager's own rules (length, published examples, repeated
 * characters) by building a manager with the secrets, plus an entropy estimate and the
 * rotation state. Internal.
 *
 * @module
 */
import { createSessionManager } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';
import { splitSecrets } from '../commands/secret.js';
import { fail, ok, warn, type Finding } from './finding.js';

const GENERATE = 'coatcheck secret';
// 32 random bytes carry 256 bits; a secret of 32 hand-typed characters far fewer. Below 128
// estimated bits a secret may be guessable offline from one signed cookie.
const MIN_ESTIMATED_BITS = 128;

/** Shannon entropy of the characters times the length: an upper bound of what it holds. */
export function estimateBits(secret: string): number {
  const counts = new Map<string, number>();
  for (const char of secret) counts.set(char, (counts.get(char) ?? 0) + 1);
  let perChar = 0;
  for (const n of counts.values()) perChar -= (n / secret.length) * Math.log2(n / secret.length);
  return Math.round(perChar * secret.length);
}

/** Checks the comma-separated secret list from `source` (an environment variable name). */
export function checkSecrets(list: string | undefined, source: string): Finding[] {
  if (list === undefined || splitSecrets(list).length === 0) {
    return [
      warn(
        'secret',
        `${source} is not set here, so the secret was not checked`,
        `run doctor with the app's environment (${source}=... coatcheck doctor ...), or pass --secret-env NAME`,
      ),
    ];
  }
  const secrets = splitSecrets(list);
  const findings: Finding[] = [];
  try {
    // The manager's rules, in their one place: it refuses what an app would be refused.
    const manager = createSessionManager({ store: memoryStore({ sweepIntervalMs: 0, quiet: true }), secrets });
    void manager.close();
    findings.push(
      ok(
        'secret',
        `${secrets.length === 1 ? 'the secret passes' : `all ${secrets.length} secrets pass`} the manager's checks (length, known examples, repetition)`,
      ),
    );
  } catch (error) {
    findings.push(
      fail(
        'secret',
        `the app would refuse ${source}: ${(error as Error).message}`,
        `generate a new one with ${GENERATE}, put it first in ${source}, and keep the old one after it until its cookies expire (${GENERATE} --rotate)`,
      ),
    );
  }
  secrets.forEach((secret, index) => {
    const bits = estimateBits(secret);
    if (bits < MIN_ESTIMATED_BITS) {
      findings.push(
        warn(
          'secret.entropy',
          `secret ${index + 1} of ${secrets.length} holds at most ~${bits} bits (fewer than ${MIN_ESTIMATED_BITS}): it does not look random`,
          `replace it with ${GENERATE} (32 random bytes) using ${GENERATE} --rotate`,
        ),
      );
    }
  });
  if (secrets.length === 1) findings.push(ok('secret.rotation', 'one secret, no rotation in progress'));
  else if (secrets.length <= 3)
    findings.push(ok('secret.rotation', `${secrets.length} secrets: the first signs, ${secrets.length - 1} older one(s) only verify`));
  else
    findings.push(
      warn(
        'secret.rotation',
        `${secrets.length} secrets: every one is tried on each request with an unknown signature, and old ones stay useful to whoever has them`,
        `drop secrets older than your longest cookie lifetime (remember-me included) from the end of ${source}`,
      ),
    );
  return findings;
}

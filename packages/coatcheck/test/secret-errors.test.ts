// An unset, empty or missing secret is the first thing a newcomer meets: it must be a
// configuration error that names the option, the environment variable and the fix.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSessionManager, SessionConfigError, type SessionManagerOptions } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';

const GENERATE = `node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))"`;

function configErrorOf(options: Partial<SessionManagerOptions>): SessionConfigError {
  try {
    createSessionManager({ store: memoryStore({ sweepIntervalMs: 0, quiet: true }), ...options } as SessionManagerOptions);
  } catch (error) {
    assert.ok(error instanceof SessionConfigError, `expected SessionConfigError, got ${String(error)}`);
    assert.equal(error.code, 'ERR_SESSION_INVALID_OPTION');
    return error;
  }
  assert.fail('createSessionManager accepted the options');
}

function assertTeaches(message: string): void {
  assert.match(message, /secrets/);
  assert.match(message, /SESSION_SECRET/);
  assert.ok(message.includes(GENERATE), `the message gives the command: ${message}`);
}

describe('a missing session secret', () => {
  it('secrets: [process.env.SESSION_SECRET] with the variable unset says the secret is not set', () => {
    const unset = `COATCHECK_TEST_UNSET_${process.pid}`;
    delete process.env[unset];
    const error = configErrorOf({ secrets: [process.env[unset] as string] });
    assert.match(error.message, /^secrets\[0\] is undefined: the session secret is not set\./);
    assertTeaches(error.message);
  });

  it('an empty string is not set either', () => {
    const error = configErrorOf({ secrets: [''] });
    assert.match(error.message, /^secrets\[0\] is an empty string: the session secret is not set\./);
    assertTeaches(error.message);
  });

  it('an unset rotation secret is named by its index', () => {
    const error = configErrorOf({ secrets: ['a-real-secret-of-enough-random-bytes-9f3k2m', undefined as unknown as string] });
    assert.match(error.message, /^secrets\[1\] is undefined/);
  });

  it('a missing secrets option, null, or an empty array', () => {
    assert.match(configErrorOf({}).message, /^secrets is required: pass secrets: \[process\.env\.SESSION_SECRET\]\./);
    assertTeaches(configErrorOf({}).message);
    assertTeaches(configErrorOf({ secrets: null as unknown as string[] }).message);
    assert.match(configErrorOf({ secrets: [] }).message, /^secrets must be a non-empty array/);
    assertTeaches(configErrorOf({ secrets: [] }).message);
  });

  it('a value of the wrong type is named, not a TypeError from inside', () => {
    const error = configErrorOf({ secrets: [42 as unknown as string] });
    assert.match(error.message, /^secrets\[0\] is a number, not a string or Uint8Array\./);
  });

  it('a short secret still gets the length message with the command', () => {
    const error = configErrorOf({ secrets: ['too short'] });
    assert.match(error.message, /^secrets\[0\] has 9 bytes; at least 32 are required/);
    assert.ok(error.message.includes(GENERATE));
  });
});

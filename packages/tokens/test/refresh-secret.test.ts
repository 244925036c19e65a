// `refreshSecret: process.env.SESSION_SECRET!` with the variable unset: a configuration
// error that names the option, the variable and the command, not a crash inside.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SessionConfigError } from 'coatcheck';
import { createTokenService } from '../src/index.js';
import { setup } from './helpers.js';

const GENERATE = `node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))"`;

describe('an unset refreshSecret', () => {
  for (const [label, value, start] of [
    ['unset', undefined, 'refreshSecret is undefined: the secret is not set.'],
    ['null', null, 'refreshSecret is null: the secret is not set.'],
    ['empty', '', 'refreshSecret is an empty string: the secret is not set.'],
    ['a number', 7, 'refreshSecret is a number, not a string or Uint8Array.'],
  ] as const) {
    it(`${label}: a SessionConfigError that says how to set one`, async () => {
      const t = await setup();
      after(() => t.app.close());
      const error = await createTokenService({ manager: t.manager, keys: t.keys, refreshSecret: value as unknown as string }).then(
        () => assert.fail('accepted'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof SessionConfigError);
      assert.ok(error.message.startsWith(start), error.message);
      assert.match(error.message, /SESSION_SECRET/);
      assert.ok(error.message.includes(GENERATE));
    });
  }
});

// `coatcheck secret` and `coatcheck keys`, run as an operator would (in process, and the bin itself for exit codes): output, files and exit codes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, runJson, tempDir } from './helpers/run-cli.js';

describe('coatcheck secret', () => {
  it('prints 32 random bytes in base64url, different each time', async () => {
    const [a, b] = await Promise.all([runCli(['secret']), runCli(['secret'])]);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout.trim(), /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a.stdout, b.stdout);
    assert.equal(Buffer.from(a.stdout.trim(), 'base64url').length, 32);
  });

  it('rotates SESSION_SECRET: the new secret first, the old ones kept for verifying', async () => {
    const { code, json } = await runJson<{ secrets: string[]; value: string }>(['secret', '--rotate'], { env: { SESSION_SECRET: 'old-one, old-two' } });
    assert.equal(code, 0);
    assert.equal(json.secrets.length, 3);
    assert.deepEqual(json.secrets.slice(1), ['old-one', 'old-two']);
    assert.equal(json.value, json.secrets.join(','));
    const kept = await runCli(['secret', '--rotate', '--current', 'a,b,c', '--keep', '1']);
    assert.match(kept.stdout.trim(), /^[A-Za-z0-9_-]{43},a$/);
  });

  it('refuses short secrets, --rotate without a list and unknown options with exit 2', async () => {
    const results = await Promise.all([
      runCli(['secret', '--bytes', '16']),
      runCli(['secret', '--rotate'], { env: { SESSION_SECRET: undefined } }),
      runCli(['secret', '--nope']),
      // The real bin: its exit code is the process's.
      runCli(['nope'], { process: true }),
    ]);
    for (const result of results) assert.equal(result.code, 2, result.stderr);
    assert.match(results[1]!.stderr, /--current|SESSION_SECRET/);
    assert.match(results[2]!.stderr, /coatcheck secret --help/);
    assert.match(results[3]!.stderr, /Commands: .*secret/);
  });

  it('has --help for the command and the tool', async () => {
    const [top, secret] = await Promise.all([runCli(['--help'], { process: true }), runCli(['secret', '--help'])]);
    assert.equal(top.code, 0);
    assert.match(top.stdout, /Exit codes/);
    assert.match(secret.stdout, /Usage: coatcheck secret/);
  });
});

describe('coatcheck keys', () => {
  it('generates, prepares, rotates, retires and publishes the key file @coatcheck/tokens reads', async () => {
    const dir = tempDir();
    const file = join(dir, 'keys.json');
    const generated = await runJson<{ keys: { kid: string; state: string }[] }>(['keys', 'generate', '--file', file]);
    assert.equal(generated.code, 0, generated.stderr);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const first = generated.json.keys[0]!.kid;
    assert.equal(generated.json.keys[0]!.state, 'current');
    assert.equal(JSON.stringify(generated.json).includes('"d"'), false, 'no private key material in the report');

    const again = await runCli(['keys', 'generate', '--file', file]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /--force/);

    const prepared = await runJson<{ keys: { state: string }[] }>(['keys', 'rotate', '--file', file, '--prepare']);
    assert.deepEqual(prepared.json.keys.map((k) => k.state).sort(), ['current', 'next']);

    const rotated = await runJson<{ keys: { kid: string; state: string; retireAt: number | null }[] }>(['keys', 'rotate', '--file', file, '--overlap', '0']);
    const previous = rotated.json.keys.find((k) => k.kid === first);
    assert.equal(previous?.state, 'previous');

    const jwks = await runCli(['keys', 'jwks', '--file', file]);
    const published = JSON.parse(jwks.stdout) as { keys: Record<string, unknown>[] };
    assert.equal(published.keys.length, 1, 'a previous key past its retireAt is not published');
    assert.equal(
      published.keys.some((k) => 'd' in k),
      false,
    );

    const retired = await runJson<{ removed: number; keys: unknown[] }>(['keys', 'retire', '--file', file]);
    assert.equal(retired.json.removed, 1);
    assert.equal((JSON.parse(readFileSync(file, 'utf8')) as { keys: unknown[] }).keys.length, 1);
  });

  it('says what to do about a missing or broken key file, and refuses to remove the signing key', async () => {
    const dir = tempDir();
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, 'not json');
    const [missing, bad, noAction] = await Promise.all([
      runCli(['keys', 'jwks', '--file', join(dir, 'absent.json')]),
      runCli(['keys', 'jwks', '--file', broken]),
      runCli(['keys']),
    ]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /coatcheck keys generate/);
    assert.equal(bad.code, 1);
    assert.equal(noAction.code, 2);
    const file = join(dir, 'keys.json');
    const { json } = await runJson<{ keys: { kid: string }[] }>(['keys', 'generate', '--file', file, '--alg', 'ES256']);
    const removal = await runCli(['keys', 'retire', '--file', file, '--kid', json.keys[0]!.kid]);
    assert.equal(removal.code, 1);
    assert.match(removal.stderr, /rotate first/);
    assert.ok(existsSync(file));
  });
});

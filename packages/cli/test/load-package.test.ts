// A missing optional package becomes exit 4 and the `npm install` line to run.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CliError, EXIT_CODES } from '../src/errors.js';
import { loadPackage } from '../src/load-package.js';

describe('loadPackage', () => {
  it('names the packages to install when the package is not there', async () => {
    const name = '@coatcheck/not-installed-store';
    await assert.rejects(
      loadPackage(name, [name, 'some-driver'], () => import(name), 'a test: store'),
      (error: unknown) =>
        error instanceof CliError &&
        error.code === 'ERR_CLI_MISSING_PACKAGE' &&
        error.exitCode === EXIT_CODES.missingPackage &&
        error.message.includes(`npm install ${name} some-driver`),
    );
  });

  it('passes other failures through unchanged', async () => {
    const boom = new Error('boom');
    await assert.rejects(
      loadPackage('redis', ['@coatcheck/redis', 'redis'], () => Promise.reject(boom), 'x'),
      (error) => error === boom,
    );
  });
});

// Store URL parsing: every supported form, the redaction of passwords, and the usage errors.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CliError } from '../src/errors.js';
import { parseStoreUrl, redact } from '../src/store/store-url.js';

describe('parseStoreUrl', () => {
  it('reads sqlite: paths, relative to the working directory or absolute', () => {
    assert.deepEqual(parseStoreUrl('sqlite:./data/s.db', { cwd: '/srv/app' }), {
      kind: 'sqlite',
      filename: '/srv/app/data/s.db',
      display: 'sqlite:/srv/app/data/s.db',
    });
    assert.equal((parseStoreUrl('sqlite:/var/s.db') as { filename: string }).filename, '/var/s.db');
    assert.equal((parseStoreUrl('sqlite:///var/s.db') as { filename: string }).filename, '/var/s.db');
  });

  it('reads standalone, Cluster and Sentinel Redis URLs', () => {
    assert.deepEqual(parseStoreUrl('rediss://u:pw@h:6380/2'), {
      kind: 'redis',
      mode: 'standalone',
      url: 'rediss://u:pw@h:6380/2',
      display: 'rediss://u:***@h:6380/2',
    });
    assert.deepEqual((parseStoreUrl('redis+cluster://a:7000,b:7001') as unknown as { urls: string[] }).urls, ['redis://a:7000', 'redis://b:7001']);
    assert.deepEqual((parseStoreUrl('redis://a:7000', { cluster: true }) as { mode: string }).mode, 'cluster');
    assert.deepEqual((parseStoreUrl('rediss+cluster://:pw@a:7000') as unknown as { urls: string[] }).urls, ['rediss://:pw@a:7000']);
    assert.deepEqual(parseStoreUrl('redis+sentinel://user:pw@s1:26379,s2/mymaster'), {
      kind: 'redis',
      mode: 'sentinel',
      masterName: 'mymaster',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      username: 'user',
      password: 'pw',
      display: 'redis+sentinel://user:***@s1:26379,s2/mymaster',
    });
  });

  it('reads postgres:// and postgresql://', () => {
    assert.equal(parseStoreUrl('postgresql://app:secret@db/app').kind, 'postgres');
    assert.equal(parseStoreUrl('postgres://app:secret@db/app').display, 'postgres://app:***@db/app');
  });

  it('refuses what it cannot use with a usage error (exit 2) that says what works', () => {
    for (const bad of ['mysql://db', 'sessions.db', 'sqlite:', 'redis+sentinel://s1:26379', 'redis://a:1,b:2', 'redis+cluster://a:notaport']) {
      assert.throws(
        () => parseStoreUrl(bad),
        (error: unknown) => error instanceof CliError && error.exitCode === 2,
        bad,
      );
    }
    assert.throws(() => parseStoreUrl('mongodb://x'), /redis\+sentinel:\/\/.*\n.*postgres:\/\//s);
    assert.throws(() => parseStoreUrl('postgres://db/app', { cluster: true }), /--cluster/);
  });

  it('never shows a password', () => {
    assert.equal(redact('redis://:hunter2@h:6379'), 'redis://:***@h:6379');
    assert.equal(redact('redis://h:6379'), 'redis://h:6379');
  });
});
